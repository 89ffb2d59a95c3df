"""What residents and staff do beside the steps: comments, follows, ratings of a result, links to cases and notices."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.accounts.services import audit_record
from grassroots.cases.models import Case
from grassroots.cases.rules import can_view_case

from .. import rules, timeline
from ..errors import ActionNotAllowed, DeliberationError
from ..models import (
    Comment,
    EventKind,
    Follow,
    LinkKind,
    Rating,
    Topic,
    TopicLink,
    TopicRating,
)
from ..process import TERMINAL, StepKind, process_of
from .guards import required_text

# --- residents: comments, follows, ratings -----------------------------------------------------------------------


@transaction.atomic
def comment_add(*, actor: User, topic: Topic, text: str) -> Comment:
    rules.require(actor, rules.can_comment, topic.committee)
    return Comment.objects.create(
        topic=topic,
        area_code=topic.area_code,
        author=actor,
        author_name=(getattr(actor, "display_name", "") or actor.get_username())[:100],
        text=required_text(text, _("Write your comment."), limit=2000),
        created_at=clock.now(),
    )


@transaction.atomic
def comment_hide(*, actor: User, comment: Comment, reason: str) -> Comment:
    """Hide an abusive comment; the placeholder, who hid it and why stay visible."""
    rules.require(actor, rules.can_moderate, comment.topic.committee)
    if comment.hidden_at is not None:
        return comment
    comment.hidden_at = clock.now()
    comment.hidden_by = actor
    comment.hidden_reason = required_text(
        reason, _("Say why the comment is hidden: the reason is shown."), limit=200
    )
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    audit_record(
        actor=actor, action="deliberation.comment.hide", target=comment, reason=comment.hidden_reason
    )
    return comment


def topic_follow(*, actor: User, topic: Topic) -> Follow:
    rules.require(actor, rules.can_follow, topic.committee)
    follow, _created = Follow.objects.get_or_create(topic=topic, user=actor)
    return follow


def topic_unfollow(*, actor: User, topic: Topic) -> None:
    Follow.objects.filter(topic=topic, user=actor).delete()


@transaction.atomic
def topic_rate(*, actor: User, topic: Topic, rating: str, comment: str = "") -> TopicRating:
    """A resident of the area rates a carried-out decision, once."""
    topic = Topic.objects.select_related("committee").get(
        pk=topic.pk
    )  # the step as stored, not as the caller saw it
    rules.require(actor, rules.can_rate, topic.committee)
    if topic.step in TERMINAL or process_of(topic.process).step(topic.step).kind != StepKind.EVALUATE:
        raise ActionNotAllowed(
            _("Residents rate a decision once it has been carried out, during its evaluation."),
            code="not_evaluating",
        )
    if rating not in Rating.values:
        raise DeliberationError(_("Choose satisfied, basically satisfied or unsatisfied."), code="bad_rating")
    try:
        with transaction.atomic():
            return TopicRating.objects.create(
                topic=topic,
                area_code=topic.area_code,
                user=actor,
                rating=rating,
                comment=(comment or "").strip()[:2000],
                created_at=clock.now(),
            )
    except IntegrityError:
        raise ActionNotAllowed(_("You have already rated this decision."), code="already_rated") from None


# --- links ----------------------------------------------------------------------------------------------------


def _link_event(topic: Topic, actor: User, link: TopicLink) -> None:
    timeline.record(
        topic=topic,
        area_code=topic.area_code,
        kind=EventKind.LINKED,
        step=topic.step,
        round=topic.round,
        actor=actor,
        actor_name=(getattr(actor, "display_name", "") or actor.get_username())[:100],
        text=link.title,
        detail={"link": link.pk, "kind": link.kind, "target": link.target_id},
        at=link.added_at,
    )


@transaction.atomic
def topic_link_case(*, actor: User, topic: Topic, case_id: int) -> TopicLink:
    """Link a case the actor can see. The public sees its number and service type, never its text."""
    rules.require(actor, rules.can_link, topic.committee)
    case = Case.objects.select_related("category").filter(pk=case_id).first()
    if case is None or not can_view_case(actor, case):
        raise DeliberationError(_("There is no case with that number that you can see."), code="no_such_case")
    try:
        url = reverse("cases:detail", args=[case.pk])
    except NoReverseMatch:
        url = ""
    return _link(topic, actor, LinkKind.CASE, str(case.pk), f"#{case.pk} {case.category.name}", url)


@transaction.atomic
def topic_link_notice(*, actor: User, topic: Topic, notice_id: str, title: str, url: str = "") -> TopicLink:
    """Link a public notice (公告/公示) by its number, title and address."""
    rules.require(actor, rules.can_link, topic.committee)
    if url and not url.startswith("/"):
        raise DeliberationError(
            _("Link a notice of this site by its address starting with /."), code="bad_url"
        )
    return _link(
        topic,
        actor,
        LinkKind.NOTICE,
        required_text(str(notice_id), _("Give the notice's number."), limit=64),
        required_text(title, _("Give the notice's title."), limit=200),
        url,
    )


def _link(topic, actor: User, kind, target_id, title, url) -> TopicLink:
    topic = Topic.objects.get(pk=topic.pk)
    if TopicLink.objects.filter(topic=topic, kind=kind, target_id=target_id).exists():
        raise DeliberationError(_("That is already linked."), code="already_linked")
    link = TopicLink.objects.create(
        topic=topic,
        kind=kind,
        target_id=target_id,
        title=title,
        url=url,
        added_by=actor,
        added_at=clock.now(),
    )
    _link_event(topic, actor, link)
    return link
