"""Degrees on the earth: which numbers are a longitude and a latitude, and how long a degree is.

Every app that takes a point (reports, patrol tracks and findings, places in the register, boundaries,
routing) checks it here, and every distance or box in metres is computed here, so that a point one part
accepts is never refused by another and a radius means the same everywhere. All functions take
``(lon, lat)`` in WGS-84 degrees, longitude first; NaN and infinities are never in range.
"""

from __future__ import annotations

import math

LON_MIN, LON_MAX = -180, 180
LAT_MIN, LAT_MAX = -90, 90

# Mainland China, Hainan, Taiwan and the islands of the South China Sea fit in this box
# (min_lon, min_lat, max_lon, max_lat). The platform has no area outside it.
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)

# The WGS-84 ellipsoid: semi-major axis (m) and first eccentricity squared.
_WGS84_A = 6378137.0
_WGS84_E2 = 0.00669437999014
# The mean earth radius (IUGG), for great-circle distances.
_MEAN_RADIUS_M = 6_371_008.8
_DEG = math.pi / 180.0


def is_lon(value: float) -> bool:
    """Whether ``value`` is a longitude in degrees (−180 … 180)."""
    return LON_MIN <= value <= LON_MAX


def is_lat(value: float) -> bool:
    """Whether ``value`` is a latitude in degrees (−90 … 90)."""
    return LAT_MIN <= value <= LAT_MAX


def is_point(lon: float, lat: float) -> bool:
    """Whether ``(lon, lat)`` is a longitude and a latitude in degrees."""
    return is_lon(lon) and is_lat(lat)


def in_china_bounds(lon: float, lat: float) -> bool:
    """Whether ``(lon, lat)`` lies in :data:`CHINA_BOUNDS` (a point there may still be abroad)."""
    min_lon, min_lat, max_lon, max_lat = CHINA_BOUNDS
    return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat


def metres_per_degree(lat: float) -> tuple[float, float]:
    """(metres per degree of longitude, metres per degree of latitude) at latitude ``lat`` on the
    WGS-84 ellipsoid: the prime-vertical and meridian radii of curvature there."""
    s = math.sin(lat * _DEG)
    w = 1.0 - _WGS84_E2 * s * s
    meridian = _WGS84_A * (1.0 - _WGS84_E2) / (w * math.sqrt(w))
    prime_vertical = _WGS84_A / math.sqrt(w)
    return prime_vertical * math.cos(lat * _DEG) * _DEG, meridian * _DEG


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine on the mean sphere) in metres."""
    p1, p2 = lat1 * _DEG, lat2 * _DEG
    dp, dl = p2 - p1, (lon2 - lon1) * _DEG
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def box_around(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of the box around a point that holds the points within
    ``radius_m`` of it by :func:`distance_m` (on the same sphere): the cheap first filter before measuring.
    Near the poles its width is capped at a hundred times its height."""
    d_lat = radius_m / (_MEAN_RADIUS_M * _DEG)
    d_lon = d_lat / max(math.cos(lat * _DEG), 0.01)
    return lon - d_lon, lat - d_lat, lon + d_lon, lat + d_lat


__all__ = [
    "CHINA_BOUNDS",
    "LAT_MAX",
    "LAT_MIN",
    "LON_MAX",
    "LON_MIN",
    "box_around",
    "distance_m",
    "in_china_bounds",
    "is_lat",
    "is_lon",
    "is_point",
    "metres_per_degree",
]
