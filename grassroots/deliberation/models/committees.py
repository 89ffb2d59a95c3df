"""Committees and their seats: who sits, from when, chosen how."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

PATTERN_OPS = ["varchar_pattern_ops"]  # prefix (LIKE 'x%') scans on PostgreSQL in any collation


class CommitteeKind(models.TextChoices):
    FIVE_PERSON_GROUP = "five_person_group", _("five-person group")  # 五人小组 (of a village group)
    VILLAGER_COUNCIL = "villager_council", _("villager council")  # 村民理事会
    REPRESENTATIVES_MEETING = (
        "representatives_meeting",
        _("villagers' representatives meeting"),
    )  # 村民代表会议


class ProcessKey(models.TextChoices):
    FIVE_PERSON = "five_person", _("deliberate, vote, every member signs")  # 五人小组的"五议五签"
    FOUR_TWO = "four_two", _("four deliberations, two disclosures")  # 四议两公开


class SeatRole(models.TextChoices):
    GROUP_LEADER = "group_leader", _("village group leader")  # 村民小组长
    PARTY_GROUP_LEADER = "party_group_leader", _("party group leader")  # 党小组长
    ELECTED_VILLAGER = "elected_villager", _("elected villager")  # 推选的村民
    COUNCIL_CHAIR = "council_chair", _("council chair")  # 理事长
    COUNCIL_VICE_CHAIR = "council_vice_chair", _("council vice chair")  # 副理事长
    COUNCILLOR = "councillor", _("councillor")  # 理事
    PARTY_SECRETARY = "party_secretary", _("party branch secretary")  # 党支部书记
    BRANCH_MEMBER = "branch_member", _("party branch committee member")  # 支部委员
    COMMITTEE_CHAIR = "committee_chair", _("villagers' committee chair")  # 村委会主任
    COMMITTEE_MEMBER = "committee_member", _("villagers' committee member")  # 村委委员
    REPRESENTATIVE = "representative", _("villagers' representative")  # 村民代表


class ChosenHow(models.TextChoices):
    EX_OFFICIO = "ex_officio", _("by office")  # 职务当然: the group leader, the party group leader
    ELECTED = "elected", _("elected by the villagers")  # 村民推选/选举
    RECOMMENDED = "recommended", _("recommended and confirmed")  # 推荐产生, confirmed by a meeting
    APPOINTED = "appointed", _("appointed")  # 委派


class Committee(models.Model):
    """A deliberating body (议事组织) bound to a village: a five-person group of one of its village groups,
    a villager council, or the villagers' representatives meeting."""

    kind = models.CharField(_("kind"), max_length=32, choices=CommitteeKind.choices)
    # The process its topics follow: the kind's default unless another was chosen (process.py).
    process = models.CharField(_("process"), max_length=16, choices=ProcessKey.choices)
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="committees",
        verbose_name=pgettext_lazy("village or community", "village"),
    )
    area_code = models.CharField(_("area code"), max_length=15, editable=False)
    village_group = models.ForeignKey(
        "areas.VillageGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committees",
        verbose_name=_("village group"),
    )
    is_public = models.BooleanField(
        _("open to everyone"),
        default=True,
        help_text=_("Topics, opinions, votes and signatures can be read without logging in."),
    )
    description = models.TextField(_("description"), blank=True)
    formed_on = models.DateField(_("formed on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["area_code", "kind", "village_group__number", "id"]
        indexes = [models.Index(fields=["area_code"], name="committee_area", opclasses=PATTERN_OPS)]
        constraints = [
            models.UniqueConstraint(
                fields=["village_group"],
                condition=Q(kind="five_person_group", dissolved_on__isnull=True),
                name="committee_one_five_person_group_per_village_group",
            )
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """One person in one seat of a committee for a time. Rows are never deleted: ending a membership sets
    ``ended_on``, and the committee's history is its memberships in date order."""

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("committee")
    )
    area_code = models.CharField(_("area code"), max_length=15, editable=False)
    seat = models.PositiveSmallIntegerField(_("seat"), null=True, blank=True)
    role = models.CharField(_("role"), max_length=24, choices=SeatRole.choices)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    # Members act from their own account (opinions, votes, signatures); nobody acts for another.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committee_memberships",
        verbose_name=_("login"),
    )
    resident = models.ForeignKey(
        "people.Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="committee_memberships",
        verbose_name=_("register entry"),
    )
    chosen_how = models.CharField(_("chosen"), max_length=16, choices=ChosenHow.choices)
    chosen_note = models.CharField(
        _("how chosen, in words"),
        max_length=200,
        blank=True,
        help_text=_("e.g. elected at the group meeting of 3 March"),
    )
    started_on = models.DateField(_("from"))
    term_ends_on = models.DateField(_("term ends"), null=True, blank=True)
    ended_on = models.DateField(_("left on"), null=True, blank=True)
    end_reason = models.CharField(_("why they left"), max_length=200, blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["committee", "seat", "started_on", "id"]
        indexes = [models.Index(fields=["user", "ended_on"], name="membership_user")]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "seat"],
                condition=Q(ended_on__isnull=True, seat__isnull=False),
                name="membership_one_person_per_seat",
            ),
            models.UniqueConstraint(
                fields=["committee", "user"],
                condition=Q(ended_on__isnull=True, user__isnull=False),
                name="membership_one_seat_per_person",
            ),
            models.CheckConstraint(
                condition=Q(seat__isnull=True) | Q(seat__gte=1), name="membership_seat_positive"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.name} · {self.get_role_display()}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None
