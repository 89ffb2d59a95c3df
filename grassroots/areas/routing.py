"""Point → grid routing (DESIGN.md section 3, "Routing").

A reported point arrives as longitude/latitude in one of four coordinate systems, with the accuracy the
device claimed. :func:`route_point` converts it to WGS-84 and decides where it belongs, in this order:

1. **inside** the grid whose polygon contains it (its border included). A point in two grids at once
   belongs to the smaller one, then to the lowest code: a dedicated grid (专属网格) drawn inside a
   community grid takes the reports made inside it, and a point exactly on a shared border gets the same
   answer whatever order the polygons were loaded in;
2. **nearest** grid within ``settings.ROUTING_NEAREST_METRES`` (ties again to the lowest code);
3. **fallback to a village inbox**: the village or community whose ``Area.boundary`` contains the point,
   else whose grids' convex hull does;
4. **fallback to a township inbox**: the same at township level, else the township whose grids' hull is
   nearest. A point is never dropped; only a city with no grid boundaries at all raises ``no_grids``.

The answer (:class:`RouteResult`) says how it was decided, in words a person can read (``explain``).

**Index.** Each process keeps an immutable snapshot of shapely 2 ``STRtree`` indexes (grids, village and
township boundaries and hulls), built lazily from the database, each with a cell table in front of it
for point-in-polygon lookups (see :class:`_CellTable`). The snapshot is keyed by the shared
``BoundaryVersion`` row (bumped by ``areas.services.boundaries_changed()`` in every transaction that
writes a boundary) and by the stretch of days around today in which the same areas are in force (areas come
into and go out of force at midnight; :func:`in_force_window`). Before routing,
the stored key is read with one tiny query and the snapshot is rebuilt when it differs, so several worker
processes stay correct without a shared cache. To keep throughput high the check is made at most once per
``settings.ROUTING_VERSION_CHECK_SECONDS`` (default 1 s) per process: **a process may route against the
previous boundaries for at most that long after the change commits, plus one rebuild (about half a second
for a city of 6,000 grids).** The thread that notices a change rebuilds under a lock (threads noticing it
at the same time wait for that one build); the others keep reading the old snapshot until the new one is
swapped in whole.

**Distances** are measured in metres in a local projection around the point: equirectangular with the
WGS-84 ellipsoid's meridian and prime-vertical radii at the point's latitude φ. Its relative error is
below d·tan φ / R for a distance d: about 0.005 % at 300 m and 0.15 % at 10 km in Inner Mongolia
(φ ≈ 41°), far below phone accuracy.
"""

from __future__ import annotations

import bisect
import json
import logging
import math
import numbers
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from shapely import STRtree
from shapely.geometry import shape

from grassroots import clock, geo
from grassroots.errors import DomainError
from grassroots.messages import Message
from grassroots.versioned import VersionedCopy, stored_version

from . import coords
from .codes import CODE_LENGTH, CodeError, Level, level_of
from .models import Area, BoundaryVersion, Grid

logger = logging.getLogger(__name__)


class Crs(models.TextChoices):
    """Coordinate systems a reported point may arrive in."""

    WGS84 = coords.WGS84, _("WGS-84 (GPS, WeChat location by default)")
    CGCS2000 = coords.CGCS2000, _("CGCS2000 (Tianditu)")
    GCJ02 = coords.GCJ02, _("GCJ-02 (WeChat maps, AMap, Tencent maps)")
    BD09 = coords.BD09, _("BD-09 (Baidu maps)")


class Method(models.TextChoices):
    """How a point was routed."""

    INSIDE = "inside", _("inside a grid")
    NEAREST = "nearest", _("nearest grid")
    FALLBACK_VILLAGE = "fallback_village", _("village or community inbox")
    FALLBACK_TOWNSHIP = "fallback_township", _("township or street inbox")


class RoutingError(DomainError):
    """A point that cannot be routed; ``code`` says why (bad_coordinates, bad_accuracy, bad_crs,
    bad_area_code, no_grids)."""

    code = "bad_coordinates"


