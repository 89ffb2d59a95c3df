"""Residents beside the steps: ratings, comments, follows; links to cases and notices."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja import Status

from grassroots.masking import number_warnings

from .. import rules, selectors, services
from ..actions import Id
from ..errors import DeliberationError
from .answers import PUBLIC, comment_answer, summary_answer, topic_for
from .router import router
from .schemas import Code, CommentIn, CommentOut, HideIn, LinkIn, LinkOut, RatingIn, RatingSummaryOut

# --- residents ----------------------------------------------------------------------------------------------------


@router.get(
    "/topics/{topic_id}/ratings",
    auth=PUBLIC,
    response=RatingSummaryOut,
    summary="Residents' ratings of the result",
)
def topic_ratings(request, topic_id: Id):
    summary = selectors.rating_summary_for_topic(topic_for(request, topic_id))
    summary.topics = 1 if summary.total else 0
    return summary_answer(summary)


@router.post(
    "/topics/{topic_id}/ratings",
    response={201: RatingSummaryOut},
    summary="Rate the result (resident of the area)",
)
def topic_rate(request, topic_id: Id, payload: RatingIn):
    topic = topic_for(request, topic_id)
    services.topic_rate(actor=request.user, topic=topic, rating=payload.rating, comment=payload.comment)
    return Status(201, summary_answer(selectors.rating_summary_for_topic(topic)))


@router.get(
    "/areas/{code}/ratings", auth=PUBLIC, response=RatingSummaryOut, summary="Ratings rolled up for an area"
)
def area_ratings(request, code: Code):
    return summary_answer(selectors.rating_rollup_for(user=request.user, area_code=code))


@router.get(
    "/topics/{topic_id}/comments", auth=PUBLIC, response=list[CommentOut], summary="Residents' comments"
)
def comment_list(request, topic_id: Id):
    topic = topic_for(request, topic_id)
    full = rules.can_see_full_names(request.user, topic.committee)
    return [comment_answer(c) for c in selectors.comments_of(topic, full_names=full)]


@router.post(
    "/topics/{topic_id}/comments", response={201: CommentOut}, summary="Comment (resident of the area)"
)
def comment_add(request, topic_id: Id, payload: CommentIn):
    topic = topic_for(request, topic_id)
    comment = services.comment_add(actor=request.user, topic=topic, text=payload.text)
    comment.shown_name = comment.author_name
    return Status(201, {**comment_answer(comment), "warnings": number_warnings({"text": payload.text})})


@router.post(
    "/comments/{comment_id}/hide", response=CommentOut, summary="Hide a comment with a reason (staff)"
)
def comment_hide(request, comment_id: Id, payload: HideIn):
    comment = selectors.comment_get_for(user=request.user, pk=comment_id)
    comment = services.comment_hide(actor=request.user, comment=comment, reason=payload.reason)
    comment.shown_name = comment.author_name
    return comment_answer(comment)


@router.post(
    "/topics/{topic_id}/follow", response={204: None}, summary="Follow a topic: be told of every step"
)
def topic_follow(request, topic_id: Id):
    services.topic_follow(actor=request.user, topic=topic_for(request, topic_id))
    return Status(204, None)


@router.delete("/topics/{topic_id}/follow", response={204: None}, summary="Stop following a topic")
def topic_unfollow(request, topic_id: Id):
    services.topic_unfollow(actor=request.user, topic=topic_for(request, topic_id))
    return Status(204, None)


@router.post(
    "/topics/{topic_id}/links", response={201: LinkOut}, summary="Link a case or a notice (member or staff)"
)
def topic_link(request, topic_id: Id, payload: LinkIn):
    topic = topic_for(request, topic_id)
    if payload.kind == "case":
        if not payload.target_id.isdigit() or len(payload.target_id) > 15:
            raise DeliberationError(_("A case number is a number."), code="bad_case")
        link = services.topic_link_case(actor=request.user, topic=topic, case_id=int(payload.target_id))
    elif payload.kind == "notice":
        link = services.topic_link_notice(
            actor=request.user, topic=topic, notice_id=payload.target_id, title=payload.title, url=payload.url
        )
    else:
        raise DeliberationError(_("Link a case or a notice."), code="bad_link_kind")
    return Status(
        201,
        {"id": link.pk, "kind": link.kind, "target_id": link.target_id, "title": link.title, "url": link.url},
    )
