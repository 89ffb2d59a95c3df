"""What the API tells about a grid: who serves it, its figures, its party branch's roll; and the workload of
an area's workers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Query, Router, Schema

from grassroots import clock
from grassroots.areas import selectors as area_selectors
from grassroots.masking import MaskedText

from .. import selectors
from .party import PartyOrganisationOut

router = Router()


class YearQuery(Schema):
    year: int | None = Field(None, ge=1950, le=2200, description="the calendar year; this year when left out")


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
def grid_figures(request, code: str, query: Query[YearQuery]):
    year = query.year
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
def grid_branch_roll(request, code: str, query: Query[YearQuery]):
    year = query.year
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
    score: Decimal = Field(description="the workload score; its formula is the answer's `formula`")
    extra: dict[str, Any] = Field(default_factory=dict, description="figures added by higher apps (cases)")


class WorkloadOut(Schema):
    year: int
    rows: list[WorkloadRowOut]
    formula: str
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
                "score": r["score"],
                "extra": r.get("extra", {}),
            }
            for i, r in enumerate(rows, start=1)
        ],
        "formula": selectors.workload_formula(),
        "definitions": {k: str(v) for k, v in selectors.WORKLOAD_DEFINITIONS.items()},
    }
