"""Committees and their seats."""

from __future__ import annotations

from ninja import Query, Status

from grassroots.paging import Paging

from .. import selectors, services
from ..actions import Id
from .answers import PUBLIC, committee_answer, committee_detail_answer
from .router import router
from .schemas import (
    AppointIn,
    CommitteeDetailOut,
    CommitteeIn,
    CommitteeOut,
    CommitteePatch,
    EndIn,
    MembershipOut,
)

# --- committees and seats ----------------------------------------------------------------------------------------


@router.get("/committees", auth=PUBLIC, response=list[CommitteeOut], summary="Committees the caller can see")
def committee_list(request, page: Query[Paging], area: str = ""):
    qs = selectors.committee_list_for(user=request.user, area_code=area or None).order_by(
        "area_code", "kind", "id"
    )
    return [committee_answer(c) for c in page.window(qs)]


@router.post(
    "/committees", response={201: CommitteeDetailOut}, summary="Found a committee on a village (staff)"
)
def committee_create(request, payload: CommitteeIn):
    group = selectors.village_group_for(
        area_code=payload.area_code, number=payload.village_group_number, field="village_group_number"
    )
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
    return Status(201, committee_detail_answer(committee))


@router.get(
    "/committees/{committee_id}",
    auth=PUBLIC,
    response=CommitteeDetailOut,
    summary="A committee, its seats and its steps",
)
def committee_detail(request, committee_id: Id):
    return committee_detail_answer(selectors.committee_get_for(user=request.user, pk=committee_id))


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
    return committee_detail_answer(committee)


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
        user=account,
        request=request,
        **payload.dict(exclude={"username"}),
    )
    return Status(201, membership)


@router.post("/memberships/{membership_id}/end", response=MembershipOut, summary="End a membership (staff)")
def membership_end(request, membership_id: Id, payload: EndIn):
    membership = selectors.membership_get_for(user=request.user, pk=membership_id)
    return services.membership_end(
        actor=request.user,
        membership=membership,
        ended_on=payload.ended_on,
        reason=payload.reason,
        request=request,
    )
