"""Topics: listing, proposing, reading one, its timeline and its resolutions (its actions: ``actions.py``)."""

from __future__ import annotations

from ninja import Query, Status

from grassroots.masking import number_warnings
from grassroots.paging import Paging

from .. import rules, selectors, services
from ..actions import Id
from .answers import PUBLIC, origin_of, topic_answer, topic_detail_answer, topic_for
from .router import router
from .schemas import ProposeIn, ResolutionOut, TopicDetailOut, TopicEventOut, TopicOut

# --- topics ---------------------------------------------------------------------------------------------------------


@router.get(
    "/committees/{committee_id}/topics", auth=PUBLIC, response=list[TopicOut], summary="A committee's topics"
)
def topic_list(request, committee_id: Id, page: Query[Paging], state: str = ""):
    committee = selectors.committee_get_for(user=request.user, pk=committee_id)
    qs = selectors.topic_list_for_committee(committee=committee, state=state)
    return [topic_answer(t) for t in page.window(qs)]


@router.post("/committees/{committee_id}/topics", response={201: TopicDetailOut}, summary="Propose a topic")
def topic_propose(request, committee_id: Id, payload: ProposeIn):
    committee = selectors.committee_get_for(user=request.user, pk=committee_id)
    topic = services.topic_propose(
        actor=request.user, committee=committee, origin=origin_of(request), **payload.dict()
    )
    warnings = number_warnings({"title": payload.title, "description": payload.description})
    return Status(201, {**topic_detail_answer(request, topic), "warnings": warnings})


@router.get(
    "/topics/{topic_id}",
    auth=PUBLIC,
    response=TopicDetailOut,
    summary="A topic, where it stands, what the caller can do",
)
def topic_detail(request, topic_id: Id):
    return topic_detail_answer(request, topic_for(request, topic_id))


@router.get(
    "/topics/{topic_id}/timeline",
    auth=PUBLIC,
    response=list[TopicEventOut],
    summary="Every step, opinion, vote and signature",
)
def topic_timeline(request, topic_id: Id):
    topic = topic_for(request, topic_id)
    rows = selectors.timeline_for(topic, full_names=rules.can_see_full_names(request.user, topic.committee))
    return [
        {
            "id": r.event.pk,
            "at": r.event.at,
            "kind": r.event.kind,
            "what": r.what,
            "who": r.who,
            "step": r.event.step,
            "to_step": r.event.to_step,
            "round": r.event.round,
            "text": r.text,
            "note": r.note,
            "badge": r.badge,
        }
        for r in rows
    ]


@router.get(
    "/topics/{topic_id}/resolutions",
    auth=PUBLIC,
    response=list[ResolutionOut],
    summary="Resolutions, counts and signatures",
)
def topic_resolutions(request, topic_id: Id):
    topic = topic_for(request, topic_id)
    return [
        {
            **{
                f: getattr(r, f)
                for f in (
                    "id",
                    "step",
                    "round",
                    "text",
                    "method",
                    "status",
                    "expected",
                    "present",
                    "agree",
                    "disagree",
                    "abstain",
                    "closed_at",
                    "signed_at",
                )
            },
            "signatures": [
                {
                    "name": s.signer_name,
                    "decision": s.decision,
                    "reason": s.reason,
                    "at": s.recorded_at,
                    "channel": s.channel,
                }
                for s in r.signatures.all()
            ],
        }
        for r in selectors.resolutions_of(topic)
    ]
