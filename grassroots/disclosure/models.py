"""Disclosure (村务公开): boards, their catalogue, notices and their hash-chained versions, objections.

A notice is drafted (``draft`` holds its content), then published: every published content is a
:class:`NoticeVersion` that is never edited; a correction appends a version with a reason. Each version stores
the sha256 of its canonical content and the hash of the version before it (``chain.py`` computes both).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.appendonly import AppendOnlyModel
from grassroots.masking import NameStyle


class Section(models.TextChoices):
    PARTY = "party", _("party affairs")  # 党务
    VILLAGE = "village", _("village affairs")  # 村务
    FINANCE = "finance", _("finance")  # 财务


class Frequency(models.TextChoices):
    """How often a catalogue item must be published (Organic Law of Villagers' Committees, art. 30)."""

    MONTHLY = "monthly", _("monthly")  # finance where transactions are many
    QUARTERLY = "quarterly", _("at least quarterly")  # ordinary matters
    AT_ONCE = "at_once", _("at once when it happens")  # major matters


class NoticeKind(models.TextChoices):
    TEXT = "text", _("text notice")  # 公告
    SUBSIDY = "subsidy", _("subsidy payments")  # 补贴发放
    ALLOWANCE = "allowance", _("minimum-allowance changes")  # 低保调整
    RELIEF = "relief", _("relief payments")  # 救助发放
    WATER_FEE = "water_fee", _("water-fee collection")  # 水费收取
    FINANCE = "finance", _("finance statement")  # 财务收支


ROSTER_KINDS = (NoticeKind.SUBSIDY, NoticeKind.ALLOWANCE, NoticeKind.RELIEF, NoticeKind.WATER_FEE)


class NoticeState(models.TextChoices):
    DRAFT = "draft", _("draft")  # being prepared, not public
    PUBLISHED = "published", _("published")  # public; within or after its window
    CONFIRMED = "confirmed", _("confirmed")  # window over, confirmed; kept on display when long-term
    WITHDRAWN = "withdrawn", _("withdrawn")  # taken down (versions stay)


class Board(models.Model):
    """A 公开栏 of a village or a village group."""

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    village_group = models.ForeignKey(
        "areas.VillageGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("village group"),
    )
    area_code = models.CharField(_("area code"), max_length=15, editable=False, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    name_style = models.CharField(
        _("names on rosters"),
        max_length=8,
        default=NameStyle.MIDDLE,
        choices=[
            (NameStyle.MIDDLE, _("middle masked (张*明)")),
            (NameStyle.SURNAME, _("surname only (张**)")),
            (NameStyle.FULL, _("whole name")),
        ],
    )
    # Bilingual boards show Mongolian (traditional script) beside the Chinese on the public page and the A4
    # sheet, as official notices in Inner Mongolia do (display.bilingual_sides).
    bilingual = models.BooleanField(_("Mongolian beside the Chinese"), default=False)
    name_mn = models.CharField(_("name in Mongolian (traditional script)"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("board")
        verbose_name_plural = _("boards")
        ordering = ["area_code", "village_group__number", "pk"]

    def __str__(self):
        return self.name


class CatalogueItem(models.Model):
    """What the board must publish and how often (公开目录)."""

    board = models.ForeignKey(
        Board, on_delete=models.CASCADE, related_name="catalogue", verbose_name=_("board")
    )
    section = models.CharField(_("section"), max_length=8, choices=Section.choices)
    title = models.CharField(_("title"), max_length=200)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    since = models.DateField(_("required since"))

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["board", "section", "pk"]

    def __str__(self):
        return self.title


class Notice(models.Model):
    # Not stored: the private columns left out of a roster notice's rows, set by the service that drafts
    # it on the notice it returns, for the page and the API to tell the writer.
    dropped_columns: list[str]

    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="notices", verbose_name=_("board")
    )
    area_code = models.CharField(_("area code"), max_length=15, editable=False, db_index=True)
    section = models.CharField(_("section"), max_length=8, choices=Section.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices)
    catalogue_item = models.ForeignKey(
        CatalogueItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=NoticeState.choices, default=NoticeState.DRAFT
    )
    draft = models.JSONField(_("draft content"), default=dict, blank=True)
    window_days = models.PositiveSmallIntegerField(_("window in working days"), default=0)
    window_starts_on = models.DateField(_("window starts"), null=True, blank=True)
    window_ends_on = models.DateField(_("window ends"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    long_term = models.BooleanField(_("kept on long-term display"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["board", "state"])]

    def __str__(self):
        return str(self.draft.get("title") or f"#{self.pk}")

    @property
    def is_roster(self) -> bool:
        return self.kind in ROSTER_KINDS


class NoticeAction(models.TextChoices):
    """What moves a notice from one state to the next (the table is ``disclosure/lifecycle.py``)."""

    PUBLISH = "publish", _("published")
    CORRECT = "correct", _("corrected")
    CONFIRM = "confirm", _("confirmed")
    WITHDRAW = "withdraw", _("withdrawn")


class NoticeEvent(AppendOnlyModel):
    """One step of a notice's life: who took it, when, from which state to which. Never edited."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=NoticeAction.choices)
    old_state = models.CharField(pgettext_lazy("state", "from"), max_length=10, choices=NoticeState.choices)
    new_state = models.CharField(_("to"), max_length=10, choices=NoticeState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("notice event")
        verbose_name_plural = _("notice events")
        ordering = ["notice", "at", "pk"]


class NoticeVersion(models.Model):
    """One published content of a notice. Written once; never updated (the chain check finds it if it is)."""

    # Not stored: the private columns left out of a correction's rows (set by the correcting service).
    dropped_columns: list[str]

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    reason = models.TextField(_("reason for the correction"), blank=True)
    created_at = models.DateTimeField(_("published at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_hash = models.CharField(_("content hash"), max_length=64)
    previous_hash = models.CharField(_("previous hash"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("notice version")
        verbose_name_plural = _("notice versions")
        ordering = ["notice", "number"]
        constraints = [models.UniqueConstraint(fields=["notice", "number"], name="notice_version_unique")]


class Attachment(models.Model):
    """A file attached to a text notice; its sha256 goes into the content that is hashed."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="disclosure/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)


class Objection(models.Model):
    """An objection (异议) raised during the window; it becomes a case; the answer is published beside it."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections")
    area_code = models.CharField(max_length=15, editable=False, db_index=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("objection"))
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raised_at = models.DateTimeField(_("raised at"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["notice", "raised_at", "pk"]
