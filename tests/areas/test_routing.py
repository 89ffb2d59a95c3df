"""Point → grid routing (grassroots.areas.routing): inside, border, nearest, fallbacks, conversion, input
errors, and the per-process index staying correct when boundaries change."""

import datetime as dt
import io
import math
import os
import subprocess
import sys
import threading
import time

import pytest
import shapely
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box, mapping

from grassroots import clock, geo
from grassroots.areas import coords, routing
from grassroots.areas.models import Area, Grid
from grassroots.areas.routing import GridIndex, Method, RoutingError, route_point
from grassroots.areas.services import boundaries_changed
from tests import world
from tests.factories import Role, area, grid, user_with

pytestmark = pytest.mark.django_db

G1, G2 = world.G1, world.G2  # village A: two neighbours sharing the border lon 107.01 (the shared world's)
G3, G4 = "150825100202001", "150825100202002"  # village B: two grids 3 km apart
G5 = "150825101201001"  # village C in another township, with its own outline on record
VILLAGE_A, VILLAGE_B, VILLAGE_C = G1[:12], G3[:12], G5[:12]
TOWNSHIP_1, TOWNSHIP_2 = G1[:9], G5[:9]


@pytest.fixture
def city():
    world.place(G1)  # lon 107.00–107.01, lat 41.00–41.01
    world.place(G2)  # lon 107.01–107.02
    grid(G3, (107.05, 41.00, 107.06, 41.01))
    grid(G4, (107.09, 41.00, 107.10, 41.01))
    grid(G5, (107.30, 41.30, 107.31, 41.31))
    Area.objects.filter(code=VILLAGE_C).update(boundary=mapping(box(107.25, 41.25, 107.40, 41.40)))
    Area.objects.filter(code=TOWNSHIP_2).update(boundary=mapping(box(107.20, 41.20, 107.50, 41.50)))


def name(code: str) -> str:
    return Area.objects.get(code=code).name


def metres_east(lon, lat, metres):
    return lon + metres / geo.metres_per_degree(lat)[0]


def haversine(a, b):
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


# --- where a point goes -----------------------------------------------------------------------------------


def test_a_point_inside_a_grid_goes_to_that_grid(city):
    result = route_point(107.005, 41.005, accuracy_m=12)
    assert (result.grid_code, result.area_code, result.method) == (G1, G1, Method.INSIDE)
    assert result.distance_m is None
    assert (result.lon, result.lat, result.crs, result.accuracy_m) == (107.005, 41.005, "wgs84", 12.0)
    with translation.override("en"):
        assert str(result.explain()) == f"inside grid {name(G1)}"


def test_the_routing_explanation_names_the_area_in_the_readers_language(city):
    # given a grid with a name, and a point inside it
    Area.objects.filter(code=G1).update(name="红旗一网格")
    explanation = route_point(107.005, 41.005).explain()
    # then the explanation is kept as a message with the name as its value, worded when read
    assert explanation.as_data() == {"msgid": "inside grid %(name)s", "values": {"name": "红旗一网格"}}
    assert explanation.in_language("en") == "inside grid 红旗一网格"
    assert explanation.in_language("zh-hans") == "位于网格 红旗一网格 内"
    assert G1 not in explanation.in_language("zh-hans")


def test_a_point_on_a_shared_border_goes_to_the_lowest_code_every_time(city):
    # given two equal grids sharing the border lon 107.01
    results = {route_point(107.01, 41.005).grid_code for _ in range(3)}
    # then the point on it goes to the lower code, and so does a corner shared by both
    assert results == {G1}
    assert route_point(107.01, 41.01).grid_code == G1


def test_the_border_answer_does_not_depend_on_load_order():
    # given the same two grids created in the other order
    grid(G2, (107.01, 41.00, 107.02, 41.01))
    grid(G1, (107.00, 41.00, 107.01, 41.01))
    assert route_point(107.01, 41.005).grid_code == G1


