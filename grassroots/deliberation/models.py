"""Committees, their seats and members, topics, and the records a deliberation leaves behind.

What is kept, not what happens: the steps and their rules live in ``process.py``, the transitions in
``workflow.py``. Every row that lives somewhere carries ``area_code`` (the committee's village), so scoping
and roll-ups are one prefix query.

Integrity (issue: "a recorded opinion, vote or signature is never edited in place"): :class:`Opinion`,
:class:`Ballot`, :class:`Signature`, :class:`Tally`, :class:`ProgressEntry` and :class:`TopicEvent` are
append-only — ``save()`` refuses to update, ``delete()`` refuses, and database triggers (migration 0002)
refuse UPDATE and DELETE underneath the ORM. A correction is a new row pointing at the one it corrects.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

_PATTERN = ["varchar_pattern_ops"]  # prefix (LIKE 'x%') scans on PostgreSQL in any collation


class AppendOnlyError(PermissionError):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} rows are never edited; record a correction instead")

    def delete(self):
        """Only the records of synthetic demo topics may be deleted (so that the demo can be removed)."""
        if self.filter(topic__is_synthetic=False).exists():
            raise AppendOnlyError(f"{self.model._meta.label} rows are never deleted")
        return super().delete()


class AppendOnly(models.Model):
    """A record that is written once: corrections are new rows."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError(f"{self._meta.label} rows are never edited; record a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} rows are never deleted")


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
    process = models.CharField(_("process"), max_length=16, choices=ProcessKey.choices)
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
        indexes = [models.Index(fields=["area_code"], name="committee_area", opclasses=_PATTERN)]
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


class TopicKind(models.TextChoices):
    DISPUTE_MEDIATION = "dispute_mediation", _("dispute mediation")  # 矛盾纠纷调解
    DEVELOPMENT_PROPOSAL = "development_proposal", _("development proposal")  # 发展建议
    GROUP_AFFAIRS = "group_affairs", _("village-group affairs")  # 村组事务
    RESULT_EVALUATION = "result_evaluation", _("evaluation of a result")  # 成效评议


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("under way")
    STALLED = "stalled", _("held up")
    DONE = "done", _("finished")