@dataclass(frozen=True, slots=True)
class RouteResult:
    """Where a point belongs and how that was decided."""

    grid_code: str | None  # the grid, when inside or nearest; None when sent to an inbox
    area_code: str  # the grid's code, or the village / township whose inbox receives it
    method: Method
    distance_m: float | None  # to the nearest grid, or to the nearest township's grids; else None
    lon: float  # WGS-84, after conversion
    lat: float
    crs: str  # the system the point arrived in
    accuracy_m: float | None

    def explain(self, name: str | None = None) -> Message:
        """The decision as a message naming the receiving area (put into words in the reader's language when
        read). ``name``: the area's name as the reader may see it; by default the name on record (its code
        when it has none)."""
        if name is None:
            name = Area.objects.filter(code=self.area_code).values_list("name", flat=True).first()
        where = name or self.area_code
        if self.method == Method.INSIDE:
            return Message(_("inside grid %(name)s"), name=where)
        if self.method == Method.NEAREST:
            return Message(
                _("outside every grid: nearest grid %(name)s at %(distance)d m"),
                name=where,
                distance=round(self.distance_m or 0),
            )
        if self.method == Method.FALLBACK_VILLAGE:
            return Message(
                _("outside every grid: sent to the inbox of village or community %(name)s"), name=where
            )
        if self.distance_m is None:
            return Message(
                _("outside every grid: sent to the inbox of township or street %(name)s"), name=where
            )
        return Message(
            _(
                "outside every grid and every township: sent to the inbox of the nearest township or street "
                "%(name)s, %(distance)d m away"
            ),
            name=where,
            distance=round(self.distance_m),
        )


# --- geometry helpers -------------------------------------------------------------------------------------

_ORIGIN = shapely.Point(0.0, 0.0)
# The ufunc itself: the public wrapper adds about 1 µs a call to the hot path.
_intersects_xy = getattr(shapely.lib, "intersects_xy", shapely.intersects_xy)


def _parse_polygon(value: Any, *, what: str):
    """A GeoJSON Polygon / MultiPolygon (or a Feature holding one) as a valid shapely geometry, else
    None with a warning: one broken boundary must not stop the city's routing."""
    try:
        if isinstance(value, str):
            value = json.loads(value)
        if isinstance(value, dict) and value.get("type") == "Feature":
            value = value.get("geometry")
        if not value:
            return None
        geometry = shape(value)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
        logger.warning("routing: the boundary of %s is not GeoJSON (%s); skipped", what, exc)
        return None
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        logger.warning(
            "routing: the boundary of %s is a %s, not a polygon; skipped", what, geometry.geom_type
        )
        return None
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    return geometry


# --- the index --------------------------------------------------------------------------------------------


class _CellTable:
    """A uniform cell table in front of the STRtree for point-in-polygon, the hot path.

    The covered extent is cut into square cells about a third of a typical polygon's side. Each cell that
    meets any polygon's bounding box lists the polygons that meet it (found with the STRtree) in order of
    precedence; a cell lying wholly inside its first polygon stores that one as the answer outright. A
    lookup is then one dict access and at most a few prepared point-in-polygon tests: no geometry object
    is created per point. Cells are widened by :data:`_CELL_MARGIN` when they are tested, so rounding in
    the cell arithmetic can never lose a polygon that touches the point.
    """

    __slots__ = ("cells", "inverse", "x0", "y0")

    _MAX_CELLS = 2_000_000

    def __init__(self, geoms: np.ndarray, tree: STRtree, precedence: np.ndarray):
        self.cells: dict[tuple[int, int], int | tuple[int, ...]] = {}
        self.x0 = self.y0 = 0.0
        self.inverse = 1.0
        if geoms.size == 0:
            return
        bounds = shapely.bounds(geoms)
        self.x0, self.y0 = float(bounds[:, 0].min()), float(bounds[:, 1].min())
        sides = np.sqrt(np.maximum((bounds[:, 2] - bounds[:, 0]) * (bounds[:, 3] - bounds[:, 1]), 1e-12))
        size = max(float(np.median(sides)) / 3.0, 1e-5)
        origin = np.array([self.x0, self.y0, self.x0, self.y0])
        while True:
            span = np.floor((bounds - origin) / size).astype(np.int64)
            if int(((span[:, 2] - span[:, 0] + 1) * (span[:, 3] - span[:, 1] + 1)).sum()) <= self._MAX_CELLS:
                break
            size *= 1.5
        self.inverse = 1.0 / size
        keys = np.unique(
            np.concatenate(
                [
                    np.stack(np.meshgrid(np.arange(x0, x1 + 1), np.arange(y0, y1 + 1)), axis=-1).reshape(
                        -1, 2
                    )
                    for x0, y0, x1, y1 in span.tolist()
                ]
            ),
            axis=0,
        )
        cell_boxes = shapely.box(
            self.x0 + keys[:, 0] * size - _CELL_MARGIN,
            self.y0 + keys[:, 1] * size - _CELL_MARGIN,
            self.x0 + (keys[:, 0] + 1) * size + _CELL_MARGIN,
            self.y0 + (keys[:, 1] + 1) * size + _CELL_MARGIN,
        )
        cell_of, polygon_of = tree.query(cell_boxes, predicate="intersects")
        order = np.lexsort((precedence[polygon_of], cell_of))
        cell_of, polygon_of = cell_of[order], polygon_of[order]
        if cell_of.size == 0:
            return
        starts = np.flatnonzero(np.r_[True, cell_of[1:] != cell_of[:-1]])
        ends = np.r_[starts[1:], cell_of.size]
        whole = shapely.contains_properly(geoms[polygon_of[starts]], cell_boxes[cell_of[starts]])
        key_list = keys.tolist()
        polygon_list = polygon_of.tolist()
        for start, end, cell, inside in zip(
            starts.tolist(), ends.tolist(), cell_of[starts].tolist(), whole.tolist(), strict=True
        ):
            ix, iy = key_list[cell]
            self.cells[(ix, iy)] = polygon_list[start] if inside else tuple(polygon_list[start:end])

    def lookup(self, x: float, y: float) -> int | tuple[int, ...] | None:
        """The grid that surely contains the point (an int), the grids that might (a tuple), or None."""
        return self.cells.get(
            (math.floor((x - self.x0) * self.inverse), math.floor((y - self.y0) * self.inverse))
        )