def test_a_dedicated_grid_inside_a_community_grid_takes_the_points_inside_it(city):
    # given a school's dedicated grid drawn inside G1 (overlapping it; higher code)
    school = VILLAGE_A + "003"
    grid(school, (107.002, 41.002, 107.004, 41.004))
    # then a point in the school goes to the school, one beside it to G1
    assert route_point(107.003, 41.003).grid_code == school
    assert route_point(107.002, 41.003).grid_code == school  # on the school's edge
    assert route_point(107.007, 41.007).grid_code == G1


def test_a_point_just_outside_goes_to_the_nearest_grid_with_its_distance(city):
    # given a point 100 m east of G2's east edge
    lon = metres_east(107.02, 41.005, 100)
    result = route_point(lon, 41.005)
    assert (result.grid_code, result.area_code, result.method) == (G2, G2, Method.NEAREST)
    assert result.distance_m == pytest.approx(100, abs=0.5)
    assert result.distance_m == pytest.approx(haversine((lon, 41.005), (107.02, 41.005)), rel=0.005)
    with translation.override("en"):
        assert str(result.explain()) == f"outside every grid: nearest grid {name(G2)} at 100 m"


def test_the_nearest_distance_is_configured(city, settings):
    settings.ROUTING_NEAREST_METRES = 300
    assert route_point(metres_east(107.02, 41.005, 290), 41.005).method == Method.NEAREST
    assert route_point(metres_east(107.02, 41.005, 310), 41.005).method != Method.NEAREST
    settings.ROUTING_NEAREST_METRES = 0
    assert route_point(metres_east(107.02, 41.005, 1), 41.005).method != Method.NEAREST


def test_outside_every_grid_but_inside_a_villages_grids_goes_to_the_village_inbox(city):
    # given a point between village B's two grids, 1.2 km from each
    result = route_point(107.075, 41.005)
    assert (result.grid_code, result.area_code, result.method) == (None, VILLAGE_B, Method.FALLBACK_VILLAGE)
    assert result.distance_m is None
    with translation.override("en"):
        assert (
            str(result.explain())
            == f"outside every grid: sent to the inbox of village or community {name(VILLAGE_B)}"
        )


def test_a_villages_own_outline_catches_points_far_from_its_grids(city):
    result = route_point(107.35, 41.35)  # 3 km from G5, inside village C's outline
    assert (result.area_code, result.method) == (VILLAGE_C, Method.FALLBACK_VILLAGE)


def test_between_villages_the_township_inbox_receives_it(city):
    # given a point between village A and village B, inside township 1's spread of grids
    result = route_point(107.035, 41.005)
    assert (result.grid_code, result.area_code, result.method) == (None, TOWNSHIP_1, Method.FALLBACK_TOWNSHIP)
    assert result.distance_m is None
    # and a township's own outline counts too
    assert route_point(107.45, 41.45).area_code == TOWNSHIP_2


def test_a_point_far_from_everything_goes_to_the_nearest_township_never_dropped(city):
    # given a point in the desert 140 km south-west of every grid
    result = route_point(106.0, 40.0)
    assert (result.grid_code, result.area_code, result.method) == (None, TOWNSHIP_1, Method.FALLBACK_TOWNSHIP)
    assert result.distance_m == pytest.approx(haversine((106.0, 40.0), (107.0, 41.0)), rel=0.01)
    with translation.override("en"):
        assert str(result.explain()).startswith(
            f"outside every grid and every township: sent to the inbox of the nearest township or street "
            f"{name(TOWNSHIP_1)}, "
        )


def test_within_restricts_the_candidates(city):
    # given a point inside G1, routed within the other township
    result = route_point(107.005, 41.005, within=TOWNSHIP_2)
    assert (result.area_code, result.method) == (TOWNSHIP_2, Method.FALLBACK_TOWNSHIP)
    assert result.distance_m > 30_000
    # and within the county, or within its own village, it is inside G1 again
    assert route_point(107.005, 41.005, within="150825").grid_code == G1
    assert route_point(107.005, 41.005, within=VILLAGE_A).grid_code == G1
    # and within G2 alone: G2 is 420 m away, beyond the nearest-grid distance, so G2's village inbox
    result = route_point(107.005, 41.005, within=G2)
    assert (result.area_code, result.method) == (VILLAGE_A, Method.FALLBACK_VILLAGE)


