"""Grid boundaries: GeoJSON checks with clear messages, and "inside nothing foreign"."""

import math

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import box, mapping

from grassroots.areas import geometry
from grassroots.areas.geometry import GeometryError, Neighbour, Placement, clean


@pytest.fixture(autouse=True, scope="module")
def english_messages():
    """These tests read the English wording (the msgids); tests/test_translations.py checks the Chinese catalogue."""
    with translation.override("en"):
        yield


# Around 乌拉特后旗 (about 106.9° E, 41.1° N); 0.001° ≈ 84 m east-west, 111 m north-south here.
LON, LAT = 106.9, 41.1


def square(x0=LON, y0=LAT, size=0.01):
    return mapping(box(x0, y0, x0 + size, y0 + size))


def polygon(*ring):
    return {"type": "Polygon", "coordinates": [list(map(list, ring))]}


def test_a_valid_square_is_kept_normalised_with_its_bounds():
    raw = polygon(
        (LON, LAT, 1050.0),
        (LON + 0.012345678912, LAT),
        (LON + 0.01, LAT + 0.01),
        (LON, LAT + 0.01),
        (LON, LAT, 1050.0),
    )
    boundary = clean(raw)
    ring = boundary.geojson["coordinates"][0]
    assert ring[1] == [round(LON + 0.012345678912, 7), LAT]  # rounded to 7 decimals
    assert all(len(p) == 2 for p in ring)  # altitude dropped
    assert boundary.bounds == pytest.approx((LON, LAT, LON + 0.0123457, LAT + 0.01))
    assert clean(boundary.geojson).geojson == boundary.geojson  # idempotent


def test_a_feature_is_accepted_for_its_geometry_and_a_multipolygon_too():
    assert clean({"type": "Feature", "geometry": square(), "properties": {}}).shape.area > 0
    multi = {
        "type": "MultiPolygon",
        "coordinates": [square()["coordinates"], square(LON + 0.02)["coordinates"]],
    }
    assert clean(multi).geojson["type"] == "MultiPolygon"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ({"type": "Point", "coordinates": [LON, LAT]}, "boundary_type"),
        ("POLYGON((...))", "boundary_type"),
        ({"type": "Polygon"}, "boundary_coordinates"),
        (
            {"type": "Polygon", "coordinates": [[[LON, LAT], [LON, "41"], [LON + 1, LAT], [LON, LAT]]]},
            "boundary_coordinates",
        ),
        (
            {"type": "Polygon", "coordinates": [[[LON, LAT], [LON, True], [LON + 1, LAT], [LON, LAT]]]},
            "boundary_coordinates",
        ),
        (
            {"type": "Polygon", "coordinates": [[[LON, LAT], [LON, math.nan], [LON + 1, LAT], [LON, LAT]]]},
            "boundary_coordinates",
        ),
        ({"type": "Polygon", "coordinates": [[[LON, LAT], [LON + 0.1, LAT], [LON, LAT]]]}, "ring_too_short"),
    ],
)
def test_malformed_geometries_are_refused_with_a_code(value, code):
    with pytest.raises(GeometryError) as caught:
        clean(value)
    assert caught.value.code == code


def test_an_unclosed_ring_says_which_position_to_repeat():
    with pytest.raises(GeometryError) as caught:
        clean(polygon((LON, LAT), (LON + 0.01, LAT), (LON + 0.01, LAT + 0.01), (LON, LAT + 0.01)))
    assert caught.value.code == "ring_not_closed"
    assert f"({LON}, {LAT})" in str(caught.value)


def test_a_bow_tie_says_where_it_crosses_itself():
    bow_tie = polygon((LON, LAT), (LON + 0.01, LAT + 0.01), (LON + 0.01, LAT), (LON, LAT + 0.01), (LON, LAT))
    with pytest.raises(GeometryError) as caught:
        clean(bow_tie)
    assert caught.value.code == "invalid_polygon"
    assert "crosses itself" in str(caught.value)
    assert "(106.905, 41.105)" in str(caught.value)
    assert caught.value.detail["reason"].startswith("Self-intersection")


def test_a_hole_outside_its_outline_is_explained():
    outline = square()["coordinates"][0]
    hole = square(LON + 0.05, LAT + 0.05, 0.001)["coordinates"][0]
    with pytest.raises(GeometryError, match="outside the outline"):
        clean({"type": "Polygon", "coordinates": [outline, hole]})


def test_overlapping_parts_of_a_multipolygon_are_invalid():
    multi = {
        "type": "MultiPolygon",
        "coordinates": [square()["coordinates"], square(LON + 0.005)["coordinates"]],
    }
    with pytest.raises(GeometryError) as caught:
        clean(multi)
    assert caught.value.code == "invalid_polygon"


def test_swapped_latitude_and_longitude_get_a_hint():
    swapped = mapping(box(LAT, LON, LAT + 0.01, LON + 0.01))
    with pytest.raises(GeometryError) as caught:
        clean(swapped)
    assert caught.value.code == "swapped_coordinates"
    assert "longitude first" in str(caught.value)