_CELL_MARGIN = 1e-9  # degrees, about 0.1 mm


class _Layer:
    """Areas of one level with one polygon each, sorted by code, in an STRtree.

    Sorting by code makes "the lowest code" the lowest index and turns "under area X" into one
    contiguous index range (codes are paths), found by bisection. A point in several polygons goes to
    the smallest of them (areas compared to six significant figures), then to the lowest code: a
    dedicated grid drawn inside a community grid wins over it, and a point on a shared border gets the
    same answer every time.
    """

    __slots__ = ("cell_table", "code_length", "codes", "geoms", "tree")

    def __init__(self, items: Iterable[tuple[str, Any]], code_length: int):
        pairs = sorted(items, key=lambda item: item[0])
        self.code_length = code_length
        self.codes: list[str] = [code for code, _geometry in pairs]
        self.geoms = np.array([geometry for _code, geometry in pairs], dtype=object)
        shapely.prepare(self.geoms)
        self.tree = STRtree(self.geoms)
        self.cell_table = None
        if self.geoms.size:
            # Areas to six significant figures, so that float noise (two equal squares a float's last
            # digit apart) never decides and equal grids fall back to the lowest code.
            size = np.array([float(f"{a:.6g}") for a in shapely.area(self.geoms).tolist()])
            precedence = np.empty(self.geoms.size, dtype=np.int64)
            precedence[np.lexsort((np.arange(self.geoms.size), size))] = np.arange(self.geoms.size)
            self.cell_table = _CellTable(self.geoms, self.tree, precedence)

    def __len__(self) -> int:
        return len(self.codes)

    def range_under(self, within: str | None) -> tuple[int, int]:
        """Index range of the areas under ``within`` (or above it: the one area containing it)."""
        if within is None:
            return 0, len(self.codes)
        prefix = within[: self.code_length]
        return bisect.bisect_left(self.codes, prefix), bisect.bisect_left(self.codes, prefix + ":")

    def containing(self, x: float, y: float, lo: int, hi: int) -> int | None:
        """The index in [lo, hi) whose polygon contains the point or has it on its border; when several
        do, the one that takes precedence (see the class docstring)."""
        if self.cell_table is None:
            return None
        entry = self.cell_table.lookup(x, y)
        if entry is None:
            return None
        if entry.__class__ is int:
            if lo <= entry < hi:
                return entry
            entry = (entry,)
        geoms = self.geoms
        for found in entry:  # in order of precedence
            if lo <= found < hi and _intersects_xy(geoms[found], x, y):
                return found
        return None

    def nearest(
        self, lon: float, lat: float, max_metres: float, lo: int, hi: int
    ) -> tuple[int, float] | None:
        """(index, metres) of the polygon in [lo, hi) nearest the point, if within ``max_metres``."""
        kx, ky = geo.metres_per_degree(lat)
        d_lon, d_lat = max_metres / kx, max_metres / ky
        candidates = self.tree.query(shapely.box(lon - d_lon, lat - d_lat, lon + d_lon, lat + d_lat))
        candidates = np.sort(candidates[(candidates >= lo) & (candidates < hi)])
        if candidates.size == 0:
            return None
        offset = np.array([lon, lat])
        scale = np.array([kx, ky])
        local = shapely.transform(self.geoms[candidates], lambda xy: (xy - offset) * scale)
        distances = shapely.distance(local, _ORIGIN)
        best = int(np.argmin(distances))  # the first minimum: the lowest code on a tie
        if distances[best] > max_metres:
            return None
        return int(candidates[best]), float(distances[best])

    def nearest_any(self, lon: float, lat: float, lo: int, hi: int) -> tuple[int, float] | None:
        """(index, metres) of the polygon in [lo, hi) nearest the point, however far."""
        if lo >= hi:
            return None
        guess = None
        if hi - lo == len(self.codes):
            guess = int(self.tree.query_nearest(shapely.Point(lon, lat))[0])
        candidates = np.arange(lo, hi) if guess is None else np.array([guess])
        kx, ky = geo.metres_per_degree(lat)
        offset, scale = np.array([lon, lat]), np.array([kx, ky])
        local = shapely.transform(self.geoms[candidates], lambda xy: (xy - offset) * scale)
        distances = shapely.distance(local, _ORIGIN)
        best = int(np.argmin(distances))
        # The nearest in degrees is not always the nearest in metres; search again within its distance.
        bound = float(distances[best]) * (1 + 1e-9) + 1e-6
        return self.nearest(lon, lat, bound, lo, hi) or (int(candidates[best]), float(distances[best]))