def test_grids_out_of_force_are_not_routed_to(city):
    # given G1 closed from tomorrow (no boundary bump: the date is part of the index key)
    tomorrow = clock.today() + dt.timedelta(days=1)
    Area.objects.filter(code=G1).update(valid_until=tomorrow)
    assert route_point(107.005, 41.005).grid_code == G1
    with clock.frozen(clock.now() + dt.timedelta(days=1)):
        assert route_point(107.005, 41.005).grid_code != G1


def test_the_index_is_rebuilt_when_a_date_of_force_is_crossed_not_every_day(city):
    # given an index built today, and G1 closed in ten days
    Area.objects.filter(code=G1).update(valid_until=clock.today() + dt.timedelta(days=10))
    index = GridIndex(check_seconds=0)
    index.snapshot()
    # when the days pass up to the closing date, the same snapshot serves them all
    for days in (1, 5, 9):
        with clock.frozen(clock.now() + dt.timedelta(days=days)):
            assert index.snapshot().grids.containing(107.005, 41.005, 0, 5) is not None
    assert index.builds == 1
    # and on the closing date it is rebuilt, without G1
    with clock.frozen(clock.now() + dt.timedelta(days=10)):
        assert index.snapshot().grids.containing(107.005, 41.005, 0, 5) is None
    assert index.builds == 2


def test_a_broken_boundary_is_skipped_not_fatal(city, caplog):
    Grid.objects.filter(area__code=G3).update(boundary={"type": "Point", "coordinates": [107.05, 41.0]})
    Grid.objects.filter(area__code=G4).update(boundary={"type": "Polygon", "coordinates": "nonsense"})
    assert route_point(107.005, 41.005).grid_code == G1
    assert route_point(107.055, 41.005).grid_code != G3
    assert "not a polygon" in caplog.text
    assert "not GeoJSON" in caplog.text


def test_a_multipolygon_grid_is_routed_to_through_either_part():
    grid(G1, (107.00, 41.00, 107.01, 41.01))
    Grid.objects.filter(area__code=G1).update(
        boundary=mapping(
            shapely.MultiPolygon([box(107.00, 41.00, 107.01, 41.01), box(107.03, 41.00, 107.04, 41.01)])
        )
    )
    assert route_point(107.035, 41.005).grid_code == G1


# --- coordinate systems -----------------------------------------------------------------------------------


def test_the_gcj02_twin_of_a_wgs84_point_lands_in_the_same_grid(city):
    # given the centre of G1 in WGS-84 and the same place as WeChat maps report it (GCJ-02, ~460 m off)
    twin = coords.wgs84_to_gcj02(107.005, 41.005)
    # when routed as GCJ-02, it is G1; read naively as WGS-84 it would be G2
    result = route_point(*twin, crs="gcj02")
    assert (result.grid_code, result.crs) == (G1, "gcj02")
    assert haversine((result.lon, result.lat), (107.005, 41.005)) < 0.01
    assert route_point(*twin).grid_code == G2


def test_bd09_and_cgcs2000_points_are_converted_too(city):
    assert route_point(*coords.wgs84_to_bd09(107.005, 41.005), crs="bd09").grid_code == G1
    assert route_point(107.005, 41.005, crs="cgcs2000").grid_code == G1
    assert route_point(107.005, 41.005, crs=routing.Crs.WGS84).grid_code == G1
    assert route_point(107.005, 41.005, crs=" GCJ02 ").crs == "gcj02"


def test_every_gcj02_twin_of_a_point_in_a_grid_stays_in_that_grid(city):
    @given(st.floats(107.0001, 107.0099), st.floats(41.0001, 41.0099), st.sampled_from(["gcj02", "bd09"]))
    @settings(max_examples=150, deadline=None)
    def check(lon, lat, system):
        assert route_point(*coords.from_wgs84(lon, lat, system), crs=system).grid_code == G1

    check()


