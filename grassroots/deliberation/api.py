"""JSON API for deliberation (mounted at /api/v1/deliberation): committees and seats, topics and every step
action, timelines, comments, follows, ratings, links and meetings.

Reads of a public committee need no login (as its pages); everything else authenticates with a bearer token
or the session. Every action goes through the same services as the pages: a member acts from their own
account only (no operation takes a member's id), refusals come back as ``{code, message}`` with 403, 404
(cannot see the committee) or 409 (wrong step, stale ``version``). Texts are plain: escape them in HTML.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from grassroots.accounts.api_auth import public_auth
from grassroots.areas.models import VillageGroup
from grassroots.masking import MaskedText, number_warnings
from grassroots.paging import Paging

from . import rules, selectors, services
from .models import Channel, Comment, Membership, Opinion
from .services import DeliberationError, Origin

router = Router(tags=["deliberation"])

# Bounded numbers: a database id, a head count, a version (nothing a client sends can overflow a column).
Id = Annotated[int, Field(ge=1, le=2**53)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
Version = Annotated[int | None, Field(None, ge=0, le=2**31)]
Code = Annotated[str, Field(min_length=2, max_length=15, pattern=r"^\d+$")]


PUBLIC = public_auth()


def _origin(request) -> Origin:
    return Origin.from_request(request, Channel.API)


# --- schemas ------------------------------------------------------------------------------------------------


class SeatOut(Schema):
    seat: int | None
    role: str
    name: str | None = Field(description="empty when the seat is vacant")
    chosen_how: str | None
    started_on: dt.date | None
    term_ends_on: dt.date | None
    has_login: bool


class CommitteeOut(Schema):
    id: int
    kind: str
    name: str
    area_code: str
    village_group: str | None
    process: str
    is_public: bool
    open_topics: int | None = None


class CommitteeDetailOut(CommitteeOut):
    seats: list[SeatOut]
    steps: list[dict]


class CommitteeIn(Schema):
    kind: str
    name: str
    area_code: str
    village_group_number: Count | None = None
    process: str | None = None
    is_public: bool = True
    description: str = ""


class CommitteePatch(Schema):
    is_public: bool | None = None
    process: str | None = None


class MembershipOut(Schema):
    id: int
    seat: int | None
    role: str
    name: str
    chosen_how: str
    chosen_note: MaskedText
    started_on: dt.date
    term_ends_on: dt.date | None
    ended_on: dt.date | None
    end_reason: MaskedText


class AppointIn(Schema):
    role: str
    chosen_how: str
    started_on: dt.date
    seat: Count | None = None
    name: str = ""
    username: str = Field("", description="the member's own login: they act from it")
    chosen_note: str = ""
    term_ends_on: dt.date | None = None


class EndIn(Schema):
    ended_on: dt.date
    reason: str


class TopicOut(Schema):
    id: int
    committee_id: Id
    kind: str
    title: MaskedText
    step: str
    step_label: str
    round: int
    version: int = Field(description="send it back as version with the next action")
    proposed_at: dt.datetime
    published_at: dt.datetime | None
    closed_at: dt.datetime | None
    progress_status: str
    progress_percent: int


class LineOut(Schema):
    seat: int | None
    role: str
    name: str | None
    entry: str | None = Field(description="stance, vote or signed/refused; null while waiting")


class OutcomeOut(Schema):
    expected: int
    present: int
    agree: int
    disagree: int
    abstain: int
    quorum_needed: int
    majority_needed: int
    passed: bool


class StatusOut(Schema):
    step: str
    label: str
    kind: str
    rule: str
    need: int
    have: int
    met: bool
    lines: list[LineOut]
    resolution_id: int | None
    resolution_text: MaskedText | None
    outcome: OutcomeOut | None


class TopicDetailOut(TopicOut):
    description: MaskedText
    proposer: str = Field(description="masked unless the caller is a member or staff")
    decline_reason: MaskedText
    steps: list[dict]
    status: StatusOut | None
    available_actions: list[str] = Field(description="what the caller's own seat can do now")
    warnings: list[str] = Field(
        [],
        description="for what the caller just wrote: each phone or ID number found, shown masked to others",
    )


class ProposeIn(Schema):
    kind: str
    title: str
    description: str


class VersionIn(Schema):
    version: Version = None


class NoteIn(VersionIn):
    note: str = ""


class ReasonIn(VersionIn):
    reason: str


class OpinionIn(VersionIn):
    stance: str
    text: str


class DraftIn(VersionIn):
    text: str
    meeting_id: Id | None = None


class BallotIn(VersionIn):
    choice: str


class TallyIn(Schema):
    version: int | None = None
    text: str
    expected: int
    present: int
    agree: int
    disagree: int
    abstain: int = 0
    held_on: dt.date
    place: str = ""
    meeting_id: Id | None = None


class ProgressIn(VersionIn):
    status: str
    percent: Count
    note: str


class TopicEventOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    what: str
    who: str
    step: str
    to_step: str
    round: int
    text: MaskedText
    note: MaskedText
    badge: str


class SignatureOut(Schema):
    name: str
    decision: str
    reason: MaskedText
    at: dt.datetime
    channel: str


class ResolutionOut(Schema):
    id: int
    step: str
    round: int
    text: MaskedText
    method: str
    status: str
    expected: int | None
    present: int | None
    agree: int | None
    disagree: int | None
    abstain: int | None
    closed_at: dt.datetime | None
    signed_at: dt.datetime | None
    signatures: list[SignatureOut]


class RatingIn(Schema):
    rating: str
    comment: str = ""


class RatingSummaryOut(Schema):
    satisfied: int
    basically: int
    unsatisfied: int
    total: int
    topics: int
    satisfaction: float | None


class CommentIn(Schema):
    text: str


class CommentOut(Schema):
    id: int
    author: str
    text: MaskedText = Field(description="empty when hidden")
    created_at: dt.datetime
    hidden_reason: MaskedText
    warnings: list[str] = Field(
        [],
        description="for what the caller just wrote: each phone or ID number found, shown masked to others",
    )


class HideIn(Schema):
    reason: str


class LinkIn(Schema):
    kind: str = Field(description="case or notice")
    target_id: str
    title: str = Field("", description="notices only")
    url: str = Field("", description="notices only: an address on this site")


class LinkOut(Schema):
    id: int
    kind: str
    target_id: str
    title: MaskedText
    url: str


class MeetingIn(Schema):
    title: str
    starts_at: dt.datetime
    place: str
    topic_ids: list[Id] = []


class OfflineMeetingIn(Schema):
    title: str
    starts_at: dt.datetime
    place: str
    minutes: str
    present: list[Id] = Field([], description="membership ids of the members present")
    topic_ids: list[Id] = []


class RecordIn(Schema):
    minutes: str
    present: list[Id] = []


class AttendanceOut(Schema):
    membership_id: Id
    name: str
    present: bool
    signed_at: dt.datetime | None


class MeetingOut(Schema):
    id: int
    committee_id: Id
    title: MaskedText
    starts_at: dt.datetime
    place: MaskedText
    status: str
    recorded_offline: bool
    minutes: MaskedText
    has_sign_in_sheet: bool
    agenda: list[int]
    attendance: list[AttendanceOut]
    decisions: list[int]


# --- presenting ------------------------------------------------------------------------------------------------


def _committee_out(c) -> dict:
    return {
        "id": c.pk,
        "kind": c.kind,
        "name": c.name,
        "area_code": c.area_code,
        "village_group": c.village_group.name if c.village_group_id else None,
        "process": c.process,
        "is_public": c.is_public,
        "open_topics": getattr(c, "open_topics", None),
    }


def _committee_detail(c) -> dict:
    process = selectors.process_for(c)
    return {
        **_committee_out(c),
        "seats": [
            {
                "seat": s.seat,
                "role": s.membership.role if s.membership else "",
                "name": s.membership.name if s.membership else None,
                "chosen_how": s.membership.chosen_how if s.membership else None,
                "started_on": s.membership.started_on if s.membership else None,
                "term_ends_on": s.membership.term_ends_on if s.membership else None,
                "has_login": bool(s.membership and s.membership.user_id),
            }
            for s in selectors.seats_of(c)
        ],
        "steps": [
            {"key": s.key, "label": str(s.label), "kind": str(s.kind), "rule": s.rule.describe()}
            for s in process.steps
        ],
    }


def _topic_out(t) -> dict:
    return {
        "id": t.pk,
        "committee_id": t.committee_id,
        "kind": t.kind,
        "title": t.title,
        "step": t.step,
        "step_label": selectors.step_label(t),
        "round": t.round,
        "version": t.version,
        "proposed_at": t.proposed_at,
        "published_at": t.published_at,
        "closed_at": t.closed_at,
        "progress_status": t.progress_status,
        "progress_percent": t.progress_percent,
    }


def _status_out(status) -> dict | None:
    if status is None:
        return None
    outcome = status.outcome
    return {
        "step": status.step.key,
        "label": str(status.step.label),
        "kind": str(status.step.kind),
        "rule": status.rule_text,
        "need": status.need,
        "have": status.have,
        "met": status.met,
        "lines": [
            {
                "seat": line.seat,
                "role": line.role,
                "name": line.membership.name if line.membership else None,
                "entry": (
                    line.entry.decision
                    if hasattr(line.entry, "decision")
                    else getattr(line.entry, "choice", None) or getattr(line.entry, "stance", None)
                )
                if line.entry is not None
                else None,
            }
            for line in status.lines
        ],
        "resolution_id": status.resolution.pk if status.resolution else None,
        "resolution_text": status.resolution.text if status.resolution else None,
        "outcome": None
        if outcome is None
        else {
            "expected": outcome.expected,
            "present": outcome.present,
            "agree": outcome.agree,
            "disagree": outcome.disagree,
            "abstain": outcome.abstain,
            "quorum_needed": outcome.quorum_needed,
            "majority_needed": outcome.majority_needed,
            "passed": outcome.passed,
        },
    }


def _topic_detail(request, topic) -> dict:
    user = request.user
    topic = selectors.topic_get_for(user=user, pk=topic.pk)
    members = selectors.seated(topic.committee)
    full = rules.can_see_full_names(user, topic.committee)
    status = selectors.step_status(topic, members)
    return {
        **_topic_out(topic),
        "description": topic.description,
        "proposer": selectors.proposer_display(topic, full_names=full),
        "decline_reason": topic.decline_reason,
        "steps": [{"key": m.key, "label": m.label, "state": m.state} for m in selectors.step_marks(topic)],
        "status": _status_out(status),
        "available_actions": selectors.available_actions(user, topic, members, status) if status else [],
    }


def _topic_for(request, pk: int):
    return selectors.topic_get_for(user=request.user, pk=pk)


# --- committees and seats ----------------------------------------------------------------------------------------


@router.get("/committees", auth=PUBLIC, response=list[CommitteeOut], summary="Committees the caller can see")
def committee_list(request, page: Query[Paging], area: str = ""):
    qs = selectors.committee_list_for(user=request.user, area_code=area or None).order_by(
        "area_code", "kind", "id"
    )
    return [_committee_out(c) for c in page.window(qs)]


@router.post(
    "/committees", response={201: CommitteeDetailOut}, summary="Found a committee on a village (staff)"
)
def committee_create(request, payload: CommitteeIn):
    group = None
    if payload.village_group_number is not None:
        group = VillageGroup.objects.filter(
            village__code=payload.area_code, number=payload.village_group_number
        ).first()
        if group is None:
            raise DeliberationError(_("This village has no group with that number."), code="bad_group")
    committee = services.committee_create(
        actor=request.user,
        kind=payload.kind,
        name=payload.name,
        area_code=payload.area_code,
        village_group=group,
        process=payload.process,
        is_public=payload.is_public,
        description=payload.description,
        request=request,
    )
    return Status(201, _committee_detail(committee))


@router.get(
    "/committees/{committee_id}",
    auth=PUBLIC,
    response=CommitteeDetailOut,
    summary="A committee, its seats and its steps",
)
def committee_detail(request, committee_id: Id):
    return _committee_detail(selectors.committee_get_for(user=request.user, pk=committee_id))


@router.patch(
    "/committees/{committee_id}",
    response=CommitteeDetailOut,
    summary="Open or close it to the public; change its process",
)
def committee_update(request, committee_id: Id, payload: CommitteePatch):
    committee = selectors.committee_get_for(user=request.user, pk=committee_id)
    services.committee_update(
        actor=request.user,
        committee=committee,
        is_public=payload.is_public,
        process=payload.process,
        request=request,
    )
    return _committee_detail(committee)


@router.get(
    "/committees/{committee_id}/members",
    auth=PUBLIC,
    response=list[MembershipOut],
    summary="Membership history",
)
def membership_list(request, committee_id: Id):
    committee = selectors.committee_get_for(user=request.user, pk=committee_id)
    return list(selectors.membership_history(committee))


@router.post(
    "/committees/{committee_id}/members", response={201: MembershipOut}, summary="Seat a member (staff)"
)
def membership_appoint(request, committee_id: Id, payload: AppointIn):
    committee = selectors.committee_get_for(user=request.user, pk=committee_id)
    account = None
    if payload.username:
        account = selectors.member_login_for(
            user=request.user, committee=committee, username=payload.username
        )
    membership = services.membership_appoint(
        actor=request.user,
        committee=committee,
        role=payload.role,
        chosen_how=payload.chosen_how,
        started_on=payload.started_on,
        user=account,
        name=payload.name,
        seat=payload.seat,
        chosen_note=payload.chosen_note,
        term_ends_on=payload.term_ends_on,
        request=request,
    )
    return Status(201, membership)


@router.post("/memberships/{membership_id}/end", response=MembershipOut, summary="End a membership (staff)")
def membership_end(request, membership_id: Id, payload: EndIn):
    membership = Membership.objects.filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    selectors.committee_get_for(user=request.user, pk=membership.committee_id)
    return services.membership_end(
        actor=request.user,
        membership=membership,
        ended_on=payload.ended_on,
        reason=payload.reason,
        request=request,
    )


# --- topics ---------------------------------------------------------------------------------------------------------


@router.get(
    "/committees/{committee_id}/topics", auth=PUBLIC, response=list[TopicOut], summary="A committee's topics"
)
def topic_list(request, committee_id: Id, page: Query[Paging], state: str = ""):
    committee = selectors.committee_get_for(user=request.user, pk=committee_id)
    qs = selectors.topic_list_for_committee(committee=committee, state=state)
    return [_topic_out(t) for t in page.window(qs)]


@router.post("/committees/{committee_id}/topics", response={201: TopicDetailOut}, summary="Propose a topic")
def topic_propose(request, committee_id: Id, payload: ProposeIn):
    committee = selectors.committee_get_for(user=request.user, pk=committee_id)
    topic = services.topic_propose(
        actor=request.user, committee=committee, origin=_origin(request), **payload.dict()
    )
    warnings = number_warnings({"title": payload.title, "description": payload.description})
    return Status(201, {**_topic_detail(request, topic), "warnings": warnings})


@router.get(
    "/topics/{topic_id}",
    auth=PUBLIC,
    response=TopicDetailOut,
    summary="A topic, where it stands, what the caller can do",
)
def topic_detail(request, topic_id: Id):
    return _topic_detail(request, _topic_for(request, topic_id))


@router.get(
    "/topics/{topic_id}/timeline",
    auth=PUBLIC,
    response=list[TopicEventOut],
    summary="Every step, opinion, vote and signature",
)
def topic_timeline(request, topic_id: Id):
    topic = _topic_for(request, topic_id)
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
    topic = _topic_for(request, topic_id)
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


def _step(request, topic_id: Id, call, **kwargs):
    topic = _topic_for(request, topic_id)
    updated = call(actor=request.user, topic=topic, origin=_origin(request), **kwargs)
    warnings = number_warnings({k: v for k, v in kwargs.items() if isinstance(v, str) and k not in _CHOICES})
    return {**_topic_detail(request, updated), "warnings": warnings}


_CHOICES = {"stance", "choice", "status"}  # step inputs that are choices, not text


@router.post(
    "/topics/{topic_id}/agenda", response=TopicDetailOut, summary="Put the topic on the agenda (member)"
)
def topic_put_on_agenda(request, topic_id: Id, payload: NoteIn):
    return _step(request, topic_id, services.topic_put_on_agenda, note=payload.note, version=payload.version)


@router.post(
    "/topics/{topic_id}/decline", response=TopicDetailOut, summary="Decline with a public reason (member)"
)
def topic_decline(request, topic_id: Id, payload: ReasonIn):
    return _step(request, topic_id, services.topic_decline, reason=payload.reason, version=payload.version)


@router.post(
    "/topics/{topic_id}/opinions", response=TopicDetailOut, summary="Record one's own opinion (member)"
)
def opinion_record(request, topic_id: Id, payload: OpinionIn):
    return _step(
        request,
        topic_id,
        services.opinion_record,
        stance=payload.stance,
        text=payload.text,
        version=payload.version,
    )


@router.post(
    "/opinions/{opinion_id}/corrections",
    response=TopicDetailOut,
    summary="Correct one's own opinion: a new entry; the old one stays",
)
def opinion_correct(request, opinion_id: Id, payload: OpinionIn):
    opinion = Opinion.objects.select_related("topic").filter(pk=opinion_id).first()
    if opinion is None:
        raise Http404
    _topic_for(request, opinion.topic_id)
    topic = services.opinion_correct(
        actor=request.user,
        opinion=opinion,
        stance=payload.stance,
        text=payload.text,
        version=payload.version,
        origin=_origin(request),
    )
    return {**_topic_detail(request, topic), "warnings": number_warnings({"text": payload.text})}


@router.post(
    "/topics/{topic_id}/resolutions", response=TopicDetailOut, summary="Put a resolution to the vote (member)"
)
def resolution_draft(request, topic_id: Id, payload: DraftIn):
    meeting = selectors.meeting_of_topic(topic=_topic_for(request, topic_id), meeting_id=payload.meeting_id)
    return _step(
        request,
        topic_id,
        services.resolution_draft,
        text=payload.text,
        meeting=meeting,
        version=payload.version,
    )


@router.post(
    "/topics/{topic_id}/ballots",
    response=TopicDetailOut,
    summary="Vote; voting again while open is a correction",
)
def ballot_cast(request, topic_id: Id, payload: BallotIn):
    return _step(request, topic_id, services.ballot_cast, choice=payload.choice, version=payload.version)


@router.post(
    "/topics/{topic_id}/vote/close",
    response=TopicDetailOut,
    summary="Close the vote once the quorum is present",
)
def vote_close(request, topic_id: Id, payload: VersionIn):
    return _step(request, topic_id, services.vote_close, version=payload.version)


@router.post(
    "/topics/{topic_id}/tallies",
    response=TopicDetailOut,
    summary="Record the count of a meeting (party members' review), with the photo of its sign-in sheet",
)
def tally_record(request, topic_id: Id, payload: Form[TallyIn], sign_in_sheet: File[UploadedFile] = None):
    data = payload.dict()
    meeting = selectors.meeting_of_topic(
        topic=_topic_for(request, topic_id), meeting_id=data.pop("meeting_id")
    )
    return _step(
        request, topic_id, services.tally_record, sign_in_sheet=sign_in_sheet, meeting=meeting, **data
    )


@router.post(
    "/topics/{topic_id}/signatures", response=TopicDetailOut, summary="Sign the resolution, as oneself"
)
def signature_sign(request, topic_id: Id, payload: VersionIn):
    return _step(request, topic_id, services.signature_sign, version=payload.version)


@router.post(
    "/topics/{topic_id}/refusals", response=TopicDetailOut, summary="Refuse to sign, with a public reason"
)
def signature_refuse(request, topic_id: Id, payload: ReasonIn):
    return _step(request, topic_id, services.signature_refuse, reason=payload.reason, version=payload.version)


@router.post(
    "/topics/{topic_id}/publish", response=TopicDetailOut, summary="Make the decision (or the result) public"
)
def decision_publish(request, topic_id: Id, payload: NoteIn):
    return _step(request, topic_id, services.decision_publish, note=payload.note, version=payload.version)


@router.post(
    "/topics/{topic_id}/progress", response=TopicDetailOut, summary="Record the progress of carrying it out"
)
def progress_record(request, topic_id: Id, payload: ProgressIn):
    return _step(
        request,
        topic_id,
        services.progress_record,
        status=payload.status,
        percent=payload.percent,
        note=payload.note,
        version=payload.version,
    )


@router.post(
    "/topics/{topic_id}/close", response=TopicDetailOut, summary="Close the topic after its evaluation"
)
def topic_close(request, topic_id: Id, payload: NoteIn):
    return _step(request, topic_id, services.topic_close, note=payload.note, version=payload.version)


# --- residents ----------------------------------------------------------------------------------------------------


@router.get(
    "/topics/{topic_id}/ratings",
    auth=PUBLIC,
    response=RatingSummaryOut,
    summary="Residents' ratings of the result",
)
def topic_ratings(request, topic_id: Id):
    summary = selectors.rating_summary_for_topic(_topic_for(request, topic_id))
    summary.topics = 1 if summary.total else 0
    return _summary_out(summary)


def _summary_out(summary) -> dict:
    return {
        "satisfied": summary.satisfied,
        "basically": summary.basically,
        "unsatisfied": summary.unsatisfied,
        "total": summary.total,
        "topics": summary.topics,
        "satisfaction": summary.satisfaction,
    }


@router.post(
    "/topics/{topic_id}/ratings",
    response={201: RatingSummaryOut},
    summary="Rate the result (resident of the area)",
)
def topic_rate(request, topic_id: Id, payload: RatingIn):
    topic = _topic_for(request, topic_id)
    services.topic_rate(actor=request.user, topic=topic, rating=payload.rating, comment=payload.comment)
    return Status(201, _summary_out(selectors.rating_summary_for_topic(topic)))


@router.get(
    "/areas/{code}/ratings", auth=PUBLIC, response=RatingSummaryOut, summary="Ratings rolled up for an area"
)
def area_ratings(request, code: Code):
    return _summary_out(selectors.rating_rollup_for(user=request.user, area_code=code))


def _comment_out(comment) -> dict:
    return {
        "id": comment.pk,
        "author": comment.shown_name,
        "text": "" if comment.hidden_at else comment.text,
        "created_at": comment.created_at,
        "hidden_reason": comment.hidden_reason,
    }


@router.get(
    "/topics/{topic_id}/comments", auth=PUBLIC, response=list[CommentOut], summary="Residents' comments"
)
def comment_list(request, topic_id: Id):
    topic = _topic_for(request, topic_id)
    full = rules.can_see_full_names(request.user, topic.committee)
    return [_comment_out(c) for c in selectors.comments_of(topic, full_names=full)]


@router.post(
    "/topics/{topic_id}/comments", response={201: CommentOut}, summary="Comment (resident of the area)"
)
def comment_add(request, topic_id: Id, payload: CommentIn):
    topic = _topic_for(request, topic_id)
    comment = services.comment_add(actor=request.user, topic=topic, text=payload.text)
    comment.shown_name = comment.author_name
    return Status(201, {**_comment_out(comment), "warnings": number_warnings({"text": payload.text})})


@router.post(
    "/comments/{comment_id}/hide", response=CommentOut, summary="Hide a comment with a reason (staff)"
)
def comment_hide(request, comment_id: Id, payload: HideIn):
    comment = Comment.objects.select_related("topic__committee").filter(pk=comment_id).first()
    if comment is None:
        raise Http404
    _topic_for(request, comment.topic_id)
    comment = services.comment_hide(actor=request.user, comment=comment, reason=payload.reason)
    comment.shown_name = comment.author_name
    return _comment_out(comment)


@router.post(
    "/topics/{topic_id}/follow", response={204: None}, summary="Follow a topic: be told of every step"
)
def topic_follow(request, topic_id: Id):
    services.topic_follow(actor=request.user, topic=_topic_for(request, topic_id))
    return Status(204, None)


@router.delete("/topics/{topic_id}/follow", response={204: None}, summary="Stop following a topic")
def topic_unfollow(request, topic_id: Id):
    services.topic_unfollow(actor=request.user, topic=_topic_for(request, topic_id))
    return Status(204, None)


@router.post(
    "/topics/{topic_id}/links", response={201: LinkOut}, summary="Link a case or a notice (member or staff)"
)
def topic_link(request, topic_id: Id, payload: LinkIn):
    topic = _topic_for(request, topic_id)
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


# --- meetings --------------------------------------------------------------------------------------------------------


def _meeting_out(meeting) -> dict:
    return {
        "id": meeting.pk,
        "committee_id": meeting.committee_id,
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "status": meeting.status,
        "recorded_offline": meeting.recorded_offline,
        "minutes": meeting.minutes,
        "has_sign_in_sheet": bool(meeting.sign_in_sheet),
        "agenda": [t.pk for t in selectors.meeting_agenda(meeting)],
        "attendance": [
            {"membership_id": a.membership_id, "name": a.name, "present": a.present, "signed_at": a.signed_at}
            for a in selectors.meeting_attendance(meeting)
        ],
        "decisions": [r.pk for r in selectors.meeting_decisions(meeting)],
    }


@router.post(
    "/committees/{committee_id}/meetings",
    response={201: MeetingOut},
    summary="Call a meeting (member or staff)",
)
def meeting_schedule(request, committee_id: Id, payload: MeetingIn):
    committee = selectors.committee_get_for(user=request.user, pk=committee_id)
    meeting = services.meeting_schedule(actor=request.user, committee=committee, **payload.dict())
    return Status(201, _meeting_out(meeting))


@router.post(
    "/committees/{committee_id}/meetings/offline",
    response={201: MeetingOut},
    summary="Record a paper meeting afterwards, with the photo of its sign-in sheet",
)
def meeting_record_offline(
    request, committee_id: Id, payload: Form[OfflineMeetingIn], sign_in_sheet: File[UploadedFile]
):
    committee = selectors.committee_get_for(user=request.user, pk=committee_id)
    meeting = services.meeting_record_offline(
        actor=request.user, committee=committee, sign_in_sheet=sign_in_sheet, **payload.dict()
    )
    return Status(201, _meeting_out(meeting))


@router.get(
    "/meetings/{meeting_id}",
    auth=PUBLIC,
    response=MeetingOut,
    summary="A meeting: agenda, attendance, decisions",
)
def meeting_detail(request, meeting_id: Id):
    return _meeting_out(selectors.meeting_get_for(user=request.user, pk=meeting_id))


@router.post(
    "/meetings/{meeting_id}/sign-in", response=MeetingOut, summary="Sign in to a meeting, as oneself"
)
def meeting_sign_in(request, meeting_id: Id):
    meeting = selectors.meeting_get_for(user=request.user, pk=meeting_id)
    services.meeting_sign_in(actor=request.user, meeting=meeting, origin=_origin(request))
    return _meeting_out(meeting)


@router.post("/meetings/{meeting_id}/record", response=MeetingOut, summary="Record the minutes and who came")
def meeting_record(
    request, meeting_id: Id, payload: Form[RecordIn], sign_in_sheet: File[UploadedFile] = None
):
    meeting = selectors.meeting_get_for(user=request.user, pk=meeting_id)
    meeting = services.meeting_record(
        actor=request.user,
        meeting=meeting,
        minutes=payload.minutes,
        present=payload.present,
        sign_in_sheet=sign_in_sheet,
    )
    return _meeting_out(meeting)
