"""Grid boundaries: GeoJSON Polygon / MultiPolygon in WGS-84 (longitude, latitude), checked before storing.

:func:`clean` turns what a person or a GIS tool sent into a normalised GeoJSON geometry and a shapely
geometry, or raises :class:`GeometryError` with a message that says what is wrong and where.
:class:`Placement` checks "inside nothing foreign": a grid may not overlap grids of another village and must
lie inside its village's own boundary when the village has one; overlaps between grids of one village are
returned as warnings for a person to look at, not refused.

Areas and overlaps are measured in metres on a local equirectangular projection around the geometry: at
grid scale (metres to tens of kilometres) its error is far below the digitising error of the boundaries.
Strips narrower than :data:`SLIVER_METRES` are digitising noise along shared edges and never count.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable

import numpy as np
import shapely
from django.utils.translation import gettext_lazy as _
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from grassroots import geo
from grassroots.errors import DomainError

MIN_AREA_M2 = 100.0
SLIVER_METRES = 5.0
DECIMALS = 7  # about 1 cm
MAX_VERTICES = 100_000


class GeometryError(DomainError):
    code = "bad_boundary"


@dataclasses.dataclass(frozen=True)
class Boundary:
    """A checked boundary: ``geojson`` is what is stored, ``shape`` what is computed with."""

    geojson: dict
    shape: BaseGeometry

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return tuple(self.shape.bounds)  # (min_lon, min_lat, max_lon, max_lat)


def clean(geometry: object) -> Boundary:
    """Check a GeoJSON geometry and return it normalised (2-D, rounded to :data:`DECIMALS`)."""
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict):
        raise GeometryError(
            _("A boundary is a GeoJSON geometry object with a type and coordinates."), code="boundary_type"
        )
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeometryError(
            _("A boundary is a GeoJSON Polygon or MultiPolygon, not %(type)s.") % {"type": kind or "—"},
            code="boundary_type",
        )
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list | tuple) or not polygons:
        raise GeometryError(_("The boundary has no coordinates."), code="boundary_coordinates")
    cleaned = [_clean_polygon(p, number=i + 1, of=len(polygons)) for i, p in enumerate(polygons)]
    _check_vertex_count(cleaned)
    _check_ranges(cleaned)
    normalised = {"type": kind, "coordinates": cleaned[0] if kind == "Polygon" else cleaned}
    parts = [Polygon(np.asarray(p[0]), [np.asarray(h) for h in p[1:]]) for p in cleaned]
    geom = parts[0] if kind == "Polygon" else MultiPolygon(parts)
    _check_valid(geom)
    _check_area(geom)
    return Boundary(geojson=normalised, shape=geom)


def _clean_polygon(polygon: object, *, number: int, of: int) -> list:
    where = _("polygon %(n)d: ") % {"n": number} if of > 1 else ""
    if not isinstance(polygon, list | tuple) or not polygon:
        raise GeometryError(
            _("%(where)sA polygon is a list of rings (the outline first, then any holes).")
            % {"where": where},
            code="boundary_coordinates",
        )
    rings = []
    for r, ring in enumerate(polygon):
        label = _("the outline") if r == 0 else _("hole %(n)d") % {"n": r}
        if not isinstance(ring, list | tuple):
            raise GeometryError(
                _("%(where)s%(ring)s is not a list of positions.") % {"where": where, "ring": label},
                code="boundary_coordinates",
            )
        checked = [_clean_position(p, where=where, ring=label) for p in ring]
        positions = np.round(np.array(checked, dtype=float).reshape(-1, 2), DECIMALS).tolist()
        if len(positions) < 4:
            raise GeometryError(
                _(
                    "%(where)s%(ring)s has %(n)d positions; a ring needs at least 4 (3 corners and the first again)."
                )
                % {"where": where, "ring": label, "n": len(positions)},
                code="ring_too_short",
            )
        if positions[0] != positions[-1]:
            raise GeometryError(
                _(
                    "%(where)s%(ring)s is not closed: its last position must repeat the first (%(lon)s, %(lat)s)."
                )
                % {"where": where, "ring": label, "lon": positions[0][0], "lat": positions[0][1]},
                code="ring_not_closed",
            )
        rings.append(positions)
    return rings


def _clean_position(position: object, *, where, ring) -> tuple:
    if type(position) not in (list, tuple) or len(position) < 2:
        raise GeometryError(
            _("%(where)s%(ring)s has a position that is not [longitude, latitude]: %(value)s")
            % {"where": where, "ring": ring, "value": _short(position)},
            code="boundary_coordinates",
        )
    lon, lat = position[0], position[1]  # a third value (altitude) is dropped
    # type() rather than isinstance(): True is an int to Python but no coordinate.
    if type(lon) not in (float, int) or type(lat) not in (float, int) or not math.isfinite(lon + lat):
        raise GeometryError(
            _("%(where)s%(ring)s has a coordinate that is not a number: %(value)s")
            % {"where": where, "ring": ring, "value": _short(position)},
            code="boundary_coordinates",
        )
    return lon, lat


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_vertex_count(polygons: list) -> None:
    count = sum(len(ring) for polygon in polygons for ring in polygon)
    if count > MAX_VERTICES:
        raise GeometryError(
            _(
                "The boundary has %(n)d positions; at most %(max)d are accepted. Simplify it in your GIS first."
            )
            % {"n": count, "max": MAX_VERTICES},
            code="boundary_too_detailed",
        )


def _check_ranges(polygons: list) -> None:
    points = np.array([position for polygon in polygons for ring in polygon for position in ring])
    min_lon, min_lat, max_lon, max_lat = geo.CHINA_BOUNDS
    lons, lats = points[:, 0], points[:, 1]
    inside = (min_lon <= lons) & (lons <= max_lon) & (min_lat <= lats) & (lats <= max_lat)
    if inside.all():
        return
    lon, lat = (float(v) for v in points[int(np.argmin(inside))])  # the first position outside
    if geo.in_china_bounds(lat, lon):
        raise GeometryError(
            _(
                "Position (%(a)s, %(b)s) lies outside China, but would lie inside with the two numbers "
                "swapped: GeoJSON writes longitude first, then latitude."
            )
            % {"a": lon, "b": lat},
            code="swapped_coordinates",
        )
    if geo.is_point(lon, lat):
        raise GeometryError(
            _(
                "Position (%(lon)s, %(lat)s) lies outside China. Boundaries are WGS-84 longitude and latitude "
                "in degrees."
            )
            % {"lon": lon, "lat": lat},
            code="outside_china",
        )
    if abs(lon) > 1000 or abs(lat) > 1000:
        raise GeometryError(
            _(
                "Position (%(lon)s, %(lat)s) looks like projected metres, not degrees. Export the boundary in "
                "WGS-84 (EPSG:4326) longitude and latitude."
            )
            % {"lon": lon, "lat": lat},
            code="projected_coordinates",
        )
    raise GeometryError(
        _(
            "Position (%(lon)s, %(lat)s) is out of range: longitude runs from -180 to 180 and latitude from "
            "-90 to 90."
        )
        % {"lon": lon, "lat": lat},
        code="out_of_range",
    )


_REASON = re.compile(r"^(?P<reason>.*?)\s*\[(?P<x>[-0-9.eE+]+) (?P<y>[-0-9.eE+]+)\]$")
_REASONS = {
    "Self-intersection": _("The boundary crosses itself near (%(lon)s, %(lat)s)."),
    "Ring Self-intersection": _("A ring of the boundary touches itself near (%(lon)s, %(lat)s)."),
    "Hole lies outside shell": _("A hole lies outside the outline near (%(lon)s, %(lat)s)."),
    "Nested holes": _("A hole lies inside another hole near (%(lon)s, %(lat)s)."),
    "Interior is disconnected": _(
        "Holes cut the area in two near (%(lon)s, %(lat)s); draw two polygons instead."
    ),
    "Nested shells": _(
        "One polygon lies inside another near (%(lon)s, %(lat)s); draw it as a hole or merge them."
    ),
    "Duplicate Rings": _("The boundary has the same ring twice near (%(lon)s, %(lat)s)."),
    "Too few points": _("A ring collapses to fewer than 3 distinct corners near (%(lon)s, %(lat)s)."),
}


def _check_valid(geom: BaseGeometry) -> None:
    if geom.is_valid:
        return
    explanation = explain_validity(geom)
    match = _REASON.match(explanation)
    if match and match["reason"] in _REASONS:
        message = _REASONS[match["reason"]] % {
            "lon": round(float(match["x"]), 6),
            "lat": round(float(match["y"]), 6),
        }
    else:
        message = _("The boundary is not a valid polygon (%(reason)s).") % {"reason": explanation}
    raise GeometryError(
        _("%(problem)s Redraw that part so that the outline does not cross or touch itself.")
        % {"problem": message},
        code="invalid_polygon",
        detail={"reason": explanation},
    )


def _check_area(geom: BaseGeometry) -> None:
    size = area_m2(geom)
    if size < MIN_AREA_M2:
        raise GeometryError(
            _("The boundary encloses %(area).0f m²; a grid is at least %(min).0f m². Check the coordinates.")
            % {"area": size, "min": MIN_AREA_M2},
            code="boundary_too_small",
        )


def to_metres(geom: BaseGeometry, *, origin_lat: float | None = None) -> BaseGeometry:
    """The geometry on a local equirectangular projection (metres), centred on ``origin_lat``."""
    lat = geom.centroid.y if origin_lat is None else origin_lat
    kx, ky = geo.metres_per_degree(lat)
    return shapely.transform(geom, lambda xy: xy * (kx, ky))


def area_m2(geom: BaseGeometry) -> float:
    return to_metres(geom).area


def significant(part: BaseGeometry) -> bool:
    """Whether an intersection or difference (in metres) is more than a sliver along a shared edge."""
    if part.is_empty or part.area == 0:
        return False
    return not part.buffer(-SLIVER_METRES / 2).is_empty


def to_shape(geojson: dict | None) -> BaseGeometry | None:
    """A shapely geometry from a stored boundary (already checked when it was stored)."""
    if not geojson:
        return None
    geom = shape(geojson)
    if not geom.is_valid:  # written before these checks existed, or by hand
        geom = shapely.make_valid(geom)
    return None if geom.is_empty else geom


def same(a: dict | None, b: dict | None) -> bool:
    """Whether two stored boundaries are the same (both normalised by :func:`clean`)."""
    return (a or None) == (b or None)


def as_feature(geometry: dict | None, properties: dict) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


@dataclasses.dataclass(frozen=True)
class Neighbour:
    """A grid already placed (in the database or earlier in an import)."""

    code: str
    village_code: str
    shape: BaseGeometry


@dataclasses.dataclass(frozen=True)
class Finding:
    """A problem of a grid's placement: ``other`` is the grid (or village) it concerns."""

    other: str
    message: str

    def __str__(self):
        return str(self.message)


