"""Patrols: start, positions, findings, end; a patrol and its track."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema, Status

from grassroots.accounts.scoping import OutOfScope
from grassroots.masking import MaskedText

from .. import selectors
from ..models import Patrol
from ..services import patrols as patrols_service

router = Router()


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
        actor=request.user, patrol=patrol, request=request, **payload.dict()
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