@dataclass(frozen=True)
class Snapshot:
    """Everything routing needs, built once per boundary version and never changed afterwards."""

    key: Any
    grids: _Layer
    village_boundaries: _Layer
    village_hulls: _Layer
    township_boundaries: _Layer
    township_hulls: _Layer


def build_snapshot(
    key: Any, grids: Iterable[tuple[str, Any]], areas: Iterable[tuple[str, Any]] = ()
) -> Snapshot:
    """Build the index from grid polygons ``(grid code, geometry)`` and the explicit boundaries of
    villages and townships ``(code, geometry)``; geometries are shapely objects or GeoJSON."""
    grid_items: list[tuple[str, Any]] = []
    for code, boundary in grids:
        geometry = boundary if isinstance(boundary, shapely.Geometry) else _parse_polygon(boundary, what=code)
        if geometry is not None:
            grid_items.append((code, geometry))
    village_len, township_len = CODE_LENGTH[Level.VILLAGE], CODE_LENGTH[Level.TOWNSHIP]
    by_village: dict[str, list] = defaultdict(list)
    by_township: dict[str, list] = defaultdict(list)
    for code, geometry in grid_items:
        by_village[code[:village_len]].append(geometry)
        by_township[code[:township_len]].append(geometry)
    village_bounds, township_bounds = [], []
    for code, boundary in areas:
        geometry = boundary if isinstance(boundary, shapely.Geometry) else _parse_polygon(boundary, what=code)
        if geometry is None:
            continue
        (village_bounds if len(code) == village_len else township_bounds).append((code, geometry))

    def hulls(groups):
        return [
            (code, shapely.convex_hull(shapely.GeometryCollection(parts))) for code, parts in groups.items()
        ]

    return Snapshot(
        key=key,
        grids=_Layer(grid_items, CODE_LENGTH[Level.GRID]),
        village_boundaries=_Layer(village_bounds, village_len),
        village_hulls=_Layer(hulls(by_village), village_len),
        township_boundaries=_Layer(township_bounds, township_len),
        township_hulls=_Layer(hulls(by_township), township_len),
    )


def stored_key() -> tuple:
    """What the snapshot is keyed by: the shared boundary version and the stretch of days around today in
    which the same areas are in force (:func:`in_force_window`). Two small queries."""
    return (stored_version(BoundaryVersion), in_force_window(clock.today()))


