"""JSON API of the areas: the tree as its users read it (``router``, mounted at /api/v1/areas), and for
administrators the changing of the tree and its files (``area_data_router``, mounted at /api/v1/area-data).

Area data uses the same services as the pages, so the same permissions (administrators inside their scope:
404 outside it, 403 inside it without the role) and the same validation. Errors are ``{code, message}``; an
import answers with its report, and with 422 when a real (not dry-run) import was refused for errors in rows.
"""

from __future__ import annotations

import datetime as dt
import json
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from grassroots import clock
from grassroots.downloads import attachment
from grassroots.errors import DomainError
from grassroots.masking import MaskedText
from grassroots.sheets import XLSX_CONTENT_TYPE
from grassroots.versioned import stored_version

from . import destinations, routing, selectors, services
from .models import Area, BoundaryVersion, Grid
from .validation import code_range_warning

router = Router(tags=["areas"])


class AreaOut(Schema):
    code: str
    name: str
    level: int
    kind: str
    parent_code: str | None
    is_synthetic: bool

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


@router.get("/", response=list[AreaOut], summary="The areas the caller's scope starts from")
def area_roots(request):
    return list(selectors.area_roots_for(user=request.user).select_related("parent"))


# --- routing a point -------------------------------------------------------------------------------------
# Declared before "/{code}" so that "route" is never taken for an area code.


class RouteQuery(Schema):
    lon: float = Field(description="longitude in decimal degrees")
    lat: float = Field(description="latitude in decimal degrees")
    crs: str = Field("wgs84", description="coordinate system of lon/lat: wgs84, cgcs2000, gcj02 or bd09")
    accuracy: float | None = Field(None, description="accuracy in metres, as the device reported it")
    within: str | None = Field(None, description="an area code: route only to grids and inboxes under it")


class RouteOut(Schema):
    grid_code: str | None = Field(description="the grid, when the point is inside or near one")
    area_code: str = Field(description="the grid, or the village / township whose inbox receives the point")
    area_name: str | None = Field(description="the name of area_code, when the caller's scope reaches it")
    method: str = Field(description="inside, nearest, fallback_village or fallback_township")
    distance_m: float | None = Field(description="metres to the nearest grid or township, when outside")
    lon: float = Field(description="WGS-84 longitude after conversion")
    lat: float = Field(description="WGS-84 latitude after conversion")
    crs: str = Field(description="the coordinate system the point came in")
    accuracy_m: float | None
    explanation: str = Field(description="how it was decided, in words")


class RouteErrorOut(Schema):
    code: str = Field(description="bad_coordinates, bad_accuracy, bad_crs, bad_area_code or no_grids")
    message: MaskedText
    detail: dict[str, Any] | None = None


@router.get(
    "/route",
    response={200: RouteOut, 400: RouteErrorOut, 503: RouteErrorOut},
    summary="Which grid (or inbox) a point belongs to, and how that was decided",
)
def area_route(request, query: Query[RouteQuery]):
    result = routing.route_point(
        query.lon, query.lat, crs=query.crs, accuracy_m=query.accuracy, within=query.within
    )
    area_name = destinations.visible_area_name(user=request.user, code=result.area_code)
    return {
        "grid_code": result.grid_code,
        "area_code": result.area_code,
        "area_name": area_name,
        "method": result.method.value,
        "distance_m": result.distance_m,
        "lon": result.lon,
        "lat": result.lat,
        "crs": result.crs,
        "accuracy_m": result.accuracy_m,
        # names within the caller's scope only, as area_name; the code otherwise
        "explanation": str(result.explain(name=area_name or result.area_code)),
    }


class DestinationQuery(Schema):
    lon: float = Field(description="longitude in decimal degrees")
    lat: float = Field(description="latitude in decimal degrees")
    crs: str = Field("wgs84", description="coordinate system of lon/lat: wgs84, cgcs2000, gcj02 or bd09")
    home: str | None = Field(
        None,
        description="comma-separated county codes the reporter lives in (default: the counties of the caller's "
        "grants); a point outside them needs confirming",
    )


class DestinationOut(Schema):
    area_name: str = Field(
        description="the name of the grid, village or township that would receive a report"
    )
    level: int = Field(description="its level: 6 grid, 5 village or community, 4 township or street")
    distance_m: float | None = Field(description="metres to the nearest grid (0 inside one)")
    far: bool = Field(description="farther than ROUTING_NEAREST_METRES from every grid")
    outside_home: bool = Field(description="outside the reporter's counties")
    confirm: bool = Field(description="a report here must be sent with confirm_far (POST /api/v1/cases/)")
    message: MaskedText = Field(
        description="why it must be confirmed, naming the area; empty when it need not be"
    )


