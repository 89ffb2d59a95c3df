"""An area's register (totals, the masked export), the search, duplicates and their merge, visits due."""

from __future__ import annotations

from django.http import FileResponse
from ninja import Query, Router

from grassroots.paging import Paging

from .. import selectors, services
from ..services import transfer
from .schemas import (
    AreaRegisterOut,
    DuplicateGroupOut,
    HouseholdPage,
    ResidentMergeIn,
    ResidentOut,
    SearchIn,
    SearchOut,
)

router = Router()


@router.get(
    "/areas/{code}", response=AreaRegisterOut, summary="An area's register: totals and key-group counts"
)
def area_register(request, code: str):
    area = selectors.require_register_area(user=request.user, code=code)
    totals = selectors.register_totals_for(user=request.user, area_code=code)
    return {
        "code": area.code,
        "name": area.name,
        **totals,
        "key_groups": selectors.key_group_counts_for(user=request.user, area_code=code),
    }


@router.get("/areas/{code}/export", summary="The area's register as a masked .xlsx (logged, marked with who)")
def area_export(request, code: str):
    selectors.require_register_area(user=request.user, code=code)
    path = transfer.register_export(actor=request.user, area_code=code, request=request)
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it after sending
    path.unlink(missing_ok=True)
    response = FileResponse(
        handle, content_type=transfer.XLSX, as_attachment=True, filename=f"register-{code}.xlsx"
    )
    response["Cache-Control"] = "no-store, private"
    return response


@router.post(
    "/search",
    response=SearchOut,
    summary="Search in scope: name, pinyin/initials, exact ID or phone, address",
)
def search(request, payload: SearchIn):
    result = selectors.search_for(user=request.user, q=payload.q, field=payload.field)
    return {
        "field": result.field,
        "message": result.message,
        "residents": result.residents,
        "households": result.households,
    }


@router.get(
    "/duplicates", response=list[DuplicateGroupOut], summary="Possible duplicates: same name and birth date"
)
def duplicates(request, area: str | None = None):
    return [
        {"name": g.name, "birth_year": g.birth_date.year, "residents": g.residents}
        for g in selectors.duplicate_groups_for(user=request.user, area_code=area)
    ]


@router.post(
    "/duplicates/merge", response=ResidentOut, summary="Merge a duplicate into the record kept (audited)"
)
def merge(request, payload: ResidentMergeIn):
    kept = selectors.resident_get_for(user=request.user, pk=payload.kept_id)
    merged = selectors.resident_get_for(user=request.user, pk=payload.merged_id)
    services.resident_merge(
        actor=request.user, kept=kept, merged=merged, reason=payload.reason, request=request
    )
    return selectors.resident_get_for(user=request.user, pk=kept.pk)


@router.get(
    "/visits/due", response=HouseholdPage, summary="My visits due: key-group households due within a week"
)
def visits_due(request, page: Query[Paging]):
    return page.window_and_next(selectors.visits_due_for(user=request.user))
