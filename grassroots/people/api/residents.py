"""Residents: list, register, read, change, move; key-group labels; their proxy services."""

from __future__ import annotations

from ninja import Query, Router, Status

from grassroots.paging import Paging

from .. import selectors, services
from .schemas import (
    LabelIn,
    LabelOut,
    MoveOut,
    MoveResidentIn,
    ProxyServiceIn,
    ProxyServiceOut,
    ResidentIn,
    ResidentOut,
    ResidentPage,
    ResidentPatch,
    set_fields,
)

router = Router()


@router.get(
    "/residents", response=ResidentPage, summary="People in scope (optionally under an area, in a key group)"
)
def resident_list(request, page: Query[Paging], area: str | None = None, key_group: str | None = None):
    return page.window_and_next(
        selectors.resident_list_for(user=request.user, area_code=area, key_group=key_group)
    )


@router.post("/residents", response={201: ResidentOut}, summary="Register a person in a household")
def resident_create(request, payload: ResidentIn):
    data = payload.dict()
    household = selectors.household_get_for(user=request.user, pk=data.pop("household_id"))
    resident = services.resident_create(actor=request.user, household=household, request=request, **data)
    return Status(201, selectors.resident_get_for(user=request.user, pk=resident.pk))


@router.get("/residents/{resident_id}", response=ResidentOut)
def resident_detail(request, resident_id: int):
    return selectors.resident_get_for(user=request.user, pk=resident_id)


@router.patch("/residents/{resident_id}", response=ResidentOut)
def resident_update(request, resident_id: int, payload: ResidentPatch):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    services.resident_update(actor=request.user, resident=resident, request=request, **set_fields(payload))
    return selectors.resident_get_for(user=request.user, pk=resident_id)


@router.post("/residents/{resident_id}/move", response=MoveOut, summary="Move a person to another household")
def resident_move(request, resident_id: int, payload: MoveResidentIn):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    target = selectors.household_get_for(user=request.user, pk=payload.to_household_id)
    return services.resident_move(
        actor=request.user, resident=resident, to_household=target, reason=payload.reason, request=request
    )


@router.put("/residents/{resident_id}/labels/{kind}", response=LabelOut, summary="Set a key-group label")
def label_set(request, resident_id: int, kind: str, payload: LabelIn):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    return services.label_set(
        actor=request.user, resident=resident, kind=kind, request=request, **payload.dict()
    )


@router.delete("/residents/{resident_id}/labels/{kind}", response={204: None})
def label_remove(request, resident_id: int, kind: str):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    services.label_remove(actor=request.user, resident=resident, kind=kind, request=request)
    return Status(204, None)


@router.get("/residents/{resident_id}/services", response=list[ProxyServiceOut])
def resident_services(request, resident_id: int):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    return selectors.resident_services(resident)


@router.post(
    "/residents/{resident_id}/services", response={201: ProxyServiceOut}, summary="Take on a proxy service"
)
def service_request(request, resident_id: int, payload: ProxyServiceIn):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    service = services.service_request(
        actor=request.user, resident=resident, request=request, **payload.dict()
    )
    return Status(201, service)
