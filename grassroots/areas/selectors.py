"""Reads of the area tree, scoped by the one scoping function; and for its administrators (the import / export
page, the area-data API) the areas they manage."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from grassroots.accounts.rules import can_manage_area, can_view_area, require
from grassroots.accounts.scoping import OutOfScope, covers, is_unrestricted, scope_codes, scoped

from .codes import CODE_LENGTH, Level, ancestor_codes
from .models import Area, Grid


def area_get_for(*, user, code: str) -> Area:
    """The area with ``code`` if the user's scope reaches it (or a part of it), else 404."""
    require(user, can_view_area, code)
    try:
        return Area.objects.select_related("parent").get(code=code)
    except Area.DoesNotExist:
        raise OutOfScope from None


def area_roots_for(*, user) -> QuerySet[Area]:
    """Where the user's area browser starts: the areas of their grants (the provinces for a superuser)."""
    if is_unrestricted(user):
        return Area.objects.current().filter(parent__isnull=True)
    return Area.objects.filter(code__in=scope_codes(user)).order_by("code")


def area_children_for(*, user, area: Area) -> QuerySet[Area]:
    """Children of an area that the user may see: all of them inside their scope, and the one path
    down to their scope when they stand above it."""
    children = Area.objects.current().filter(parent=area).order_by("code")
    if is_unrestricted(user):
        return children
    codes = scope_codes(user)
    if any(area.code.startswith(c) for c in codes):
        return children
    visible = {c[: len(area.code) + _step(area.code)] for c in codes if c.startswith(area.code)}
    return children.filter(code__in=visible)


def _step(code: str) -> int:
    return {2: 2, 4: 2, 6: 3, 9: 3, 12: 3}.get(len(code), 0)