def in_force_window(day) -> tuple:
    """``(since, until)``: the last date on or before ``day`` and the first date after it on which an area
    comes into or goes out of force (None where there is none). Every day in ``[since, until)`` has the same
    areas in force as ``day``, so a snapshot built on one of them serves all of them: the index is rebuilt
    when a boundary changes or a date of force is crossed, not every midnight (nor, in the demo, which
    replays a year, for every report on a new day)."""
    edges = Area.objects.aggregate(
        from_before=models.Max("valid_from", filter=models.Q(valid_from__lte=day)),
        until_before=models.Max("valid_until", filter=models.Q(valid_until__lte=day)),
        from_after=models.Min("valid_from", filter=models.Q(valid_from__gt=day)),
        until_after=models.Min("valid_until", filter=models.Q(valid_until__gt=day)),
    )
    before = [d for d in (edges["from_before"], edges["until_before"]) if d is not None]
    after = [d for d in (edges["from_after"], edges["until_after"]) if d is not None]
    return (max(before, default=None), min(after, default=None))


def load_snapshot(key: Any) -> Snapshot:
    """Read the boundaries in force today from the database. Call :func:`stored_key` *before* this, so
    that the data read is at least as new as the key it is filed under."""
    current = Area.objects.current()
    grid_rows = (
        Grid.objects.filter(area__in=current.filter(level=Level.GRID), boundary__isnull=False)
        .values_list("area__code", "boundary")
        .iterator(chunk_size=2000)
    )
    area_rows = (
        current.filter(level__in=[Level.VILLAGE, Level.TOWNSHIP], boundary__isnull=False)
        .values_list("code", "boundary")
        .iterator(chunk_size=2000)
    )
    return build_snapshot(key, grid_rows, area_rows)


class GridIndex(VersionedCopy[Snapshot]):
    """A process's view of the boundaries: a snapshot rebuilt when the stored key changes
    (:class:`grassroots.versioned.VersionedCopy`).

    ``check_seconds`` bounds how often the stored key is read (None: ``settings.
    ROUTING_VERSION_CHECK_SECONDS``, read on each call so tests may change it). ``read_key`` and
    ``load`` default to the database; ``clock`` to ``time.monotonic``.
    """

    def __init__(
        self,
        *,
        check_seconds: float | None = None,
        read_key: Callable[[], Any] = stored_key,
        load: Callable[[Any], Snapshot] = load_snapshot,
        clock: Callable[[], float] = time.monotonic,
    ):
        def seconds() -> float:
            return settings.ROUTING_VERSION_CHECK_SECONDS if check_seconds is None else check_seconds

        super().__init__(read_key=read_key, load=load, check_seconds=seconds, clock=clock)

    def snapshot(self) -> Snapshot:
        """The current snapshot, rebuilt first if the stored key has changed since the last check."""
        return self.get()

    @property
    def builds(self) -> int:
        return self.loads


_index = GridIndex()


def default_index() -> GridIndex:
    return _index


def reset_index(**options) -> None:
    """Forget this process's index; the next call rebuilds it (tests use this between databases).
    ``options`` go to :class:`GridIndex` (benchmarks count the version checks with ``read_key``)."""
    global _index
    _index = GridIndex(**options)


# --- input --------------------------------------------------------------------------------------------------

_FIELD_NAMES = {"lon": _("Longitude"), "lat": _("Latitude"), "accuracy": _("Accuracy")}
_CONVERT = {
    coords.WGS84: None,
    coords.CGCS2000: None,
    coords.GCJ02: coords.gcj02_to_wgs84,
    coords.BD09: coords.bd09_to_wgs84,
}


def _number(value, field: str, code: str = "bad_coordinates") -> float:
    number = None
    if isinstance(value, float):
        number = value
    elif isinstance(value, numbers.Real | Decimal) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None:
        if field == "accuracy":
            message = _("Accuracy must be a number of metres, such as 15; got %(value)s.") % {
                "value": repr(value)
            }
        else:
            message = _("%(field)s must be a number in decimal degrees, such as 107.38; got %(value)s.") % {
                "field": _FIELD_NAMES[field],
                "value": repr(value),
            }
        raise RoutingError(message, code=code, detail={"field": field})
    if not math.isfinite(number):
        raise RoutingError(
            _("%(field)s must be a finite number; got %(value)s.")
            % {"field": _FIELD_NAMES[field], "value": value},
            code=code,
            detail={"field": field},
        )
    return number