@router.get(
    "/destination",
    response={200: DestinationOut, 400: RouteErrorOut, 503: RouteErrorOut},
    summary="Where a report at this point would go, by name, and whether the reporter must confirm it",
)
def area_destination(request, query: Query[DestinationQuery]):
    """Only the receiving area's name is told, whoever asks and wherever the point is: enough for a
    reporter to see that a mistaken pin would send their report elsewhere, nothing more about that area."""
    result = routing.route_point(query.lon, query.lat, crs=query.crs)
    home = query.home.split(",") if query.home else selectors.home_counties_of_grants(user=request.user)
    found = destinations.destination(result, home_counties=[c.strip() for c in home if c.strip().isdigit()])
    return {
        "area_name": found.area_name,
        "level": found.level,
        "distance_m": None if found.distance_m is None else round(found.distance_m),
        "far": found.far,
        "outside_home": found.outside_home,
        "confirm": bool(found.message),
        "message": found.message,
    }


@router.get("/{code}", response=AreaOut, summary="One area (404 outside the caller's scope)")
def area_detail(request, code: str):
    return selectors.area_get_for(user=request.user, code=code)


@router.get("/{code}/children", response=list[AreaOut], summary="The visible children of an area")
def area_children(request, code: str):
    area = selectors.area_get_for(user=request.user, code=code)
    return list(selectors.area_children_for(user=request.user, area=area).select_related("parent"))


# --- grids on the map ----------------------------------------------------------------------------------


class GridProperties(Schema):
    code: str
    name: str
    kind: str = Field(description="community / dedicated / rural")
    target_households: int | None


class GridFeature(Schema):
    type: str = "Feature"
    id: str
    geometry: dict[str, Any] = Field(description="GeoJSON Polygon or MultiPolygon, WGS-84 lon/lat")
    properties: GridProperties


class GridFeatureCollection(Schema):
    type: str = "FeatureCollection"
    features: list[GridFeature]
    bbox: list[float] | None = Field(description="min_lon, min_lat, max_lon, max_lat of the grids returned")
    truncated: bool = Field(description="more grids matched than `limit`: ask again with a smaller `bbox`")


class GridMapQuery(Schema):
    bbox: str | None = Field(None, description="min_lon,min_lat,max_lon,max_lat: only grids meeting this box")
    limit: int = Field(selectors.MAP_GRID_LIMIT, ge=1, le=selectors.MAP_GRID_LIMIT)


_GZIP = GZipMiddleware(lambda request: None)


class BadBbox(DomainError):
    code = "bad_bbox"