def area_breadcrumbs(area: Area) -> list[Area]:
    codes = ancestor_codes(area.code)
    by_code = {a.code: a for a in Area.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def grid_get_for(*, user, code: str) -> Grid:
    """The grid with ``code`` (its area, village and village groups loaded) if in the user's scope, else 404."""
    require(user, can_view_area, code)
    try:
        return (
            Grid.objects.select_related("area", "area__parent")
            .prefetch_related("village_groups")
            .get(area__code=code)
        )
    except Grid.DoesNotExist:
        raise OutOfScope from None


# Simplification tolerance in degrees by the level of the area whose grids are drawn: a city map shows
# thousands of grids a few pixels wide, a village map shows every corner. 0.0001° ≈ 10 m.
MAP_TOLERANCE: dict[int, float] = {
    Level.PROVINCE: 0.003,
    Level.CITY: 0.0008,
    Level.COUNTY: 0.0003,
    Level.TOWNSHIP: 0.0001,
    Level.VILLAGE: 0.0,
    Level.GRID: 0.0,
}
MAP_GRID_LIMIT = 8000


@dataclass(frozen=True)
class GridFeatures:
    """Grid outlines ready for a map: GeoJSON geometry strings beside the grid's properties."""

    rows: list[dict]  # code, name, kind, target_households
    geometries: list[str]  # GeoJSON geometry text, same order as rows
    bbox: tuple[float, float, float, float] | None
    truncated: bool


def grid_features_for(
    *,
    user,
    area: Area,
    bbox: tuple[float, float, float, float] | None = None,
    limit: int = MAP_GRID_LIMIT,
) -> GridFeatures:
    """Outlines of the grids under ``area`` that the user may see, simplified for the area's level.

    ``bbox`` (min_lon, min_lat, max_lon, max_lat) keeps only grids whose bounding box meets it (the map asks
    for its viewport when an area has more than ``limit`` grids). One query; the geometry work is vectorised.
    """
    grids = scoped(
        Grid.objects.filter(area__in=Area.objects.current().under(area.code), boundary__isnull=False),
        user,
        field="area__code",
    )
    tolerance = MAP_TOLERANCE.get(area.level, 0.0)
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        grids = grids.filter(
            max_lon__gte=min_lon, min_lon__lte=max_lon, max_lat__gte=min_lat, min_lat__lte=max_lat
        )
        # A viewport needs no more detail than about a quarter of a pixel of a 1000-pixel-wide map.
        tolerance = min(tolerance, (max_lon - min_lon) / 4000)
    rows = list(
        grids.order_by("area__code").values(
            "area__code",
            "area__name",
            "kind",
            "target_households",
            "min_lon",
            "min_lat",
            "max_lon",
            "max_lat",
            geometry=Cast("boundary", output_field=TextField()),
        )[: limit + 1]
    )
    truncated = len(rows) > limit
    rows = rows[:limit]
    shapes = shapely.from_geojson([r.pop("geometry") for r in rows], on_invalid="ignore") if rows else []
    if tolerance > 0 and len(shapes):
        # For drawing only: the fast simplification may bend a ring across itself, which no map shows;
        # a grid too small to keep any area at this tolerance is drawn as it is rather than dropped.
        simplified = shapely.simplify(shapes, tolerance, preserve_topology=False)
        shapes = np.where(shapely.is_empty(simplified), shapes, simplified)
    # Round to ~1 m (0.00001°) when simplified, ~0.1 m otherwise: smaller responses, no visible change.
    if len(shapes):
        decimals = 5 if tolerance > 0 else 6
        shapes = shapely.transform(shapes, lambda xy: np.round(xy, decimals))
    kept_rows, geometries = [], []
    for row, text in zip(rows, shapely.to_geojson(shapes) if len(shapes) else [], strict=True):
        if text is None or text.endswith("[]}"):  # unreadable or collapsed boundary: leave it off the map
            continue
        kept_rows.append(
            {
                "code": row["area__code"],
                "name": row["area__name"],
                "kind": row["kind"],
                "target_households": row["target_households"],
            }
        )
        geometries.append(text)
    box = _overall_bbox(rows)
    return GridFeatures(rows=kept_rows, geometries=geometries, bbox=box, truncated=truncated)


def _overall_bbox(rows: list[dict]) -> tuple[float, float, float, float] | None:
    boxes = [r for r in rows if r["min_lon"] is not None]
    if not boxes:
        return None
    return (
        min(r["min_lon"] for r in boxes),
        min(r["min_lat"] for r in boxes),
        max(r["max_lon"] for r in boxes),
        max(r["max_lat"] for r in boxes),
    )


# --- outlines: a grid, its village and township, and the grids around it, on every map --------------------

OUTLINE_MIN_ZOOM, OUTLINE_MAX_ZOOM, OUTLINE_DEFAULT_ZOOM = 5, 19, 14


def outline_tolerance(zoom: int) -> float:
    """Simplification tolerance in degrees for a web-map zoom level: half a pixel of a 256-pixel tile, so a
    simplified line never moves by a visible amount (zoom 17: about 0.5 m; zoom 12: about 17 m)."""
    zoom = min(max(zoom, OUTLINE_MIN_ZOOM), OUTLINE_MAX_ZOOM)
    return 0.5 * 360.0 / (256 * 2**zoom)


def _outline_counties(user) -> list[str]:
    """The counties whose outlines (names and boundaries of grids, villages and townships, nothing else)
    the user may read: those their grants lie in, a grant above a county counting whole. A resident's map
    shows the grids around theirs, across a township's edge too; another county's, never."""
    county = CODE_LENGTH[Level.COUNTY]
    return sorted({code[:county] for code in scope_codes(user)})


def home_counties_of_grants(*, user) -> list[str]:
    """The counties of the user's grants (the reporter's home, when the page does not say otherwise)."""
    return _outline_counties(user)


def outline_root_for(*, user, code: str) -> Area:
    """The area whose outlines a map of ``code`` draws: the township of a grid or village (its villages and
    grids are the neighbourhood), the area itself above that. 404 unless the user's grants reach ``code``
    (or a part of it) or lie in the same county."""
    allowed = covers(user, code) or (
        len(code) >= CODE_LENGTH[Level.COUNTY] and any(code.startswith(c) for c in _outline_counties(user))
    )
    if not allowed:
        raise OutOfScope
    area = Area.objects.current().filter(code=code).first()
    if area is None:
        raise OutOfScope
    root_code = code[: CODE_LENGTH[Level.TOWNSHIP]] if area.level >= Level.TOWNSHIP else code
    return area if root_code == code else Area.objects.get(code=root_code)


@dataclass(frozen=True)
class Outlines:
    """Outlines under an area as GeoJSON feature text, largest first (townships, villages, then grids, so
    that a map draws the small ones on top), with the bounding box of all of them."""

    features: list[str]
    bbox: tuple[float, float, float, float] | None
    truncated: bool


def outlines_under(*, root: Area, zoom: int, limit: int = MAP_GRID_LIMIT) -> Outlines:
    """The outlines of ``root`` (when not above a county), its villages and townships (their own boundary,
    else the hull of their grids, as routing uses) and its grids, simplified for ``zoom``: names, codes,
    levels and grid kinds only. Not scoped: call :func:`outline_root_for` first. Two queries."""
    tolerance = outline_tolerance(zoom)
    current = Area.objects.current()
    grid_rows = list(
        Grid.objects.filter(area__in=current.under(root.code), boundary__isnull=False)
        .order_by("area__code")
        .values_list("area__code", "area__name", "kind", Cast("boundary", output_field=TextField()))[
            : limit + 1
        ]
    )
    truncated = len(grid_rows) > limit
    grid_rows = grid_rows[:limit]
    lowest = max(root.level, Level.TOWNSHIP)
    area_rows = list(
        current.under(root.code)
        .filter(level__gte=lowest, level__lte=Level.VILLAGE)
        .order_by("level", "code")
        .values_list("code", "name", "level", Cast("boundary", output_field=TextField()))
    )
    grid_shapes = shapely.from_geojson([r[3] for r in grid_rows], on_invalid="ignore") if grid_rows else []
    parts: dict[str, list] = {}
    for (code, *_rest), geometry in zip(grid_rows, grid_shapes, strict=True):
        if geometry is None:
            continue
        for level in (Level.TOWNSHIP, Level.VILLAGE):
            parts.setdefault(code[: CODE_LENGTH[level]], []).append(geometry)
    props: list[dict] = []
    shapes: list = []
    for code, name, level, boundary in area_rows:
        geometry = shapely.from_geojson(boundary, on_invalid="ignore") if boundary else None
        if geometry is None and parts.get(code):
            geometry = shapely.convex_hull(shapely.GeometryCollection(parts[code]))
        if geometry is None or geometry.is_empty:
            continue
        props.append({"code": code, "name": name, "level": int(level), "kind": ""})
        shapes.append(geometry)
    for (code, name, kind, _boundary), geometry in zip(grid_rows, grid_shapes, strict=True):
        if geometry is not None:
            props.append({"code": code, "name": name, "level": int(Level.GRID), "kind": kind})
            shapes.append(geometry)
    if not shapes:
        return Outlines([], None, truncated)
    array = np.array(shapes, dtype=object)
    simplified = shapely.simplify(array, tolerance, preserve_topology=True)
    array = np.where(shapely.is_empty(simplified), array, simplified)
    array = shapely.transform(array, lambda xy: np.round(xy, 6))
    bounds = shapely.total_bounds(array)
    features = [
        '{"type":"Feature","id":'
        + json.dumps(p["code"])
        + ',"geometry":'
        + text
        + ',"properties":'
        + json.dumps(p, ensure_ascii=False)
        + "}"
        for p, text in zip(props, shapely.to_geojson(array), strict=True)
        if text is not None
    ]
    return Outlines(features, tuple(float(b) for b in bounds), truncated)  # type: ignore[arg-type]


# --- for the administrators of an area: the import / export page and the area-data API ---------------


def managed_area_get_for(*, user, code: str) -> Area:
    """An area the user administers: 404 outside their scope, 403 inside it without the role."""
    require(user, can_manage_area, code)
    try:
        return Area.objects.select_related("parent", "successor").get(code=code)
    except Area.DoesNotExist:
        raise OutOfScope from None


def managed_grid_get_for(*, user, code: str) -> Grid:
    require(user, can_manage_area, code)
    try:
        return Grid.objects.select_related("area", "area__parent").get(area__code=code)
    except Grid.DoesNotExist:
        raise OutOfScope from None
