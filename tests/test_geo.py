"""Degrees on the earth (grassroots.geo): the one range check and the one length of a degree."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots import geo


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (107.0, 41.0, True),
        (-180, -90, True),
        (180, 90, True),
        (180.000001, 0, False),
        (0, -90.000001, False),
        (41.0, 107.0, False),  # swapped: 107 is no latitude
        (math.nan, 41.0, False),
        (107.0, math.inf, False),
    ],
)
def test_a_point_is_a_longitude_and_a_latitude_in_degrees(lon, lat, expected):
    assert geo.is_point(lon, lat) is expected
    assert geo.is_point(lon, lat) is (geo.is_lon(lon) and geo.is_lat(lat))


def test_the_china_box_holds_the_country_and_not_its_mirror_image():
    assert geo.in_china_bounds(107.4, 40.75)  # Bayannur
    assert geo.in_china_bounds(109.5, 18.25)  # Sanya
    assert not geo.in_china_bounds(40.75, 107.4)
    assert not geo.in_china_bounds(2.35, 48.86)  # Paris


@pytest.mark.parametrize(
    ("lat", "per_lon", "per_lat"),
    # Length of a degree on the WGS-84 ellipsoid, as tabulated in Wikipedia's "Latitude" article
    # ("Length of a degree of latitude / longitude"), in km.
    [(0, 111.320, 110.574), (30, 96.486, 110.852), (45, 78.847, 111.132), (60, 55.800, 111.412)],
)
def test_metres_per_degree_matches_the_published_table(lat, per_lon, per_lat):
    got_lon, got_lat = geo.metres_per_degree(lat)
    assert got_lon == pytest.approx(per_lon * 1000, abs=1)
    assert got_lat == pytest.approx(per_lat * 1000, abs=1)


def test_distance_is_the_great_circle_on_the_mean_sphere():
    # A degree along the equator or a meridian is 2πR/360 with R = 6,371,008.8 m.
    assert geo.distance_m(0, 0, 1, 0) == pytest.approx(111_195.08, abs=0.01)
    assert geo.distance_m(107, 41, 107, 42) == pytest.approx(111_195.08, abs=0.01)
    assert geo.distance_m(107.0, 41.0, 107.0, 41.0) == 0
    # Beijing (Tiananmen) to Shanghai (People's Square): about 1,067 km.
    assert geo.distance_m(116.3975, 39.9087, 121.4737, 31.2304) == pytest.approx(1_067_000, rel=0.005)


@given(
    st.floats(min_value=73, max_value=136),
    st.floats(min_value=3, max_value=54),
    st.floats(min_value=1, max_value=5_000),
    st.floats(min_value=0, max_value=360),
    st.floats(min_value=0, max_value=0.999),
)
def test_every_point_within_the_radius_lies_in_the_box_around(lon, lat, radius, bearing, share):
    # A point at a share of the radius in any direction, placed on the same sphere the distance uses.
    d = radius * share / 6_371_008.8
    b, p1, l1 = math.radians(bearing), math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    there = (math.degrees(l2), math.degrees(p2))
    assert geo.distance_m(lon, lat, *there) <= radius
    min_lon, min_lat, max_lon, max_lat = geo.box_around(lon, lat, radius)
    assert min_lon <= there[0] <= max_lon and min_lat <= there[1] <= max_lat