class Placement:
    """Checks grids against the grids around them; build it once for many checks (an STRtree)."""

    def __init__(self, neighbours: Iterable[Neighbour]):
        self.neighbours = list(neighbours)
        self._tree = shapely.STRtree([n.shape for n in self.neighbours])

    def check(
        self,
        *,
        code: str,
        shape: BaseGeometry,
        village_code: str,
        village_boundary: BaseGeometry | None,
        ignore: frozenset[str] = frozenset(),
    ) -> tuple[list[Finding], list[Finding]]:
        """(errors, warnings) for placing grid ``code`` with ``shape`` in its village.

        ``ignore`` names grids that the same change replaces or closes (the grid's own old boundary)."""
        errors: list = []
        warnings: list = []
        origin = shape.centroid.y
        local = to_metres(shape, origin_lat=origin)
        if village_boundary is not None:
            outside = local.difference(to_metres(village_boundary, origin_lat=origin))
            if significant(outside):
                errors.append(
                    Finding(
                        village_code,
                        _(
                            "Grid %(code)s reaches %(area).0f m² beyond the boundary of its village %(village)s. "
                            "Move its edge inside the village, or correct the village boundary first."
                        )
                        % {"code": code, "area": outside.area, "village": village_code},
                    )
                )
        candidates = self._tree.query(shape, predicate="intersects")
        if len(candidates):
            # Grids that only touch (a shared edge or corner) are the rule, not an overlap: keep those
            # whose interiors meet (DE-9IM interior/interior), in one vectorised call.
            shapes = self._tree.geometries.take(candidates)
            candidates = candidates[shapely.relate_pattern(shape, shapes, "T********")]
        for index in candidates:
            other = self.neighbours[int(index)]
            if other.code == code or other.code in ignore:
                continue
            overlap = local.intersection(to_metres(other.shape, origin_lat=origin))
            if not significant(overlap):
                continue
            values = {"code": code, "other": other.code, "area": overlap.area}
            if other.village_code != village_code:
                errors.append(
                    Finding(
                        other.code,
                        _(
                            "Grid %(code)s overlaps %(area).0f m² of grid %(other)s, which belongs to another "
                            "village. A place belongs to one grid only: move the shared edge."
                        )
                        % values,
                    )
                )
            else:
                warnings.append(
                    Finding(
                        other.code,
                        _(
                            "Grid %(code)s overlaps %(area).0f m² of grid %(other)s in the same village; "
                            "check the shared edge."
                        )
                        % values,
                    )
                )
        return errors, warnings


def feature_collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


__all__ = [
    "MIN_AREA_M2",
    "SLIVER_METRES",
    "Boundary",
    "Finding",
    "GeometryError",
    "Neighbour",
    "Placement",
    "area_m2",
    "as_feature",
    "clean",
    "feature_collection",
    "same",
    "significant",
    "to_shape",
]
