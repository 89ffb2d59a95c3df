"""Reads of the area tree, scoped by the one scoping function; and for its administrators (the import / export
page, the area-data API) the areas they manage and the import runs of a page's kinds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from grassroots.accounts.rules import can_manage_area, can_view_area, require
from grassroots.accounts.scoping import OutOfScope, is_unrestricted, scope_codes, scoped

from . import import_kinds
from .codes import Level, ancestor_codes
from .models import Area, Grid, ImportRun


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


def _require_kinds(user, code: str, kinds) -> list[str]:
    """The names of ``kinds`` (registered import kinds), once ``user`` holds each one's permission on the
    area ``code`` (404 outside their scope, 403 inside it without the role)."""
    names = [str(kind) for kind in kinds]
    for name in names:
        require(user, import_kinds.get(name).permission, code)
    return names


def import_run_list_for(*, user, code: str, kinds, limit: int = 10) -> QuerySet[ImportRun]:
    """The latest uploads of the given kinds for an area (those who may import them see each other's, for
    the record)."""
    names = _require_kinds(user, code, kinds)
    return (
        ImportRun.objects.filter(area_code=code, kind__in=names)
        .select_related("actor")
        .defer("content", "report")
        .order_by("-created_at", "-id")[:limit]
    )


def import_run_get_for(*, user, code: str, pk: int, kinds) -> ImportRun:
    """One upload of the area, of one of the given kinds (a run of another kind is not found: each page
    shows only its own)."""
    names = _require_kinds(user, code, kinds)
    try:
        return (
            ImportRun.objects.select_related("actor")
            .defer("content")
            .get(pk=pk, area_code=code, kind__in=names)
        )
    except ImportRun.DoesNotExist:
        raise OutOfScope from None
