"""JSON API for grid workers (mounted at /api/v1/workforce): who serves a grid, as the grid page shows it."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from grassroots.areas import selectors as area_selectors

from . import selectors

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