def _parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if not raw:
        return None
    try:
        parts = tuple(float(p) for p in raw.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4 or parts[0] > parts[2] or parts[1] > parts[3]:
        raise BadBbox(
            _(
                "bbox is four numbers min_lon,min_lat,max_lon,max_lat with the minimum first, e.g. 107,40,108,41."
            )
        )
    return parts  # type: ignore[return-value]


@router.get(
    "/{code}/grids.geojson",
    response=GridFeatureCollection,
    summary="Outlines of the grids under an area, simplified for its level (GeoJSON FeatureCollection)",
)
def area_grids_geojson(request, code: str, query: Query[GridMapQuery]):
    area = selectors.area_get_for(user=request.user, code=code)
    found = selectors.grid_features_for(
        user=request.user, area=area, bbox=_parse_bbox(query.bbox), limit=query.limit
    )
    # The geometries arrive as GeoJSON text from shapely; splice them in rather than parse and re-encode
    # thousands of polygons.
    features = ",".join(
        '{"type":"Feature","id":'
        + json.dumps(row["code"])
        + ',"geometry":'
        + geometry
        + ',"properties":'
        + json.dumps(row, ensure_ascii=False)
        + "}"
        for row, geometry in zip(found.rows, found.geometries, strict=True)
    )
    body = (
        '{"type":"FeatureCollection","features":['
        + features
        + '],"bbox":'
        + json.dumps(list(found.bbox) if found.bbox else None)
        + ',"truncated":'
        + json.dumps(found.truncated)
        + "}"
    )
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    # A city's outlines are ~2 MB of JSON and shrink about fivefold; they hold no secret to leak.
    return _GZIP.process_response(request, response)


class OutlineQuery(Schema):
    zoom: int = Field(
        selectors.OUTLINE_DEFAULT_ZOOM,
        ge=selectors.OUTLINE_MIN_ZOOM,
        le=selectors.OUTLINE_MAX_ZOOM,
        description="the map's zoom level: lines are simplified by half a pixel at it",
    )


class OutlineProperties(Schema):
    code: str
    name: str
    level: int = Field(description="4 township or street, 5 village or community, 6 grid")
    kind: str = Field(description="a grid's kind (community / dedicated / rural); empty for other areas")


class OutlineFeature(Schema):
    type: str = "Feature"
    id: str
    geometry: dict[str, Any] = Field(description="GeoJSON Polygon or MultiPolygon, WGS-84 lon/lat")
    properties: OutlineProperties


class OutlineCollection(Schema):
    type: str = "FeatureCollection"
    features: list[OutlineFeature]
    bbox: list[float] | None
    truncated: bool
    root: str = Field(description="the area whose outlines these are: the township of a grid or village")


OUTLINE_CACHE_SECONDS = 600


@router.get(
    "/{code}/outlines.geojson",
    response=OutlineCollection,
    summary="Outlines around an area for a map: its township, the township's villages and grids, by name",
)
def area_outlines(request, code: str, query: Query[OutlineQuery]):
    """Names and boundaries only (no households, no cases), for anyone whose grants lie in the same county;
    404 otherwise. Cached per boundary version, day and zoom: every map of a township shares one answer."""
    root = selectors.outline_root_for(user=request.user, code=code)
    version = stored_version(BoundaryVersion)
    key = f"areas:outlines:{version and version[0]}:{clock.today().isoformat()}:{root.code}:{query.zoom}"
    body = cache.get(key)
    if body is None:
        found = selectors.outlines_under(root=root, zoom=query.zoom)
        body = (
            '{"type":"FeatureCollection","features":['
            + ",".join(found.features)
            + '],"bbox":'
            + json.dumps(list(found.bbox) if found.bbox else None)
            + ',"truncated":'
            + json.dumps(found.truncated)
            + ',"root":'
            + json.dumps(root.code)
            + "}"
        )
        cache.set(key, body, OUTLINE_CACHE_SECONDS)
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    patch_cache_control(response, private=True, max_age=300)
    return _GZIP.process_response(request, response)


class VillageGroupOut(Schema):
    number: int
    name: str


class GridOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    sequence: int
    village_code: str
    village_name: str
    village_groups: list[VillageGroupOut]
    target_households: int | None
    boundary: dict[str, Any] | None
    bbox: list[float] | None
    boundary_updated_at: datetime | None
    is_synthetic: bool


def grid_out(grid) -> dict:
    area = grid.area
    return {
        "code": area.code,
        "name": area.name,
        "kind": grid.kind,
        "kind_label": str(grid.get_kind_display()),
        "sequence": grid.sequence,
        "village_code": area.parent.code if area.parent_id else "",
        "village_name": area.parent.name if area.parent_id else "",
        "village_groups": [{"number": g.number, "name": g.name} for g in grid.village_groups.all()],
        "target_households": grid.target_households,
        "boundary": grid.boundary,
        "bbox": [grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat]
        if grid.min_lon is not None
        else None,
        "boundary_updated_at": grid.boundary_updated_at,
        "is_synthetic": area.is_synthetic,
    }


@router.get("/{code}/grid", response=GridOut, summary="One grid: kind, sequence, village groups, boundary")
def grid_detail(request, code: str):
    return grid_out(selectors.grid_get_for(user=request.user, code=code))


# --- area data: changing the tree and its files (administrators) --------------------------------------

area_data_router = Router(tags=["area data"])


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


@area_data_router.post("/areas", response={201: AreaDataOut}, summary="Create an area (not a grid)")
def area_create(request, payload: AreaCreateIn):
    area = services.area_create(actor=request.user, request=request, **payload.dict())
    return Status(201, _area_out(area))


@area_data_router.patch("/areas/{code}", response=AreaDataOut, summary="Correct an area's fields")
def area_update(request, code: str, payload: AreaUpdateIn):
    area = selectors.managed_area_get_for(user=request.user, code=code)
    area = services.area_update(
        actor=request.user, area=area, request=request, **payload.dict(exclude_unset=True)
    )
    return _area_out(area)


@area_data_router.post("/areas/{code}/rename", response=AreaDataOut, summary="Rename, keeping history")
def area_rename(request, code: str, payload: RenameIn):
    area = selectors.managed_area_get_for(user=request.user, code=code)
    area = services.area_rename(
        actor=request.user, area=area, new_name=payload.new_name, on=payload.on, request=request
    )
    return _area_out(area)


@area_data_router.post(
    "/areas/{code}/merge",
    response=AreaDataOut,
    summary="Merge into another area of the same level (refused while sub-areas are in force)",
)
def area_merge(request, code: str, payload: AreaMergeIn):
    area = selectors.managed_area_get_for(user=request.user, code=code)
    into = selectors.managed_area_get_for(user=request.user, code=payload.into)
    area = services.area_merge(actor=request.user, area=area, into=into, on=payload.on, request=request)
    return _area_out(area)


@area_data_router.post("/areas/{code}/close", response=AreaDataOut, summary="Close an area without successor")
def area_close(request, code: str, payload: CloseIn):
    area = selectors.managed_area_get_for(user=request.user, code=code)
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


@area_data_router.post(
    "/grids", response={201: GridDataOut}, summary="Create a grid in a village or community"
)
def grid_create(request, payload: GridCreateIn):
    village = selectors.managed_area_get_for(user=request.user, code=payload.village_code)
    fields = payload.dict(exclude={"village_code"})
    grid = services.grid_create(actor=request.user, village=village, request=request, **fields)
    return Status(201, _grid_out(grid))


@area_data_router.patch("/grids/{code}", response=GridDataOut, summary="Change a grid")
def grid_update(request, code: str, payload: GridUpdateIn):
    grid = selectors.managed_grid_get_for(user=request.user, code=code)
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


@area_data_router.post("/village-groups", response={201: VillageGroupDataOut}, summary="Add a village group")
def village_group_create(request, payload: VillageGroupIn):
    village = selectors.managed_area_get_for(user=request.user, code=payload.village_code)
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


def _import_under(request, code: str, importer, file, dry_run: bool):
    """Run an importer (``services.tree_import``, ``services.boundaries_import``) under an area the caller
    manages, and answer with its report."""
    area = selectors.managed_area_get_for(user=request.user, code=code)
    report = importer(actor=request.user, file=file, root_code=area.code, dry_run=dry_run, request=request)
    return _report_response(report)


@area_data_router.get(
    "/template.xlsx", summary="The empty tree import template (Excel)", response={200: None}
)
def tree_template(request):
    return attachment(services.tree_template(), "template.xlsx", XLSX_CONTENT_TYPE)


@area_data_router.post(
    "/areas/{code}/tree-import",
    response=IMPORT_RESPONSES,
    summary="Import areas and grids under an area from an Excel workbook (all or nothing)",
    description="multipart/form-data with `file` (.xlsx) and `dry_run`. 200 with the report; 422 with the "
    "report when rows have errors (nothing written); 400 when the file as a whole is unusable.",
)
def tree_import(request, code: str, file: File[UploadedFile], dry_run: Form[bool] = False):
    return _import_under(request, code, services.tree_import, file, dry_run)


@area_data_router.get(
    "/areas/{code}/tree-export",
    summary="The tree under an area as an Excel workbook",
    response={200: None},
)
def tree_export(request, code: str):
    area = selectors.managed_area_get_for(user=request.user, code=code)
    data = services.tree_export(actor=request.user, root_code=area.code, request=request)
    return attachment(data, f"{area.code}.xlsx", XLSX_CONTENT_TYPE)


@area_data_router.post(
    "/areas/{code}/boundaries-import",
    response=IMPORT_RESPONSES,
    summary="Import grid boundaries under an area from a GeoJSON FeatureCollection (all or nothing)",
    description="multipart/form-data with `file` and `dry_run`. Errors name the feature's index and code.",
)
def boundaries_import(request, code: str, file: File[UploadedFile], dry_run: Form[bool] = False):
    return _import_under(request, code, services.boundaries_import, file, dry_run)


@area_data_router.get(
    "/areas/{code}/boundaries-export",
    summary="Boundaries of the grids in force under an area (GeoJSON FeatureCollection)",
    response={200: None},
)
def boundaries_export(request, code: str):
    area = selectors.managed_area_get_for(user=request.user, code=code)
    collection = services.boundaries_export(actor=request.user, root_code=area.code, request=request)
    body = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type="application/geo+json; charset=utf-8")