def test_points_outside_china_and_projected_metres_are_named():
    with pytest.raises(GeometryError) as outside:
        clean(square(13.4, 52.5))  # Berlin
    assert outside.value.code == "outside_china"
    with pytest.raises(GeometryError) as projected:
        clean(mapping(box(36_500_000, 4_550_000, 36_501_000, 4_551_000)))  # Gauss-Krüger metres
    assert projected.value.code == "projected_coordinates"
    with pytest.raises(GeometryError) as out_of_range:
        clean(square(LON, 95))
    assert out_of_range.value.code == "out_of_range"


def test_a_tiny_polygon_is_refused_as_a_probable_mistake():
    with pytest.raises(GeometryError) as caught:
        clean(square(size=0.00005))  # about 4 m x 5.5 m
    assert caught.value.code == "boundary_too_small"


@given(
    st.floats(min_value=74, max_value=134),
    st.floats(min_value=4, max_value=52),
    st.floats(min_value=0.001, max_value=0.5),
)
def test_any_square_in_china_is_accepted_and_its_area_is_metres(x, y, size):
    boundary = clean(square(x, y, size))
    x0, y0, x1, y1 = boundary.bounds
    assert x0 <= x1 and y0 <= y1
    expected = (size * 111_320 * math.cos(math.radians(y + size / 2))) * (size * 110_574)
    assert geometry.area_m2(boundary.shape) == pytest.approx(expected, rel=0.02)


@given(st.floats(min_value=74, max_value=134), st.floats(min_value=4, max_value=52))
def test_any_square_with_swapped_axes_gets_the_swap_hint(lon, lat):
    with pytest.raises(GeometryError) as caught:
        clean(mapping(box(lat, lon, lat + 0.01, lon + 0.01)))
    assert caught.value.code == "swapped_coordinates"


# --- placement ------------------------------------------------------------------------------------------

VILLAGE = "150825100201"
OTHER_VILLAGE = "150825100202"


def neighbour(code, village, bounds):
    return Neighbour(code=code, village_code=village, shape=box(*bounds))


def test_overlap_with_a_grid_of_another_village_is_an_error():
    placement = Placement(
        [neighbour(OTHER_VILLAGE + "001", OTHER_VILLAGE, (LON, LAT, LON + 0.01, LAT + 0.01))]
    )
    errors, warnings = placement.check(
        code=VILLAGE + "001",
        shape=box(LON + 0.005, LAT, LON + 0.015, LAT + 0.01),
        village_code=VILLAGE,
        village_boundary=None,
    )
    assert [e.other for e in errors] == [OTHER_VILLAGE + "001"]
    assert "another village" in str(errors[0])
    assert warnings == []


def test_overlap_within_one_village_is_only_a_warning():
    placement = Placement([neighbour(VILLAGE + "002", VILLAGE, (LON, LAT, LON + 0.01, LAT + 0.01))])
    errors, warnings = placement.check(
        code=VILLAGE + "001",
        shape=box(LON + 0.005, LAT, LON + 0.015, LAT + 0.01),
        village_code=VILLAGE,
        village_boundary=None,
    )
    assert errors == []
    assert [w.other for w in warnings] == [VILLAGE + "002"]


def test_a_sliver_along_a_shared_edge_is_tolerated_and_a_wider_strip_is_not():
    placement = Placement(
        [neighbour(OTHER_VILLAGE + "001", OTHER_VILLAGE, (LON, LAT, LON + 0.01, LAT + 0.01))]
    )
    metre = 1 / (111_320 * math.cos(math.radians(LAT)))
    thin = box(LON + 0.01 - 2 * metre, LAT, LON + 0.02, LAT + 0.01)  # 2 m into the neighbour
    wide = box(LON + 0.01 - 20 * metre, LAT, LON + 0.02, LAT + 0.01)  # 20 m into it
    assert placement.check(code=VILLAGE + "001", shape=thin, village_code=VILLAGE, village_boundary=None) == (
        [],
        [],
    )
    errors, _ = placement.check(code=VILLAGE + "001", shape=wide, village_code=VILLAGE, village_boundary=None)
    assert len(errors) == 1


def test_a_grid_must_stay_inside_its_villages_boundary():
    placement = Placement([])
    village = box(LON, LAT, LON + 0.02, LAT + 0.02)
    inside = placement.check(
        code=VILLAGE + "001",
        shape=box(LON, LAT, LON + 0.01, LAT + 0.01),
        village_code=VILLAGE,
        village_boundary=village,
    )
    assert inside == ([], [])
    errors, _ = placement.check(
        code=VILLAGE + "001",
        shape=box(LON + 0.015, LAT, LON + 0.03, LAT + 0.01),
        village_code=VILLAGE,
        village_boundary=village,
    )
    assert len(errors) == 1 and "beyond the boundary of its village" in str(errors[0])


def test_a_grid_is_not_compared_with_itself_or_with_what_it_replaces():
    code = VILLAGE + "001"
    placement = Placement(
        [
            neighbour(code, VILLAGE, (LON, LAT, LON + 0.01, LAT + 0.01)),
            neighbour("x", OTHER_VILLAGE, (LON, LAT, LON + 0.01, LAT + 0.01)),
        ]
    )
    shape = box(LON, LAT, LON + 0.01, LAT + 0.01)
    assert placement.check(
        code=code, shape=shape, village_code=VILLAGE, village_boundary=None, ignore=frozenset({"x"})
    ) == ([], [])
