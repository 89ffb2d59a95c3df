"""JSON API for the workforce (mounted at /api/v1/workforce): who serves a grid, party organisations and
member check-in, red grid workers' duties, the roster workbook, patrols, workload, teams and councils.
Every operation checks the same permissions as the pages, in the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import ngettext
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from grassroots import clock, sheets
from grassroots.accounts.scoping import STAFF_ROLES, OutOfScope, get_in_scope_or_404
from grassroots.areas import selectors as area_selectors
from grassroots.downloads import attachment
from grassroots.masking import MaskedText
from grassroots.people import selectors as people_selectors

from . import rules, selectors, services
from .check_in import rule_for
from .models import CheckIn, GridWorker, PartyMember, PartyOrganisation, Patrol, ServiceGroup
from .services import groups as groups_service
from .services import party, roster
from .services import patrols as patrols_service

router = Router(tags=["workforce"])


class AssignmentOut(Schema):
    worker_id: int
    worker_name: str
    worker_kind: str
    is_party_member: bool
    phone_masked: str
    role: str
    started_on: dt.date
    ended_on: dt.date | None


@router.get(
    "/grids/{code}/assignments",
    response=list[AssignmentOut],
    summary="Who serves a grid today, grid leader first (phones masked; 404 outside the caller's scope)",
)
def grid_assignments(request, code: str, include_ended: bool = False):
    area_selectors.grid_get_for(user=request.user, code=code)  # 404 unless the grid is in scope
    assignments = selectors.assignment_list_for_grid(
        user=request.user, grid_code=code, include_ended=include_ended
    )
    return [
        {
            "worker_id": a.worker_id,
            "worker_name": a.worker.name,
            "worker_kind": a.worker.kind,
            "is_party_member": a.worker.is_party_member,
            "phone_masked": a.worker.phone_masked,
            "role": a.role,
            "started_on": a.started_on,
            "ended_on": a.ended_on,
        }
        for a in assignments
    ]


# --- party organisations, members, check-ins --------------------------------------------------------------


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


def _organisation_get(user, pk: int) -> PartyOrganisation:
    return get_in_scope_or_404(PartyOrganisation.objects.all(), user, roles=STAFF_ROLES, pk=pk)


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
    parent = _organisation_get(request.user, payload.parent_id) if payload.parent_id else None
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
    organisation = _organisation_get(request.user, payload.organisation_id)
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


def _member_for(request, member_id: int | None) -> PartyMember:
    if member_id is None:
        member = selectors.member_for_user(request.user)
        if member is None:
            raise OutOfScope
        return member
    member = PartyMember.objects.select_related("organisation", "unit").filter(pk=member_id).first()
    if member is None or not rules.can_request_check_in(request.user, member):
        raise OutOfScope
    return member


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
    member = _member_for(request, member_id)
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
    member = _member_for(request, payload.member_id)
    branch = None
    if payload.branch_id is not None:
        branch = PartyOrganisation.objects.filter(pk=payload.branch_id, is_grid_branch=True).first()
        if branch is None:
            raise OutOfScope
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


class GridFiguresOut(Schema):
    year: int
    checked_in_members: int
    service_hours: Decimal
    patrols: int
    patrol_hours: Decimal
    activity_hours: Decimal
    visits: int
    cases: dict[str, int] | None = Field(
        None, description="cases reported and closed in the grid; null when no app counts cases"
    )
    definitions: dict[str, str]


@router.get(
    "/grids/{code}/figures",
    response=GridFiguresOut,
    summary="A grid's workforce figures for a year (definitions included)",
)
def grid_figures(request, code: str, year: int | None = None):
    area_selectors.grid_get_for(user=request.user, code=code)
    figures = selectors.grid_figures(code, year=year)
    return {**figures, "definitions": {k: str(v) for k, v in selectors.FIGURE_DEFINITIONS.items()}}


class RollMemberOut(Schema):
    id: int
    name: str
    kind: str
    organisation_name: str

    @staticmethod
    def resolve_organisation_name(obj):
        return obj.organisation.name


class RollCheckInOut(Schema):
    check_in_id: int
    member_name: str
    own_branch: str
    unit_name: str = Field(description="the property company or co-building unit; empty for other kinds")
    pledge: MaskedText
    status: str
    total_hours: Decimal


class RollSectionOut(Schema):
    kind: str
    heading: str
    check_ins: list[RollCheckInOut]


class RollOut(Schema):
    branch: PartyOrganisationOut | None = Field(description="null when the grid has no party branch")
    year: int
    members: list[RollMemberOut] = Field(description="the branch's own members")
    sections: list[RollSectionOut] = Field(description="the year's check-ins (not declined), by kind")


@router.get(
    "/grids/{code}/roll",
    response=RollOut,
    summary="The roll of a grid's party branch: its members, and the year's check-ins by kind",
)
def grid_branch_roll(request, code: str, year: int | None = None):
    roll = selectors.grid_branch_roll_for(user=request.user, grid_code=code, year=year)
    if roll is None:
        return {"branch": None, "year": year or clock.today().year, "members": [], "sections": []}
    return {
        "branch": roll.branch,
        "year": roll.year,
        "members": roll.members,
        "sections": [
            {
                "kind": section.kind,
                "heading": section.heading,
                "check_ins": [
                    {
                        "check_in_id": c.pk,
                        "member_name": c.member.name,
                        "own_branch": c.member.organisation.name,
                        "unit_name": c.member.unit.name if c.member.unit_id else "",
                        "pledge": c.pledge,
                        "status": c.status,
                        "total_hours": c.total_hours or Decimal("0"),
                    }
                    for c in section.check_ins
                ],
            }
            for section in roll.sections
        ],
    }


# --- red grid workers' duties, roster ---------------------------------------------------------------------


class DutiesIn(Schema):
    area_code: str
    duties: list[str] = Field(
        description="policy | information | livelihood | liaison | civility | patrol | hygiene"
    )


@router.put(
    "/workers/{pk}/duties",
    response=list[str],
    summary="Set the duties a red grid worker takes on in an area",
)
def worker_duties(request, pk: int, payload: DutiesIn):
    worker = get_in_scope_or_404(GridWorker.objects.all(), request.user, roles=STAFF_ROLES, pk=pk)
    rows = services.worker_duties_set(
        actor=request.user, worker=worker, area_code=payload.area_code, duties=payload.duties, request=request
    )
    return sorted(d.duty for d in rows)


class RosterOut(Schema):
    # The rows and errors are the import's own records (dataclasses of services/roster.py), so that the
    # API says exactly what the page shows.
    errors: list[roster.RowError]
    workers_created: int
    assignments_started: int
    duties_added: int
    unchanged_rows: int
    written: bool
    rows: list[roster.RowOutcome]


class RosterRejectedOut(RosterOut):
    """A roster with errors in rows: nothing written, the report as for a check, and why."""

    code: str = Field(description="import_rejected")
    message: MaskedText


def _rejected_message(count: int) -> str:
    return ngettext(
        "Nothing was imported: the file has %(count)d error. Correct it and import the file again.",
        "Nothing was imported: the file has %(count)d errors. Correct them and import the file again.",
        count,
    ) % {"count": count}


@router.post(
    "/roster/import",
    response={200: RosterOut, 422: RosterRejectedOut},
    summary="Import the grid-worker roster from Excel (row-level errors, all or nothing, idempotent)",
)
def roster_import(request, file: File[UploadedFile], dry_run: Form[bool] = False, area: Form[str] = ""):
    """``dry_run`` checks the file and answers what an import would do, writing nothing (the page's check
    step); ``area`` limits the rows to one area, as the roster page of that area does."""
    data = sheets.read_upload(file, max_bytes=roster.roster_max_bytes())
    result = roster.roster_import(
        actor=request.user, data=data, dry_run=dry_run, area_code=area or None, request=request
    )
    if result.errors:
        return Status(
            422,
            {"code": "import_rejected", "message": _rejected_message(len(result.errors)), **asdict(result)},
        )
    return Status(200, result)


@router.get(
    "/roster/template",
    response={200: None},
    summary="The empty roster workbook (Chinese headers and a sheet of instructions)",
)
def roster_template(request):
    return attachment(
        roster.roster_template(actor=request.user), "roster-template.xlsx", sheets.XLSX_CONTENT_TYPE
    )


@router.get("/roster/export", response={200: None}, summary="The roster of an area (phones masked)")
def roster_export(request, area: str):
    data = roster.roster_export(user=request.user, area_code=area)
    return attachment(data, f"roster-{area}.xlsx", sheets.XLSX_CONTENT_TYPE)


# --- patrols --------------------------------------------------------------------------------------------


class PatrolOut(Schema):
    id: int
    worker_id: int
    worker_name: str
    area_code: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    point_count: int
    track_deleted_at: dt.datetime | None
    report_case_url: str


def _patrol_out(p: Patrol) -> dict:
    return {
        "id": p.pk,
        "worker_id": p.worker_id,
        "worker_name": p.worker.name,
        "area_code": p.area_code,
        "started_at": p.started_at,
        "ended_at": p.ended_at,
        "point_count": p.point_count,
        "track_deleted_at": p.track_deleted_at,
        "report_case_url": selectors.report_case_url(p),
    }


class PatrolStartIn(Schema):
    note: str = ""
    grid_code: str = Field(
        "", description="One of the grids you serve today; empty: your only grid, else your own area"
    )


@router.get("/patrols", response=list[PatrolOut], summary="Your patrols, and those you supervise")
def patrols(request):
    return [_patrol_out(p) for p in selectors.patrol_list_for(user=request.user)[:200]]


@router.post("/patrols", response={201: PatrolOut}, summary="Start a patrol (grid workers)")
def patrol_start(request, payload: PatrolStartIn):
    worker = selectors.worker_for_user(request.user)
    if worker is None:
        raise OutOfScope
    return Status(
        201,
        _patrol_out(
            patrols_service.patrol_start(
                actor=request.user,
                worker=worker,
                grid_code=payload.grid_code.strip(),
                note=payload.note,
                request=request,
            )
        ),
    )


class PositionIn(Schema):
    recorded_at: dt.datetime
    lon: float
    lat: float


class PositionsIn(Schema):
    positions: list[PositionIn]


class PositionsOut(Schema):
    kept: int
    point_count: int


@router.post(
    "/patrols/{pk}/positions",
    response=PositionsOut,
    summary="Post a batch of positions (validated as a whole, thinned to a modest rate)",
)
def patrol_positions(request, pk: int, payload: PositionsIn):
    patrol = selectors.patrol_get_for(user=request.user, pk=pk)
    kept = patrols_service.patrol_positions_add(
        actor=request.user,
        patrol=patrol,
        positions=[patrols_service.Position(p.recorded_at, p.lon, p.lat) for p in payload.positions],
    )
    return {"kept": kept, "point_count": patrol.point_count}


class FindingIn(Schema):
    description: str
    lon: float | None = None
    lat: float | None = None
    case_id: int | None = Field(None, ge=1, le=2**53, description="the case reported for it, when known")


class FindingOut(Schema):
    id: int
    patrol_id: int
    description: MaskedText
    lon: float | None
    lat: float | None
    case_id: int | None


@router.post("/patrols/{pk}/findings", response={201: FindingOut}, summary="Record what was found")
def patrol_finding(request, pk: int, payload: FindingIn):
    patrol = selectors.patrol_get_for(user=request.user, pk=pk)
    finding = patrols_service.patrol_finding_add(
        actor=request.user,
        patrol=patrol,
        description=payload.description,
        lon=payload.lon,
        lat=payload.lat,
        case_id=payload.case_id,
        request=request,
    )
    return Status(201, finding)


@router.post("/patrols/{pk}/end", response=PatrolOut, summary="End a patrol")
def patrol_end(request, pk: int, payload: PatrolStartIn):
    patrol = selectors.patrol_get_for(user=request.user, pk=pk)
    return _patrol_out(
        patrols_service.patrol_end(actor=request.user, patrol=patrol, note=payload.note, request=request)
    )


@router.get("/patrols/{pk}", response=PatrolOut, summary="A patrol (worker and supervisors)")
def patrol_detail(request, pk: int):
    return _patrol_out(selectors.patrol_get_for(user=request.user, pk=pk))


class PointOut(Schema):
    recorded_at: dt.datetime
    lon: float
    lat: float


@router.get(
    "/patrols/{pk}/track",
    response=list[PointOut],
    summary="A patrol's track: supervisors only (404 for everyone else)",
)
def patrol_track(request, pk: int):
    patrol = selectors.patrol_get_for(user=request.user, pk=pk)
    return selectors.patrol_track_for(user=request.user, patrol=patrol)


# --- workload -------------------------------------------------------------------------------------------


class WorkloadRowOut(Schema):
    rank: int
    worker_id: int
    worker_name: str
    kind: str
    area_code: str
    visits: int
    patrols: int
    patrol_hours: Decimal
    findings: int
    extra: dict[str, Any] = Field(default_factory=dict, description="figures added by higher apps (cases)")


class WorkloadOut(Schema):
    year: int
    rows: list[WorkloadRowOut]
    definitions: dict[str, str]


@router.get(
    "/workload",
    response=WorkloadOut,
    summary="The area's workers ranked by their workload (supervisors)",
)
def workload(request, area: str, year: int | None = None):
    year = year or clock.today().year
    rows = selectors.worker_workload(user=request.user, area_code=area, year=year)
    return {
        "year": year,
        "rows": [
            {
                "rank": i,
                "worker_id": r["worker"].pk,
                "worker_name": r["worker"].name,
                "kind": r["worker"].kind,
                "area_code": r["worker"].area_code,
                "visits": r["visits"],
                "patrols": r["patrols"],
                "patrol_hours": r["patrol_hours"],
                "findings": r["findings"],
                "extra": r.get("extra", {}),
            }
            for i, r in enumerate(rows, start=1)
        ],
        "definitions": {k: str(v) for k, v in selectors.WORKLOAD_DEFINITIONS.items()},
    }


# --- volunteer teams and villager councils ----------------------------------------------------------------


class GroupIn(Schema):
    kind: str = Field(description="team | council")
    name: str
    area_code: str
    leader: str = ""
    members: list[str] = []


class GroupMemberOut(Schema):
    id: int
    name: str
    is_leader: bool


class ActivityOut(Schema):
    id: int
    held_on: dt.date
    description: MaskedText
    hours: Decimal
    participants: list[str]
    photo_url: str


class GroupOut(Schema):
    id: int
    kind: str
    name: str
    area_code: str
    leader_name: str
    members: list[GroupMemberOut] = []
    activities: list[ActivityOut] = []


def _group_out(group: ServiceGroup) -> dict:
    return {
        "id": group.pk,
        "kind": group.kind,
        "name": group.name,
        "area_code": group.area_code,
        "leader_name": group.leader_name,
        "members": list(group.members.all()),
        "activities": [
            {
                "id": a.pk,
                "held_on": a.held_on,
                "description": a.description,
                "hours": a.hours,
                "participants": [m.name for m in a.participants.all()],
                "photo_url": a.photo.url if a.photo else "",
            }
            for a in group.activities.prefetch_related("participants")
        ],
    }


@router.get("/groups", response=list[GroupOut], summary="Volunteer teams and councils open to you")
def groups(request, area: str = ""):
    rows = selectors.group_list_for(user=request.user, area_code=area or None)[:500]
    return [{**_group_out_brief(g)} for g in rows]


def _group_out_brief(g: ServiceGroup) -> dict:
    return {
        "id": g.pk,
        "kind": g.kind,
        "name": g.name,
        "area_code": g.area_code,
        "leader_name": g.leader_name,
    }


@router.get("/groups/{pk}", response=GroupOut, summary="A team or council with its activities")
def group_detail(request, pk: int):
    return _group_out(selectors.group_get_for(user=request.user, pk=pk))


@router.post("/groups", response={201: GroupOut}, summary="Create a volunteer team or villager council")
def group_create(request, payload: GroupIn):
    group = groups_service.group_create(
        actor=request.user,
        kind=payload.kind,
        name=payload.name,
        area_code=payload.area_code,
        leader=payload.leader,
        members=payload.members,
        request=request,
    )
    return Status(201, _group_out(group))


class GroupMemberIn(Schema):
    name: str


@router.post("/groups/{pk}/members", response={201: GroupMemberOut}, summary="Add a member")
def group_member_add(request, pk: int, payload: GroupMemberIn):
    group = selectors.group_get_for(user=request.user, pk=pk)
    member = groups_service.group_member_add(
        actor=request.user, group=group, name=payload.name, request=request
    )
    return Status(201, member)


@router.post(
    "/groups/{pk}/activities",
    response={201: ActivityOut},
    summary="Record an activity (multipart: description, hours, held_on, participant_ids, optional photo)",
)
def group_activity(
    request,
    pk: int,
    description: Form[str],
    hours: Form[Decimal],
    held_on: Form[dt.date | None] = None,
    participant_ids: Form[list[int]] = [],  # noqa: B006 - ninja reads the default, never mutates it
    photo: File[UploadedFile] = None,
):
    group = selectors.group_get_for(user=request.user, pk=pk)
    activity = groups_service.group_activity_record(
        actor=request.user,
        group=group,
        description=description,
        hours=hours,
        held_on=held_on,
        participant_ids=participant_ids,
        photo=photo,
        request=request,
    )
    return Status(
        201,
        {
            "id": activity.pk,
            "held_on": activity.held_on,
            "description": activity.description,
            "hours": activity.hours,
            "participants": [m.name for m in activity.participants.all()],
            "photo_url": activity.photo.url if activity.photo else "",
        },
    )
