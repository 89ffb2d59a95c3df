"""Party organisations, members, and their check-ins (报到) to grid branches with the hours served."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Router, Schema, Status

from grassroots.masking import MaskedText
from grassroots.people import selectors as people_selectors

from .. import selectors
from ..check_in import rule_for
from ..models import CheckIn
from ..services import party

router = Router()


class PartyOrganisationIn(Schema):
    name: str
    kind: str = Field(description="committee | general_branch | branch | group")
    area_code: str
    parent_id: int | None = None


class PartyOrganisationOut(Schema):
    id: int
    name: str
    kind: str
    area_code: str
    parent_id: int | None
    is_grid_branch: bool


@router.get(
    "/party/organisations", response=list[PartyOrganisationOut], summary="Party organisations in scope"
)
def party_organisations(request, area: str = ""):
    return list(selectors.party_organisation_list_for(user=request.user, area_code=area or None)[:500])


@router.post(
    "/party/organisations",
    response={201: PartyOrganisationOut},
    summary="Create a party organisation bound to an area (a branch on a grid is the grid's party branch)",
)
def party_organisation_create(request, payload: PartyOrganisationIn):
    parent = (
        selectors.party_organisation_get_for(user=request.user, pk=payload.parent_id)
        if payload.parent_id
        else None
    )
    organisation = party.party_organisation_create(
        actor=request.user,
        name=payload.name,
        kind=payload.kind,
        area_code=payload.area_code,
        parent=parent,
        request=request,
    )
    return Status(201, organisation)


MemberKindName = Literal["local", "in_service", "retired", "organisation"]


class PartyMemberIn(Schema):
    name: str
    organisation_id: int
    kind: MemberKindName = Field(
        "local",
        description="local: a member of a branch here; in_service and retired check in where they live; "
        "organisation: a member of a property company or co-building unit, checking in where it is",
    )
    home_grid_code: str = Field("", description="the grid where the member lives")
    unit_id: int | None = Field(
        None, description="the property company or co-building unit (kind organisation)"
    )


class PartyMemberOut(Schema):
    id: int
    name: str
    organisation_id: int
    kind: str
    home_grid_code: str
    unit_id: int | None


@router.post("/party/members", response={201: PartyMemberOut}, summary="Record a party member")
def party_member_create(request, payload: PartyMemberIn):
    organisation = selectors.party_organisation_get_for(user=request.user, pk=payload.organisation_id)
    unit = people_selectors.place_get_for(user=request.user, pk=payload.unit_id) if payload.unit_id else None
    member = party.party_member_create(
        actor=request.user,
        name=payload.name,
        organisation=organisation,
        kind=payload.kind,
        home_grid_code=payload.home_grid_code,
        unit=unit,
        request=request,
    )
    return Status(201, member)


class CheckInIn(Schema):
    pledge: str
    year: int | None = None
    member_id: int | None = Field(None, description="omit to check in yourself")
    branch_id: int | None = Field(
        None,
        description="the grid branch, when the member's kind offers several (see GET /check-ins/targets); "
        "omit when there is one",
    )


class CheckInOut(Schema):
    id: int
    member_id: int
    member_name: str
    kind: str = Field(
        description="the member's kind when checking in: in_service, retired, organisation, local"
    )
    branch_id: int
    branch_name: str
    area_code: str
    year: int
    pledge: MaskedText
    status: str
    decline_reason: MaskedText
    total_hours: Decimal


def _check_in_out(c: CheckIn, total=None) -> dict:
    total = getattr(c, "total_hours", None) if total is None else total
    return {
        "id": c.pk,
        "member_id": c.member_id,
        "member_name": c.member.name,
        "kind": c.kind,
        "branch_id": c.branch_id,
        "branch_name": c.branch.name,
        "area_code": c.area_code,
        "year": c.year,
        "pledge": c.pledge,
        "status": c.status,
        "decline_reason": c.decline_reason,
        "total_hours": total or Decimal("0"),
    }


@router.get(
    "/check-ins", response=list[CheckInOut], summary="Check-ins: your own and those of branches in scope"
)
def check_ins(request, area: str = "", status: str = ""):
    rows = selectors.check_in_list_for(user=request.user, area_code=area or None, status=status or None)
    return [_check_in_out(c) for c in rows[:500]]


class CheckInTargetOut(Schema):
    kind: str
    basis: str = Field(description="residence (the grid where the member lives) or organisation (the unit's)")
    branches: list[PartyOrganisationOut] = Field(
        description="where the member may check in; empty: see problem"
    )
    problem: dict | None = Field(None, description="{code, message} when there is nowhere to check in yet")


@router.get(
    "/check-ins/targets",
    response=CheckInTargetOut,
    summary="Where a party member checks in, by their kind's rule",
)
def check_in_targets(request, member_id: int | None = None):
    member = selectors.party_member_for_check_in(user=request.user, member_id=member_id)
    targets = party.check_in_targets(member)
    return {
        "kind": member.kind,
        "basis": rule_for(member.kind).basis,
        "branches": targets.branches,
        "problem": {"code": targets.problem.code, "message": str(targets.problem.message)}
        if targets.problem
        else None,
    }


@router.post(
    "/check-ins",
    response={201: CheckInOut},
    summary="Ask to check in (报到) to a grid's party branch, by the member's kind: where they live, or "
    "where their unit is",
)
def check_in_request(request, payload: CheckInIn):
    member = selectors.party_member_for_check_in(user=request.user, member_id=payload.member_id)
    branch = selectors.grid_branch_get(payload.branch_id) if payload.branch_id is not None else None
    check_in = party.check_in_request(
        actor=request.user,
        member=member,
        pledge=payload.pledge,
        year=payload.year,
        branch=branch,
        request=request,
    )
    return Status(201, _check_in_out(check_in, Decimal("0")))


class DeclineIn(Schema):
    reason: str


@router.post("/check-ins/{pk}/confirm", response=CheckInOut, summary="The branch confirms a check-in")
def check_in_confirm(request, pk: int):
    check_in = selectors.check_in_get_for(user=request.user, pk=pk)
    return _check_in_out(party.check_in_confirm(actor=request.user, check_in=check_in, request=request), 0)


@router.post("/check-ins/{pk}/decline", response=CheckInOut, summary="The branch declines a check-in")
def check_in_decline(request, pk: int, payload: DeclineIn):
    check_in = selectors.check_in_get_for(user=request.user, pk=pk)
    declined = party.check_in_decline(
        actor=request.user, check_in=check_in, reason=payload.reason, request=request
    )
    return _check_in_out(declined, 0)


class ServiceLogIn(Schema):
    hours: Decimal
    description: str
    served_on: dt.date | None = None


class ServiceLogOut(Schema):
    id: int
    check_in_id: int
    served_on: dt.date
    hours: Decimal
    description: MaskedText


@router.post(
    "/check-ins/{pk}/services",
    response={201: ServiceLogOut},
    summary="Log hours served on a confirmed check-in",
)
def service_log(request, pk: int, payload: ServiceLogIn):
    check_in = selectors.check_in_get_for(user=request.user, pk=pk)
    record = party.service_log(
        actor=request.user,
        check_in=check_in,
        hours=payload.hours,
        description=payload.description,
        served_on=payload.served_on,
        request=request,
    )
    return Status(201, record)