# --- input errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lon", "lat", "extra", "code", "words"),
    [
        ("east", 41.0, {}, "bad_coordinates", "Longitude must be a number in decimal degrees"),
        (None, 41.0, {}, "bad_coordinates", "Longitude must be a number"),
        (True, 41.0, {}, "bad_coordinates", "Longitude must be a number"),
        (107.0, [41], {}, "bad_coordinates", "Latitude must be a number"),
        (float("nan"), 41.0, {}, "bad_coordinates", "Longitude must be a finite number"),
        (107.0, float("inf"), {}, "bad_coordinates", "Latitude must be a finite number"),
        (181.0, 41.0, {}, "bad_coordinates", "Longitude must be between -180 and 180"),
        (41.0, 107.0, {}, "bad_coordinates", "Longitude and latitude seem swapped"),
        (41.0, 87.0, {}, "bad_coordinates", "lies outside China, but (87.0, 41.0) lies inside"),
        (107.0, 41.0, {"accuracy_m": -5}, "bad_accuracy", "cannot be negative"),
        (107.0, 41.0, {"accuracy_m": "ten"}, "bad_accuracy", "Accuracy must be a number of metres"),
        (107.0, 41.0, {"crs": "utm50"}, "bad_crs", "use one of: wgs84, cgcs2000, gcj02, bd09"),
        (107.0, 41.0, {"crs": 4326}, "bad_crs", "Unknown coordinate system"),
        (107.0, 41.0, {"within": "15082x"}, "bad_area_code", "digits only"),
        (107.0, 41.0, {"within": "1508251"}, "bad_area_code", "has 7"),
    ],
)
def test_bad_input_is_a_clear_error(city, lon, lat, extra, code, words):
    with translation.override("en"), pytest.raises(RoutingError) as caught:
        route_point(lon, lat, **extra)
    assert caught.value.code == code
    assert caught.value.status == 400
    with translation.override("en"):  # the message is lazy: read it in the language it was checked in
        assert words in str(caught.value)


def test_numbers_as_text_and_decimals_are_accepted(city):
    from decimal import Decimal

    assert route_point(" 107.005", "41.005", accuracy_m="8").grid_code == G1
    assert route_point(Decimal("107.005"), Decimal("41.005")).grid_code == G1


def test_no_grids_at_all_is_a_clear_error():
    area(VILLAGE_A)
    with translation.override("en"), pytest.raises(RoutingError) as caught:
        route_point(107.005, 41.005)
    assert (caught.value.code, caught.value.status) == ("no_grids", 503)
    with translation.override("en"):
        assert "import the grids first" in str(caught.value)


def test_within_an_area_without_grids_is_a_clear_error(city):
    with translation.override("en"), pytest.raises(RoutingError) as caught:
        route_point(107.005, 41.005, within="150826")
    assert caught.value.code == "no_grids"
    assert "under area 150826" in str(caught.value)


# --- the index across processes and threads ---------------------------------------------------------------


def _move_g1_east():
    Grid.objects.filter(area__code=G1).update(boundary=mapping(box(107.20, 41.00, 107.21, 41.01)))
    boundaries_changed()


def test_two_processes_both_see_a_boundary_change(city, django_assert_num_queries):
    # given two processes' indexes, both built (each process has its own)
    first, second = GridIndex(check_seconds=0), GridIndex(check_seconds=0)
    for index in (first, second):
        assert index.snapshot().grids.containing(107.005, 41.005, 0, 5) == 0
    # when another process moves G1 and bumps the shared version
    _move_g1_east()
    # then each index rebuilds on its next use and no longer finds G1 at the old place
    for index in (first, second):
        snap = index.snapshot()
        assert index.builds == 2
        assert snap.grids.containing(107.005, 41.005, 0, 5) is None
        assert snap.grids.codes[snap.grids.containing(107.205, 41.005, 0, 5)] == G1
    # and an unchanged version costs two small queries (the version, the dates of force) and no rebuild
    with django_assert_num_queries(2):
        first.snapshot()
    assert first.builds == 2


def test_route_point_follows_a_boundary_change(city):
    assert route_point(107.005, 41.005).grid_code == G1
    _move_g1_east()
    assert route_point(107.205, 41.005).grid_code == G1
    assert route_point(107.005, 41.005).grid_code != G1


