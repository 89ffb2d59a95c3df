"""What a deliberation leaves behind: opinions, resolutions, ballots, counts, signatures, progress and
the timeline. Append-only but for a resolution's status and count (see the package's docstring)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.appendonly import AppendOnlyModel, AppendOnlyQuerySet
from grassroots.messages import Message

from .committees import Membership
from .topics import ProgressStatus


class RecordQuerySet(AppendOnlyQuerySet):
    def delete(self):
        """Only the records of synthetic demo topics may be deleted (so that the demo can be removed)."""
        if self.filter(topic__is_synthetic=False).exists():
            return super().delete()  # AppendOnlyQuerySet refuses
        return models.QuerySet.delete(self)


class AppendOnly(AppendOnlyModel):
    """A record that is written once: corrections are new rows (``grassroots/appendonly.py``), and the
    records of synthetic demo topics may go with the demo."""

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True


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
    # What the system said (a rule that closed a step ...), as a message worded in the reader's language
    # (shown_text); ``text`` then keeps it in the site's language. Empty for what a person wrote.
    message_data = models.JSONField(default=dict, blank=True, editable=False)
    # What the row reports: {"opinion": id, "stance": ..., "choice": ..., "counts": {...}, ...}.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("topic event")
        verbose_name_plural = _("topic events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["topic", "at"], name="topic_event_timeline")]

    @property
    def shown_text(self) -> str:
        """The row's text in the reader's language where the system wrote it (as stored otherwise)."""
        return Message.from_data(self.message_data).text() if self.message_data else self.text
