"""Coordinate systems that reported points arrive in, converted to WGS-84 (DESIGN.md section 4).

- **WGS-84**: GPS, ``wx.getLocation`` by default, OpenStreetMap.
- **CGCS2000**: Tianditu. Its frame differs from WGS-84 by centimetres, far below phone accuracy, so it is
  taken as WGS-84 unchanged.
- **GCJ-02**: WeChat / AMap / Tencent maps. WGS-84 with a deterministic, non-linear offset (about 500–600 m
  in Inner Mongolia). The forward formula is the widely republished public-domain one (as in
  ``googollee/eviltransform``, ``wandergis/coordtransform``); there is no closed-form inverse, so
  GCJ-02 → WGS-84 is solved by fixed-point iteration until the forward image is within ~1 mm of the input.
- **BD-09**: Baidu maps. A second, smaller rotation/offset applied on top of GCJ-02; its inverse is also
  refined by iteration so that a round trip is sub-millimetre.

Outside China (the conventional bounding box below) the offsets are not applied: every system equals WGS-84
there, which is what the map providers themselves do for GCJ-02, and the platform has no grids abroad.
All functions take and return ``(lon, lat)`` in degrees, longitude first.
"""

from __future__ import annotations

import math

WGS84 = "wgs84"
CGCS2000 = "cgcs2000"
GCJ02 = "gcj02"
BD09 = "bd09"
SYSTEMS = (WGS84, CGCS2000, GCJ02, BD09)

# The Krasovsky 1940 ellipsoid that the GCJ-02 formula is built on.
_A = 6378245.0
_EE = 0.00669342162296594323
_BD_FACTOR = math.pi * 3000.0 / 180.0

# The bounding box inside which the offsets apply (the one the published implementations use).
_MIN_LON, _MAX_LON = 72.004, 137.8347
_MIN_LAT, _MAX_LAT = 0.8293, 55.8271

# Iteration stops when the forward image is this close to the target: 1e-8 degrees ≈ 1 mm.
_TOLERANCE_DEG = 1e-8
_MAX_ITERATIONS = 30


def in_china(lon: float, lat: float) -> bool:
    """Whether a point lies in the box where GCJ-02 / BD-09 offsets apply."""
    return _MIN_LON <= lon <= _MAX_LON and _MIN_LAT <= lat <= _MAX_LAT


def _offset(lon: float, lat: float) -> tuple[float, float]:
    """The GCJ-02 offset (Δlon, Δlat) in degrees at a WGS-84 point inside China."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = math.sqrt(abs(x))
    x_pi = x * math.pi
    y_pi = y * math.pi
    common = (20.0 * math.sin(6.0 * x_pi) + 20.0 * math.sin(2.0 * x_pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x + common
    d_lat += (20.0 * math.sin(y_pi) + 40.0 * math.sin(y_pi / 3.0)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y_pi / 12.0) + 320.0 * math.sin(y_pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x + common
    d_lon += (20.0 * math.sin(x_pi) + 40.0 * math.sin(x_pi / 3.0)) * 2.0 / 3.0
    d_lon += (150.0 * math.sin(x_pi / 12.0) + 300.0 * math.sin(x_pi / 30.0)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lon, d_lat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if not in_china(lon, lat):
        return lon, lat
    d_lon, d_lat = _offset(lon, lat)
    return lon + d_lon, lat + d_lat


def _invert(forward, lon: float, lat: float, start: tuple[float, float] | None = None) -> tuple[float, float]:
    """Solve ``forward(x, y) == (lon, lat)`` by fixed-point iteration from ``start``: the offsets vary
    slowly (their derivative is ~1e-5), so each step shrinks the error by that factor and 2–3 steps
    reach 1 mm."""
    x, y = start or (lon, lat)
    for _ in range(_MAX_ITERATIONS):
        fx, fy = forward(x, y)
        dx, dy = fx - lon, fy - lat
        if abs(dx) < _TOLERANCE_DEG and abs(dy) < _TOLERANCE_DEG:
            break
        x -= dx
        y -= dy
    return x, y


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    if not in_china(lon, lat):
        return lon, lat
    return _invert(wgs84_to_gcj02, lon, lat)


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    if not in_china(lon, lat):
        return lon, lat
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _BD_FACTOR)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _BD_FACTOR)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if not in_china(lon, lat):
        return lon, lat
    # The usual closed-form inverse is accurate to a few decimetres; iterate from it to sub-millimetre.
    x = lon - 0.0065
    y = lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _BD_FACTOR)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_FACTOR)
    return _invert(gcj02_to_bd09, lon, lat, start=(z * math.cos(theta), z * math.sin(theta)))


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS84 = {
    WGS84: lambda lon, lat: (lon, lat),
    CGCS2000: lambda lon, lat: (lon, lat),
    GCJ02: gcj02_to_wgs84,
    BD09: bd09_to_wgs84,
}
_FROM_WGS84 = {
    WGS84: lambda lon, lat: (lon, lat),
    CGCS2000: lambda lon, lat: (lon, lat),
    GCJ02: wgs84_to_gcj02,
    BD09: wgs84_to_bd09,
}


def to_wgs84(lon: float, lat: float, system: str) -> tuple[float, float]:
    """A point given in ``system`` (one of :data:`SYSTEMS`) as WGS-84; KeyError for an unknown system."""
    return _TO_WGS84[system](lon, lat)


def from_wgs84(lon: float, lat: float, system: str) -> tuple[float, float]:
    """A WGS-84 point as ``system`` would show it (e.g. to draw on an AMap base layer)."""
    return _FROM_WGS84[system](lon, lat)
