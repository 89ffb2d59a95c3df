"""Households: list, register, read, change, move; their members and visits."""

from __future__ import annotations

from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from grassroots.paging import Paging

from .. import selectors, services
from .schemas import (
    HouseholdIn,
    HouseholdOut,
    HouseholdPage,
    HouseholdPatch,
    MoveHouseholdIn,
    MoveOut,
    ResidentOut,
    VisitIn,
    VisitOut,
    set_fields,
)

router = Router()


@router.get("/households", response=HouseholdPage, summary="Households in scope (optionally under an area)")
def household_list(request, page: Query[Paging], area: str | None = None):
    return page.window_and_next(selectors.household_list_for(user=request.user, area_code=area))


def _household(request, household_id: int):
    """The household in the caller's scope (404 outside it), as the reads answer it."""
    return selectors.household_get_for(user=request.user, pk=household_id)


@router.post("/households", response={201: HouseholdOut}, summary="Register a household in a grid")
def household_create(request, payload: HouseholdIn):
    household = services.household_create(actor=request.user, request=request, **payload.dict())
    return Status(201, _household(request, household.pk))


@router.get("/households/{household_id}", response=HouseholdOut)
def household_detail(request, household_id: int):
    return _household(request, household_id)


@router.patch("/households/{household_id}", response=HouseholdOut)
def household_update(request, household_id: int, payload: HouseholdPatch):
    household = _household(request, household_id)
    services.household_update(actor=request.user, household=household, request=request, **set_fields(payload))
    return _household(request, household_id)


@router.post("/households/{household_id}/move", response=MoveOut, summary="Move a household to another grid")
def household_move(request, household_id: int, payload: MoveHouseholdIn):
    return services.household_move(
        actor=request.user, household=_household(request, household_id), request=request, **payload.dict()
    )


@router.get("/households/{household_id}/members", response=list[ResidentOut])
def household_members(request, household_id: int):
    return selectors.household_members(_household(request, household_id))


@router.get("/households/{household_id}/visits", response=list[VisitOut])
def household_visits(request, household_id: int):
    return selectors.household_visits(_household(request, household_id))


@router.post(
    "/households/{household_id}/visits",
    response={201: VisitOut},
    summary="Record a visit (multipart form; photos optional). A need with open_case becomes a case when the "
    "cases app is installed.",
)
def visit_record(request, household_id: int, payload: Form[VisitIn], photos: File[list[UploadedFile]] = None):
    household = _household(request, household_id)
    visit = services.visit_record(
        actor=request.user, household=household, photos=photos or [], request=request, **payload.dict()
    )
    return Status(201, visit)
