"""Where the demo city's townships, villages and grids lie: rectangles of a lattice, no database.

Every township gets one lattice of square cells (≈300 m in town, 1.2 km on farmland, 2.5 km on pasture).
Its villages or communities are blocks of whole cells packed side by side; each grid is one cell, numbered
west→east, north→south inside its village. Cell edges are computed from integer cell indices of the one
township lattice, so neighbouring grids share exactly the same edge coordinates and never overlap.
Townships are placed one after another by :class:`Allocator`, which keeps a margin between them, so no
grid of the city overlaps another.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from grassroots import geo

# Bayannur lies within these bounds (lon, lat); every placed block stays inside them.
CITY_BOUNDS = (105.2, 40.1, 109.9, 42.4)
TOWNSHIP_MARGIN_M = 1_000.0
DIGITS = 6  # ≈ 0.1 m

Bounds = tuple[float, float, float, float]  # (min_lon, min_lat, max_lon, max_lat)


def footprint(cells: int) -> tuple[int, int]:
    """(columns, rows) of the most square block that holds ``cells`` cells."""
    cols = max(1, math.ceil(math.sqrt(cells)))
    return cols, max(1, math.ceil(cells / cols))


def pack(footprints: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], int, int]:
    """Place blocks of (cols, rows) cells in rows (shelves), left to right and top to bottom.

    Returns each block's (x, y) cell offset from the north-west corner, and the overall width and height.
    """
    total = sum(c * r for c, r in footprints)
    width = max([c for c, _ in footprints] + [math.ceil(math.sqrt(total * 1.15))])
    positions: list[tuple[int, int]] = []
    x = y = shelf = used_width = 0
    for cols, rows in footprints:
        if x and x + cols > width:
            y, x, shelf = y + shelf, 0, 0
        positions.append((x, y))
        x += cols
        shelf = max(shelf, rows)
        used_width = max(used_width, x)
    return positions, used_width, y + shelf


@dataclass(frozen=True)
class Lattice:
    """Square cells of ``cell_m`` metres from a north-west corner; x grows east, y grows south."""

    west: float
    north: float
    cell_lon: float
    cell_lat: float

    @classmethod
    def at(cls, west: float, north: float, cell_m: float, lat: float) -> Lattice:
        per_lon, per_lat = geo.metres_per_degree(lat)
        return cls(west, north, cell_m / per_lon, cell_m / per_lat)

    def lon(self, x: int) -> float:
        return round(self.west + x * self.cell_lon, DIGITS)

    def lat(self, y: int) -> float:
        return round(self.north - y * self.cell_lat, DIGITS)

    def block(self, x: int, y: int, cols: int = 1, rows: int = 1) -> Bounds:
        return (self.lon(x), self.lat(y + rows), self.lon(x + cols), self.lat(y))


def polygon(bounds: Bounds) -> dict:
    """A GeoJSON Polygon of a rectangle, exterior ring counter-clockwise (RFC 7946)."""
    w, s, e, n = bounds
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


class NoRoom(RuntimeError):
    pass


class Allocator:
    """Places rectangles (townships) near a wished-for centre without touching those already placed."""

    def __init__(self, bounds: Bounds = CITY_BOUNDS, margin_m: float = TOWNSHIP_MARGIN_M):
        self.bounds = bounds
        self.margin_m = margin_m
        self.placed: list[Bounds] = []

    def place(self, width_m: float, height_m: float, centre: tuple[float, float]) -> tuple[float, float]:
        """Return the (west, north) corner of a ``width_m`` × ``height_m`` block as close to ``centre``
        as a spiral search in steps of a third of the block finds free."""
        lon0, lat0 = centre
        per_lon, per_lat = geo.metres_per_degree(lat0)
        w, h = width_m / per_lon, height_m / per_lat
        mx, my = self.margin_m / per_lon, self.margin_m / per_lat
        step_lon, step_lat = max(w, 3 * mx) / 3, max(h, 3 * my) / 3
        for ring in range(400):
            for i, j in _ring(ring):
                west = lon0 + i * step_lon - w / 2
                north = lat0 + j * step_lat + h / 2
                candidate = (west, north - h, west + w, north)
                if self._inside(candidate) and not self._touches(candidate, mx, my):
                    self.placed.append(candidate)
                    return west, north
        raise NoRoom(f"no room for a {width_m:.0f} m × {height_m:.0f} m block near {centre}")

    def _inside(self, b: Bounds) -> bool:
        x0, y0, x1, y1 = self.bounds
        return b[0] >= x0 and b[1] >= y0 and b[2] <= x1 and b[3] <= y1

    def _touches(self, b: Bounds, mx: float, my: float) -> bool:
        return any(
            b[0] < p[2] + mx and p[0] < b[2] + mx and b[1] < p[3] + my and p[1] < b[3] + my
            for p in self.placed
        )


def _ring(r: int) -> list[tuple[int, int]]:
    """Integer offsets on the square ring of radius ``r``, nearest first, in a fixed order."""
    if r == 0:
        return [(0, 0)]
    cells = [(i, j) for i in range(-r, r + 1) for j in range(-r, r + 1) if max(abs(i), abs(j)) == r]
    return sorted(cells, key=lambda c: (c[0] ** 2 + c[1] ** 2, math.atan2(c[1], c[0])))


def offset(centre: tuple[float, float], distance_m: float, bearing_deg: float) -> tuple[float, float]:
    """The point ``distance_m`` from ``centre`` towards ``bearing_deg`` (0 = east, 90 = north)."""
    lon, lat = centre
    rad = math.radians(bearing_deg)
    per_lon, per_lat = geo.metres_per_degree(lat)
    return lon + distance_m * math.cos(rad) / per_lon, lat + distance_m * math.sin(rad) / per_lat
