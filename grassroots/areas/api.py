"""JSON API for the area tree (mounted at /api/v1/areas)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from grassroots.errors import DomainError
from grassroots.masking import MaskedText

from . import routing, selectors

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
    return {
        "grid_code": result.grid_code,
        "area_code": result.area_code,
        "area_name": routing.visible_area_name(user=request.user, code=result.area_code),
        "method": result.method.value,
        "distance_m": result.distance_m,
        "lon": result.lon,
        "lat": result.lat,
        "crs": result.crs,
        "accuracy_m": result.accuracy_m,
        "explanation": str(result.explain()),
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