def _validate(lon, lat, crs, accuracy_m) -> tuple[float, float, str, float | None]:
    x = _number(lon, "lon")
    y = _number(lat, "lat")
    if not geo.is_lon(x):
        raise RoutingError(
            _("Longitude must be between -180 and 180; %(value)s is not.") % {"value": lon},
            detail={"field": "lon"},
        )
    if not geo.is_lat(y):
        hint = (
            _(" Longitude and latitude seem swapped; send longitude first, then latitude.")
            if geo.is_lat(x)
            else ""
        )
        raise RoutingError(
            _("Latitude must be between -90 and 90; %(value)s is not.") % {"value": lat} + str(hint),
            detail={"field": "lat"},
        )
    if not coords.in_china(x, y) and coords.in_china(y, x):
        raise RoutingError(
            _(
                "The point (%(lon)s, %(lat)s) lies outside China, but (%(lat)s, %(lon)s) lies inside: "
                "longitude and latitude seem swapped. Send longitude first, then latitude."
            )
            % {"lon": lon, "lat": lat},
            detail={"field": "lat"},
        )
    system = crs.strip().lower() if isinstance(crs, str) else None
    if system not in _CONVERT:
        raise RoutingError(
            _("Unknown coordinate system %(value)s; use one of: %(choices)s.")
            % {"value": repr(crs), "choices": ", ".join(Crs.values)},
            code="bad_crs",
            detail={"field": "crs"},
        )
    accuracy = None
    if accuracy_m is not None:
        accuracy = _number(accuracy_m, "accuracy", code="bad_accuracy")
        if accuracy < 0:
            raise RoutingError(
                _("Accuracy is a distance in metres and cannot be negative; got %(value)s.")
                % {"value": accuracy_m},
                code="bad_accuracy",
                detail={"field": "accuracy"},
            )
    return x, y, str(system), accuracy


def _check_within(within: str) -> str:
    try:
        level_of(within)
    except CodeError as exc:
        raise RoutingError(exc.message, code="bad_area_code", detail={"field": "within"}) from None
    return within


# --- routing ------------------------------------------------------------------------------------------------


def route_point(lon, lat, *, crs: str = Crs.WGS84, accuracy_m=None, within: str | None = None) -> RouteResult:
    """Where a reported point belongs (see the module docstring for the order of decisions).

    ``within`` restricts the candidates to the grids and inboxes under an area (e.g. a county). Raises
    :class:`RoutingError` for bad input, or ``no_grids`` when no grid has a boundary (under ``within``).
    """
    x, y, system, accuracy = _validate(lon, lat, crs, accuracy_m)
    convert = _CONVERT[system]
    if convert is not None:
        x, y = convert(x, y)
    if within is not None:
        _check_within(within)
    snap = _index.snapshot()
    grids = snap.grids
    lo, hi = grids.range_under(within)
    if lo >= hi:
        if within is None:
            raise RoutingError(
                _(
                    "No grid boundaries are configured yet, so a point cannot be routed. "
                    "An administrator must import the grids first."
                ),
                code="no_grids",
                status=503,
            )
        raise RoutingError(
            _("No grid boundaries are configured under area %(code)s; route without it or import them.")
            % {"code": within},
            code="no_grids",
            detail={"field": "within"},
        )
    found = grids.containing(x, y, lo, hi)
    if found is not None:
        code = grids.codes[found]
        return RouteResult(code, code, Method.INSIDE, None, x, y, system, accuracy)
    limit = settings.ROUTING_NEAREST_METRES
    if limit > 0:
        near = grids.nearest(x, y, limit, lo, hi)
        if near is not None:
            code = grids.codes[near[0]]
            return RouteResult(code, code, Method.NEAREST, near[1], x, y, system, accuracy)
    for layer, method in (
        (snap.village_boundaries, Method.FALLBACK_VILLAGE),
        (snap.village_hulls, Method.FALLBACK_VILLAGE),
        (snap.township_boundaries, Method.FALLBACK_TOWNSHIP),
        (snap.township_hulls, Method.FALLBACK_TOWNSHIP),
    ):
        found = layer.containing(x, y, *layer.range_under(within))
        if found is not None:
            return RouteResult(None, layer.codes[found], method, None, x, y, system, accuracy)
    hulls = snap.township_hulls
    index, metres = hulls.nearest_any(x, y, *hulls.range_under(within))
    return RouteResult(None, hulls.codes[index], Method.FALLBACK_TOWNSHIP, metres, x, y, system, accuracy)