def test_the_version_check_is_cached_for_the_configured_seconds(city, django_assert_num_queries):
    # given an index that checks the stored version at most once a second, on a clock we move by hand
    now = [1000.0]
    index = GridIndex(check_seconds=1.0, clock=lambda: now[0])
    old = index.snapshot()
    _move_g1_east()
    # then for up to a second it answers from the old boundaries without touching the database
    now[0] += 0.9
    with django_assert_num_queries(0):
        assert index.snapshot() is old
    # and after the second it sees the change
    now[0] += 0.2
    assert index.snapshot() is not old
    assert index.builds == 2


def test_concurrent_first_calls_build_the_index_once():
    # given a slow build (a real snapshot, delayed) and eight threads asking at the same moment
    snapshot = routing.build_snapshot("v1", [(G1, box(107.0, 41.0, 107.01, 41.01))])
    started = threading.Barrier(8)
    calls = []

    def slow_load(key):
        calls.append(key)
        time.sleep(0.05)
        return snapshot

    index = GridIndex(check_seconds=0, read_key=lambda: "v1", load=slow_load)
    seen = []

    def ask():
        started.wait()
        seen.append(index.snapshot())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["v1"]
    assert index.builds == 1
    assert all(s is snapshot for s in seen)


def test_routing_threads_see_either_the_old_or_the_new_boundaries_during_a_rebuild():
    # given an index whose version flips while four threads look up the same point
    old = routing.build_snapshot(1, [(G1, box(107.0, 41.0, 107.01, 41.01))])
    new = routing.build_snapshot(2, [(G2, box(107.0, 41.0, 107.01, 41.01))])
    version = [1]
    index = GridIndex(check_seconds=0, read_key=lambda: version[0], load=lambda key: old if key == 1 else new)
    answers, errors = set(), []
    stop = threading.Event()

    def look():
        try:
            while not stop.is_set():
                snap = index.snapshot()
                answers.add(snap.grids.codes[snap.grids.containing(107.005, 41.005, 0, 1)])
        except Exception as exc:  # any failure in a thread fails the test below
            errors.append(exc)

    threads = [threading.Thread(target=look) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    version[0] = 2
    time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join()
    assert not errors
    assert answers == {G1, G2}
    assert index.snapshot() is new


# --- the index against a brute-force answer ---------------------------------------------------------------


def test_the_cell_table_agrees_with_a_brute_force_search():
    # given irregular, overlapping and touching polygons of very different sizes
    import numpy as np

    rng = np.random.default_rng(7)
    polygons = []
    for i in range(300):
        x, y = rng.uniform(107.0, 108.0), rng.uniform(41.0, 41.6)
        size = rng.choice([0.002, 0.01, 0.05])
        polygons.append(
            (f"150825100201{i + 1:03d}", shapely.Point(x, y).buffer(size, quad_segs=rng.integers(2, 8)))
        )
    polygons.append(("150825100202001", box(107.2, 41.2, 107.3, 41.3)))
    polygons.append(("150825100202002", box(107.3, 41.2, 107.4, 41.3)))  # touching the previous one
    layer = routing.build_snapshot("k", polygons).grids
    geoms = layer.geoms
    size = [float(f"{a:.6g}") for a in shapely.area(geoms)]  # areas to six significant figures
    points = np.column_stack([rng.uniform(106.95, 108.05, 20_000), rng.uniform(40.95, 41.65, 20_000)])
    points = np.vstack([points, [[107.3, 41.25], [107.3, 41.2], [107.2, 41.2]]])  # on the shared edge
    for x, y in points.tolist():
        # expected: of all polygons touching the point, the smallest, then the lowest code (= index)
        hits = np.flatnonzero(shapely.intersects_xy(geoms, x, y)).tolist()
        expected = min(hits, key=lambda i: (size[i], i)) if hits else None
        assert layer.containing(x, y, 0, len(layer)) == expected, (x, y)


# --- the endpoint -----------------------------------------------------------------------------------------

ROUTE_URL = "/api/v1/areas/route"


def test_the_endpoint_needs_a_login(client, city):
    response = client.get(ROUTE_URL, {"lon": 107.005, "lat": 41.005})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("role", "grant", "name_shown"),
    [
        (Role.RESIDENT, VILLAGE_A, True),
        (Role.GRID_WORKER, G1, True),
        (Role.GRID_WORKER, G2, False),  # a neighbouring grid's worker learns the code, not the name
        (Role.TOWNSHIP_STAFF, TOWNSHIP_2, False),
        (Role.LEADER, "1508", True),
    ],
)
def test_any_role_may_route_and_sees_the_grid_name_only_within_scope(client, city, role, grant, name_shown):
    Area.objects.filter(code=G1).update(name="民主村一网格")
    client.force_login(user_with(role, grant))
    response = client.get(
        ROUTE_URL, {"lon": 107.005, "lat": 41.005, "accuracy": 8}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["grid_code"] == body["area_code"] == G1
    assert body["method"] == "inside"
    assert body["accuracy_m"] == 8
    assert body["area_name"] == ("民主村一网格" if name_shown else None)
    # the explanation names the grid as far as the caller may know it
    assert body["explanation"] == f"inside grid {'民主村一网格' if name_shown else G1}"


def test_the_endpoint_converts_gcj02_and_explains_the_decision(client, city):
    client.force_login(user_with(Role.RESIDENT, VILLAGE_B))
    lon, lat = coords.wgs84_to_gcj02(107.075, 41.005)
    response = client.get(ROUTE_URL, {"lon": lon, "lat": lat, "crs": "gcj02"}, HTTP_ACCEPT_LANGUAGE="en")
    body = response.json()
    assert response.status_code == 200
    assert (body["grid_code"], body["area_code"], body["method"]) == (None, VILLAGE_B, "fallback_village")
    assert body["lon"] == pytest.approx(107.075, abs=1e-7)
    assert body["crs"] == "gcj02"
    assert body["explanation"] == (
        f"outside every grid: sent to the inbox of village or community {name(VILLAGE_B)}"
    )


def test_the_endpoint_answers_bad_coordinates_with_a_clear_error(client, city):
    client.force_login(user_with(Role.RESIDENT, VILLAGE_A))
    response = client.get(ROUTE_URL, {"lon": 41.005, "lat": 107.005}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bad_coordinates"
    assert "swapped" in body["message"]
    assert body["detail"] == {"field": "lat"}
    response = client.get(ROUTE_URL, {"lon": 107.0, "lat": 41.0, "crs": "utm"}, HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response.json()["code"]) == (400, "bad_crs")


def test_the_endpoint_is_not_mistaken_for_an_area_code(client, city):
    client.force_login(user_with(Role.LEADER, "1508"))
    assert client.get(ROUTE_URL).status_code == 422  # lon and lat are required
    assert client.get(f"/api/v1/areas/{G1}").json()["code"] == G1


def test_the_management_command_prints_the_decision(city):
    out = io.StringIO()
    with translation.override("en"):
        call_command("route_point", "107.005", "41.005", stdout=out)
    assert out.getvalue().splitlines()[0] == f"{G1}\tinside\tinside grid {name(G1)}"
    with (
        translation.override("en"),
        pytest.raises(CommandError, match="bad_coordinates: Latitude must be between"),
    ):
        call_command("route_point", "107.005", "91")


_CHILD = """
import sys, django
django.setup()
from grassroots.areas.routing import route_point
for line in sys.stdin:
    print(route_point(107.005, 41.005).area_code, flush=True)
"""


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_that_is_already_running_follows_a_change(city):
    # given a second process (as under gunicorn) that has routed a point and keeps its index in memory
    db = connection.settings_dict
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "an in-memory SQLite test database is invisible to another process; runs on PostgreSQL or with SQLITE_TEST_NAME set"
        )
    url = (
        f"sqlite:///{db['NAME']}"
        if connection.vendor == "sqlite"
        else f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "ROUTING_VERSION_CHECK_SECONDS": "0"}
    child = subprocess.Popen(  # noqa: S603 - our own interpreter running the fixed script above
        [sys.executable, "-c", _CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        child.stdin.write("route\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == G1
        # when this process moves G1 away and commits
        _move_g1_east()
        # then the running process routes the same point elsewhere on its next call
        child.stdin.write("route\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == TOWNSHIP_1  # G2 is 420 m away; no hull holds it
    finally:
        child.stdin.close()
        child.wait(timeout=30)
