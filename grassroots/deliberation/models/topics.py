"""Topics, and what residents add beside the steps: comments, follows, ratings, links."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .committees import PATTERN_OPS, Committee, ProcessKey


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
            models.Index(fields=["area_code"], name="topic_area", opclasses=PATTERN_OPS),
            models.Index(fields=["committee", "step", "-proposed_at"], name="topic_committee_step"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="topic_progress_at_most_100"),
        ]

    def __str__(self):
        return self.title


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
        indexes = [models.Index(fields=["area_code"], name="rating_area", opclasses=PATTERN_OPS)]
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