class Topic(models.Model):
    """A matter brought to a committee (议题). ``step`` is the key of the process step it is in (see
    ``process.py``), or ``declined`` / ``closed``; ``round`` counts the returns to an earlier step."""

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="topics", verbose_name=_("committee")
    )
    area_code = models.CharField(_("area code"), max_length=15, editable=False)
    # Copied from the committee when proposed: a later change of process never reshapes an open topic.
    process = models.CharField(_("process"), max_length=16, choices=ProcessKey.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=TopicKind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_topics",
        verbose_name=_("proposed by"),
    )
    proposer_name = models.CharField(_("proposer"), max_length=100)
    proposed_at = models.DateTimeField(_("proposed at"), db_index=True)
    step = models.CharField(pgettext_lazy("deliberation", "step"), max_length=24)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    version = models.PositiveIntegerField(_("version"), default=1)
    decline_reason = models.TextField(pgettext_lazy("topic", "reason for declining"), blank=True)
    resolution = models.ForeignKey(
        "Resolution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("current resolution"),
    )
    published_at = models.DateTimeField(_("decision published at"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("topic", "closed at"), null=True, blank=True)
    progress_status = models.CharField(
        _("progress"), max_length=16, choices=ProgressStatus.choices, default=ProgressStatus.NOT_STARTED
    )
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-proposed_at", "-id"]
        indexes = [
            models.Index(fields=["area_code"], name="topic_area", opclasses=_PATTERN),
            models.Index(fields=["committee", "step", "-proposed_at"], name="topic_committee_step"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="topic_progress_at_most_100"),
        ]

    def __str__(self):
        return self.title


class Channel(models.TextChoices):
    WEB = "web", _("web page")
    API = "api", _("app / API")
    DEMO = "demo", _("demo generator")


class Stance(models.TextChoices):
    SUPPORT = "support", _("support")  # 赞成
    OPPOSE = "oppose", _("oppose")  # 反对
    RESERVE = "reserve", _("with reservations")  # 保留意见


class Opinion(AppendOnly):
    """One member's opinion on a topic in one step of one round. A correction is a new row whose
    ``corrects`` points at the one it replaces; the member's current opinion is their latest row."""

    topic = models.ForeignKey(
        "Topic", on_delete=models.PROTECT, related_name="opinions", verbose_name=_("topic")
    )
    area_code = models.CharField(max_length=15, editable=False)
    step = models.CharField(pgettext_lazy("deliberation", "step"), max_length=24)
    round = models.PositiveSmallIntegerField(_("round"))
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="opinions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(pgettext_lazy("committee", "member"), max_length=100)
    stance = models.CharField(_("stance"), max_length=16, choices=Stance.choices)
    text = models.TextField(_("opinion"))
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    channel = models.CharField(_("from"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["topic", "round", "step"], name="opinion_topic_round")]


class ResolutionStatus(models.TextChoices):
    VOTING = "voting", _("being voted on")
    PASSED = "passed", _("passed")
    FAILED = "failed", _("not passed")
    RETURNED = "returned", _("returned by a refusal to sign")
    WITHDRAWN = "withdrawn", pgettext_lazy("resolution", "withdrawn")


class VoteMethod(models.TextChoices):
    BALLOT = "ballot", _("members' ballots")
    TALLY = "tally", _("meeting count")


class Resolution(models.Model):
    """The text put to a vote in a vote step, with the count once the vote closed. The text is never
    edited: a changed text is a new resolution (after a failed vote or a refusal, in a new round)."""

    topic = models.ForeignKey(
        "Topic", on_delete=models.PROTECT, related_name="resolutions", verbose_name=_("topic")
    )
    area_code = models.CharField(max_length=15, editable=False)
    step = models.CharField(pgettext_lazy("deliberation", "step"), max_length=24)
    round = models.PositiveSmallIntegerField(_("round"))
    text = models.TextField(_("resolution"))
    method = models.CharField(_("voted by"), max_length=8, choices=VoteMethod.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ResolutionStatus.choices, default=ResolutionStatus.VOTING
    )
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_by_name = models.CharField(_("drafted by"), max_length=100)
    drafted_at = models.DateTimeField(_("drafted at"))
    meeting = models.ForeignKey(
        "Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
        verbose_name=_("decided at meeting"),
    )
    # The count, written when the vote closes.
    expected = models.PositiveIntegerField(_("entitled to vote"), null=True, blank=True)
    present = models.PositiveIntegerField(_("present"), null=True, blank=True)
    agree = models.PositiveIntegerField(_("agree"), null=True, blank=True)
    disagree = models.PositiveIntegerField(_("disagree"), null=True, blank=True)
    abstain = models.PositiveIntegerField(_("abstain"), null=True, blank=True)
    closed_at = models.DateTimeField(_("vote closed at"), null=True, blank=True)
    # Set when every required signature is in (sign steps).
    signed_at = models.DateTimeField(_("signed by every member at"), null=True, blank=True)

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["drafted_at", "id"]
        indexes = [models.Index(fields=["topic", "round", "step"], name="resolution_topic_round")]

    def __str__(self):
        return self.text[:60]


class Choice(models.TextChoices):
    AGREE = "agree", _("agree")  # 同意
    DISAGREE = "disagree", _("disagree")  # 不同意
    ABSTAIN = "abstain", _("abstain")  # 弃权


class Ballot(AppendOnly):
    """One member's vote on a resolution. Voting again while the vote is open is a correction: a new row
    pointing at the previous one; the latest row counts."""

    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="ballots")
    topic = models.ForeignKey("Topic", on_delete=models.PROTECT, related_name="ballots")
    area_code = models.CharField(max_length=15, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="ballots")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    voter_name = models.CharField(pgettext_lazy("committee", "member"), max_length=100)
    choice = models.CharField(_("vote"), max_length=8, choices=Choice.choices)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    channel = models.CharField(_("from"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["recorded_at", "id"]


class Tally(AppendOnly):
    """The count of a meeting whose voters are not members here (the party members' meeting of 四议两公开),
    recorded by an acting member with the photo of the paper sign-in sheet."""

    resolution = models.OneToOneField(Resolution, on_delete=models.PROTECT, related_name="tally")
    topic = models.ForeignKey("Topic", on_delete=models.PROTECT, related_name="tallies")
    area_code = models.CharField(max_length=15, editable=False)
    body = models.CharField(_("meeting of"), max_length=100)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    expected = models.PositiveIntegerField(_("entitled to attend"))
    present = models.PositiveIntegerField(_("present"))
    agree = models.PositiveIntegerField(_("agree"))
    disagree = models.PositiveIntegerField(_("disagree"))
    abstain = models.PositiveIntegerField(_("abstain"))
    sign_in_sheet = models.FileField(_("photo of the sign-in sheet"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_name = models.CharField(_("recorded by"), max_length=100)
    channel = models.CharField(_("from"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("meeting count")
        verbose_name_plural = _("meeting counts")
        constraints = [
            models.CheckConstraint(
                condition=Q(present__lte=models.F("expected")), name="tally_present_le_expected"
            ),
            models.CheckConstraint(
                condition=Q(agree__lte=models.F("present") - models.F("disagree") - models.F("abstain")),
                name="tally_votes_le_present",
            ),
        ]


class SignatureDecision(models.TextChoices):
    SIGNED = "signed", _("signed")  # 签字
    REFUSED = "refused", _("refused to sign")  # 拒签


class Signature(AppendOnly):
    """A member's signature on a resolution, or their refusal with its reason: who, when, and from which
    account (the login, the channel, the address and the browser or app). One per member per resolution;
    it is never corrected — a refusal returns the topic and a new resolution is signed afresh."""

    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="signatures")
    topic = models.ForeignKey("Topic", on_delete=models.PROTECT, related_name="signatures")
    area_code = models.CharField(max_length=15, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(pgettext_lazy("committee", "member"), max_length=100)
    signer_username = models.CharField(_("account"), max_length=150)
    decision = models.CharField(_("decision"), max_length=8, choices=SignatureDecision.choices)
    reason = models.TextField(_("reason for refusing"), blank=True)
    channel = models.CharField(_("from"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser or app"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("signed at"))

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resolution", "membership"], name="signature_once_per_member"),
            models.CheckConstraint(
                condition=Q(decision="signed") | ~Q(reason=""), name="signature_refusal_has_reason"
            ),
        ]


class ProgressEntry(AppendOnly):
    """One entry of a decision's implementation: status, per cent done, what happened."""

    topic = models.ForeignKey("Topic", on_delete=models.PROTECT, related_name="progress_entries")
    area_code = models.CharField(max_length=15, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=ProgressStatus.choices)
    percent = models.PositiveSmallIntegerField(_("done (%)"))
    note = models.TextField(_("what happened"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_name = models.CharField(_("recorded by"), max_length=100)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("progress entry")
        verbose_name_plural = _("progress entries")
        ordering = ["recorded_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="progress_at_most_100")]


class EventKind(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    PUT_ON_AGENDA = "put_on_agenda", _("put on the agenda")
    DECLINED = "declined", pgettext_lazy("topic", "declined")
    OPINION = "opinion", _("opinion recorded")
    OPINION_CORRECTED = "opinion_corrected", _("opinion corrected")
    RESOLUTION_DRAFTED = "resolution_drafted", _("resolution put to the vote")
    BALLOT = "ballot", _("vote cast")
    BALLOT_CORRECTED = "ballot_corrected", _("vote corrected")
    VOTE_PASSED = "vote_passed", _("vote passed")
    VOTE_FAILED = "vote_failed", _("vote did not pass")
    TALLY = "tally", _("meeting count recorded")
    SIGNED = "signed", _("signed")
    REFUSED = "refused", _("refused to sign")
    STEP_CLOSED = "step_closed", _("step completed")
    RETURNED = "returned", _("returned to an earlier step")
    PUBLISHED = "published", _("made public")
    PROGRESS = "progress", _("progress recorded")
    CLOSED = "closed", pgettext_lazy("topic", "closed")
    LINKED = "linked", _("linked")
    MEETING = "meeting", _("on a meeting's agenda")


class TopicEvent(AppendOnly):
    """One line of a topic's public timeline ("ten eyes"): who did what, when, in which step and round,
    and the step it led to. Written in the same transaction as the record it reports."""

    topic = models.ForeignKey(
        "Topic", on_delete=models.PROTECT, related_name="events", verbose_name=_("topic")
    )
    area_code = models.CharField(max_length=15, editable=False)
    kind = models.CharField(_("what"), max_length=24, choices=EventKind.choices)
    step = models.CharField(pgettext_lazy("deliberation", "step"), max_length=24, blank=True)
    to_step = models.CharField(_("led to"), max_length=24, blank=True)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=100, blank=True)
    text = models.TextField(_("text"), blank=True)
    # What the row reports: {"opinion": id, "stance": ..., "choice": ..., "counts": {...}, ...}.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("topic event")
        verbose_name_plural = _("topic events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["topic", "at"], name="topic_event_timeline")]


class Comment(models.Model):
    """A resident's comment on a topic. Staff may hide one with a reason; the placeholder stays visible."""

    # Not stored: the author's name as the reader may see it (masked unless full names are shown), set by
    # the selectors and the API on the comments they return.
    shown_name: str

    topic = models.ForeignKey("Topic", on_delete=models.CASCADE, related_name="comments")
    area_code = models.CharField(max_length=15, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    author_name = models.CharField(_("by"), max_length=100)
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("at"))
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(_("why hidden"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]


class Follow(models.Model):
    topic = models.ForeignKey("Topic", on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_topics"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="follow_once")]


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")  # 满意
    BASICALLY = "basically", _("basically satisfied")  # 基本满意
    UNSATISFIED = "unsatisfied", _("unsatisfied")  # 不满意


class TopicRating(models.Model):
    """A resident's evaluation of a carried-out decision ("work results evaluated by all"): one per resident."""

    topic = models.ForeignKey("Topic", on_delete=models.PROTECT, related_name="ratings")
    area_code = models.CharField(max_length=15, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["area_code"], name="rating_area", opclasses=_PATTERN)]
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="rating_once_per_resident")]


class LinkKind(models.TextChoices):
    CASE = "case", _("case")
    NOTICE = "notice", _("notice")


class TopicLink(models.Model):
    """A case or a notice the topic concerns. Kept generic (kind, id, title, address) so that notices,
    which live in a later app, can be linked without this app importing it."""

    topic = models.ForeignKey("Topic", on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=8, choices=LinkKind.choices)
    target_id = models.CharField(pgettext_lazy("reference", "number"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    url = models.CharField(_("web address"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["topic", "kind", "target_id"], name="topic_link_once")]


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class Meeting(models.Model):
    """A meeting of a committee: when, where, its agenda of topics, who was expected and who came (each
    member signs in from their own account, or the paper sign-in sheet is photographed), the minutes, and
    the decisions taken at it. An offline meeting is recorded afterwards with the photo."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    area_code = models.CharField(max_length=15, editable=False)
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    recorded_offline = models.BooleanField(_("recorded afterwards from paper"), default=False)
    minutes = models.TextField(_("minutes"), blank=True)
    sign_in_sheet = models.FileField(_("photo of the sign-in sheet"), max_length=200, blank=True)
    topics = models.ManyToManyField("Topic", through="MeetingItem", related_name="meetings")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    held_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_recorded_at = models.DateTimeField(_("minutes recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["area_code"], name="meeting_area", opclasses=_PATTERN)]

    def __str__(self):
        return self.title


class MeetingItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    topic = models.ForeignKey("Topic", on_delete=models.PROTECT, related_name="meeting_items")
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "topic"], name="meeting_item_once")]


class Attendance(models.Model):
    """Who was expected at a meeting and who came. ``signed_at`` is the member's own sign-in from their
    account; ``marked_by`` is whoever marked a member present from the paper sheet afterwards."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="attendance")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    present = models.BooleanField(_("present"), default=False)
    signed_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    signed_channel = models.CharField(_("from"), max_length=8, choices=Channel.choices, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["membership__seat", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="attendance_once")]
