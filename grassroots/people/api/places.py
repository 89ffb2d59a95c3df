"""Places and organisations: list (dispatch targets too), create, read, change."""

from __future__ import annotations

from ninja import Query, Router, Status

from grassroots.paging import Paging

from .. import selectors, services
from .schemas import PlaceIn, PlaceOut, PlacePatch, set_fields

router = Router()


@router.get(
    "/places", response=list[PlaceOut], summary="Places and organisations in scope (dispatch targets too)"
)
def place_list(
    request,
    page: Query[Paging],
    area: str | None = None,
    kind: str | None = None,
    accepts_cases: bool | None = None,
):
    qs = selectors.place_list_for(user=request.user, area_code=area, kind=kind, accepts_cases=accepts_cases)
    return list(page.window(qs))


@router.post("/places", response={201: PlaceOut})
def place_create(request, payload: PlaceIn):
    data = payload.dict()
    return Status(201, services.place_create(actor=request.user, request=request, **data))


@router.get("/places/{place_id}", response=PlaceOut)
def place_detail(request, place_id: int):
    return selectors.place_get_for(user=request.user, pk=place_id)


@router.patch("/places/{place_id}", response=PlaceOut)
def place_update(request, place_id: int, payload: PlacePatch):
    place = selectors.place_get_for(user=request.user, pk=place_id)
    return services.place_update(actor=request.user, place=place, request=request, **set_fields(payload))
