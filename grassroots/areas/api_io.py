"""JSON API for changing the area tree and for its files (mounted at /api/v1/area-data).

The same services as the pages, so the same permissions (administrators inside their scope: 404 outside
it, 403 inside it without the role) and the same validation. Errors are ``{code, message}``; an import
answers with its report, and with 422 when a real (not dry-run) import was refused for errors in rows.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpResponse
from django.utils.translation import ngettext
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from grassroots.downloads import attachment
from grassroots.masking import MaskedText
from grassroots.sheets import XLSX_CONTENT_TYPE

from . import selectors_io, services
from .models import Area, Grid
from .validation import code_range_warning

router = Router(tags=["area data"])


class AreaDataOut(Schema):
    code: str
    name: str
    level: int
    kind: str
    parent_code: str | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    successor_code: str | None
    has_boundary: bool
    warnings: list[str] = Field(default_factory=list, description="code outside the usual range of its kind")


def _area_out(area: Area) -> dict:
    warning = code_range_warning(area.code, area.kind)
    return {
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "kind": area.kind,
        "parent_code": area.parent.code if area.parent_id else None,
        "valid_from": area.valid_from,
        "valid_until": area.valid_until,
        "successor_code": area.successor.code if area.successor_id else None,
        "has_boundary": bool(area.boundary),
        "warnings": [str(warning)] if warning else [],
    }


class AreaCreateIn(Schema):
    code: str = Field(description="2, 4, 6, 9 or 12 digits; its parent must exist")
    name: str
    kind: str = Field(
        description="province, city, league, district, county, banner, street, town, township, "
        "sumu, community, village or gacha"
    )
    valid_from: dt.date | None = None
    boundary: dict[str, Any] | None = Field(None, description="GeoJSON Polygon/MultiPolygon, WGS-84")


class AreaUpdateIn(Schema):
    name: str | None = Field(None, description="corrects the current name; a renaming is POST …/rename")
    kind: str | None = None
    valid_from: dt.date | None = None
    boundary: dict[str, Any] | None = Field(None, description="null removes the outline")


class RenameIn(Schema):
    new_name: str
    on: dt.date = Field(description="the day the new name took effect (not in the future)")


class AreaMergeIn(Schema):
    into: str = Field(description="code of the area of the same level that takes this one over")
    on: dt.date = Field(description="first day the area is no longer in force")


class CloseIn(Schema):
    on: dt.date


@router.post("/areas", response={201: AreaDataOut}, summary="Create an area (not a grid)")
def area_create(request, payload: AreaCreateIn):
    area = services.area_create(actor=request.user, request=request, **payload.dict())
    return Status(201, _area_out(area))


@router.patch("/areas/{code}", response=AreaDataOut, summary="Correct an area's fields")
def area_update(request, code: str, payload: AreaUpdateIn):
    area = selectors_io.managed_area_get_for(user=request.user, code=code)
    area = services.area_update(
        actor=request.user, area=area, request=request, **payload.dict(exclude_unset=True)
    )
    return _area_out(area)


@router.post("/areas/{code}/rename", response=AreaDataOut, summary="Rename, keeping history")
def area_rename(request, code: str, payload: RenameIn):
    area = selectors_io.managed_area_get_for(user=request.user, code=code)
    area = services.area_rename(
        actor=request.user, area=area, new_name=payload.new_name, on=payload.on, request=request
    )
    return _area_out(area)


@router.post(
    "/areas/{code}/merge",
    response=AreaDataOut,
    summary="Merge into another area of the same level (refused while sub-areas are in force)",
)
def area_merge(request, code: str, payload: AreaMergeIn):
    area = selectors_io.managed_area_get_for(user=request.user, code=code)
    into = selectors_io.managed_area_get_for(user=request.user, code=payload.into)
    area = services.area_merge(actor=request.user, area=area, into=into, on=payload.on, request=request)
    return _area_out(area)


@router.post("/areas/{code}/close", response=AreaDataOut, summary="Close an area without successor")
def area_close(request, code: str, payload: CloseIn):
    area = selectors_io.managed_area_get_for(user=request.user, code=code)
    return _area_out(services.area_close(actor=request.user, area=area, on=payload.on, request=request))


# --- grids and village groups -----------------------------------------------------------------------


class GridDataOut(Schema):
    code: str
    name: str
    village_code: str
    kind: str
    sequence: int
    target_households: int | None
    village_groups: list[int]
    boundary: dict[str, Any] | None
    bbox: list[float] | None
    boundary_warnings: list[str] = Field(description="overlaps with grids of the same village, to check")


def _grid_out(grid: Grid) -> dict:
    return {
        "code": grid.area.code,
        "name": grid.area.name,
        "village_code": grid.area.code[:12],
        "kind": grid.kind,
        "sequence": grid.sequence,
        "target_households": grid.target_households,
        "village_groups": sorted(grid.village_groups.values_list("number", flat=True)),
        "boundary": grid.boundary,
        "bbox": [grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat]
        if grid.min_lon is not None
        else None,
        "boundary_warnings": getattr(grid, "boundary_warnings", []),
    }


class GridCreateIn(Schema):
    village_code: str
    kind: str = Field(description="community, dedicated or rural")
    name: str = ""
    number: int | None = Field(
        None, description="the grid's last 3 code digits; the next free one if omitted"
    )
    sequence: int | None = Field(
        None, description="display order, west→east, north→south; default the number"
    )
    boundary: dict[str, Any] | None = None
    target_households: int | None = None
    village_groups: list[int] = Field(default_factory=list, description="numbers of the village's groups")
    valid_from: dt.date | None = None


class GridUpdateIn(Schema):
    kind: str | None = None
    name: str | None = None
    sequence: int | None = None
    boundary: dict[str, Any] | None = Field(None, description="null removes the boundary")
    target_households: int | None = None
    village_groups: list[int] | None = None


@router.post("/grids", response={201: GridDataOut}, summary="Create a grid in a village or community")
def grid_create(request, payload: GridCreateIn):
    village = selectors_io.managed_area_get_for(user=request.user, code=payload.village_code)
    fields = payload.dict(exclude={"village_code"})
    grid = services.grid_create(actor=request.user, village=village, request=request, **fields)
    return Status(201, _grid_out(grid))


@router.patch("/grids/{code}", response=GridDataOut, summary="Change a grid")
def grid_update(request, code: str, payload: GridUpdateIn):
    grid = selectors_io.managed_grid_get_for(user=request.user, code=code)
    grid = services.grid_update(
        actor=request.user, grid=grid, request=request, **payload.dict(exclude_unset=True)
    )
    return _grid_out(grid)


class VillageGroupIn(Schema):
    village_code: str
    number: int
    name: str = ""


class VillageGroupDataOut(Schema):
    village_code: str
    number: int
    name: str


@router.post("/village-groups", response={201: VillageGroupDataOut}, summary="Add a village group")
def village_group_create(request, payload: VillageGroupIn):
    village = selectors_io.managed_area_get_for(user=request.user, code=payload.village_code)
    group = services.village_group_create(
        actor=request.user, village=village, number=payload.number, name=payload.name, request=request
    )
    return Status(201, {"village_code": village.code, "number": group.number, "name": group.name})


# --- files ------------------------------------------------------------------------------------------


class ProblemOut(Schema):
    sheet: str
    row: int | None = Field(description="spreadsheet row (1 = header), or the feature's index in GeoJSON")
    column: str
    code: str
    message: MaskedText


class ImportReportOut(Schema):
    kind: str
    ok: bool
    dry_run: bool
    written: bool
    created: int
    updated: int
    unchanged: int
    errors: list[ProblemOut]
    warnings: list[ProblemOut]
    errors_left_off: int
    warnings_left_off: int


class AreaImportRejectedOut(ImportReportOut):
    """A real import refused for errors in rows: nothing written, the report, and why."""

    code: str = Field(description="import_rejected")
    message: MaskedText


def _report_response(report):
    body = report.as_dict()
    if not report.dry_run and not report.written:
        count = report.error_count
        message = ngettext(
            "Nothing was imported: the file has %(count)d error. Correct it and import the file again.",
            "Nothing was imported: the file has %(count)d errors. Correct them and import the file again.",
            count,
        ) % {"count": count}
        return Status(422, {"code": "import_rejected", "message": message, **body})
    return Status(200, body)


IMPORT_RESPONSES = {200: ImportReportOut, 422: AreaImportRejectedOut}


@router.get("/template.xlsx", summary="The empty tree import template (Excel)", response={200: None})
def tree_template(request):
    return attachment(services.tree_template(), "template.xlsx", XLSX_CONTENT_TYPE)


@router.post(
    "/areas/{code}/tree-import",
    response=IMPORT_RESPONSES,
    summary="Import areas and grids under an area from an Excel workbook (all or nothing)",
    description="multipart/form-data with `file` (.xlsx) and `dry_run`. 200 with the report; 422 with the "
    "report when rows have errors (nothing written); 400 when the file as a whole is unusable.",
)
def tree_import(request, code: str, file: File[UploadedFile], dry_run: Form[bool] = False):
    area = selectors_io.managed_area_get_for(user=request.user, code=code)
    report = services.tree_import(
        actor=request.user, file=file, root_code=area.code, dry_run=dry_run, request=request
    )
    return _report_response(report)


@router.get(
    "/areas/{code}/tree-export",
    summary="The tree under an area as an Excel workbook",
    response={200: None},
)
def tree_export(request, code: str):
    area = selectors_io.managed_area_get_for(user=request.user, code=code)
    data = services.tree_export(actor=request.user, root_code=area.code, request=request)
    return attachment(data, f"{area.code}.xlsx", XLSX_CONTENT_TYPE)


@router.post(
    "/areas/{code}/boundaries-import",
    response=IMPORT_RESPONSES,
    summary="Import grid boundaries under an area from a GeoJSON FeatureCollection (all or nothing)",
    description="multipart/form-data with `file` and `dry_run`. Errors name the feature's index and code.",
)
def boundaries_import(request, code: str, file: File[UploadedFile], dry_run: Form[bool] = False):
    area = selectors_io.managed_area_get_for(user=request.user, code=code)
    report = services.boundaries_import(
        actor=request.user, file=file, root_code=area.code, dry_run=dry_run, request=request
    )
    return _report_response(report)


@router.get(
    "/areas/{code}/boundaries-export",
    summary="Boundaries of the grids in force under an area (GeoJSON FeatureCollection)",
    response={200: None},
)
def boundaries_export(request, code: str):
    area = selectors_io.managed_area_get_for(user=request.user, code=code)
    collection = services.boundaries_export(actor=request.user, root_code=area.code, request=request)
    body = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type="application/geo+json; charset=utf-8")
