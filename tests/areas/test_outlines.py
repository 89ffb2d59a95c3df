"""The outlines every map draws: a grid, its village and township and the grids around it, by name.

Names and boundaries only, for users whose grants lie in the same county; another county's area is not
found (404), whatever the caller's role there.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from grassroots.accounts.models import Role
from grassroots.areas import selectors
from grassroots.areas.models import Area
from grassroots.areas.services import boundaries_changed
from tests.factories import UserFactory, area, grid, user_with

COUNTY = "150825"
TOWNSHIP = "150825100"
VILLAGE = "150825100001"
HOME = "150825100001001"
NEIGHBOUR = "150825100001002"
OTHER_VILLAGE_GRID = "150825100201001"
OTHER_TOWNSHIP_GRID = "150825200201001"
OTHER_COUNTY_GRID = "150826100200001"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def county(db):
    area(TOWNSHIP, "巴音宝力格镇")
    area(VILLAGE, "塞上社区")
    area("150825100201", "乌兰嘎查")
    grid(HOME, (107.00, 41.00, 107.01, 41.01), name="塞上社区第1网格")
    grid(NEIGHBOUR, (107.01, 41.00, 107.02, 41.01), name="塞上社区第2网格")
    grid(OTHER_VILLAGE_GRID, (107.05, 41.00, 107.06, 41.01), name="乌兰嘎查第1网格")
    grid(OTHER_TOWNSHIP_GRID, (107.30, 41.00, 107.31, 41.01), name="别的镇的网格")
    grid(OTHER_COUNTY_GRID, (108.00, 41.00, 108.01, 41.01), name="外县网格")


def outlines(user, code, **query):
    client = Client()
    client.force_login(user)
    return client.get(f"/api/v1/areas/{code}/outlines.geojson", query)


def by_code(response) -> dict:
    return {f["properties"]["code"]: f["properties"] for f in response.json()["features"]}


def test_a_resident_sees_their_grid_its_village_township_and_neighbours_by_name(county):
    resident = user_with(Role.RESIDENT, HOME)
    response = outlines(resident, HOME)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    found = by_code(response)
    assert found[HOME] == {"code": HOME, "name": "塞上社区第1网格", "level": 6, "kind": "rural"}
    assert found[VILLAGE]["name"] == "塞上社区" and found[VILLAGE]["level"] == 5
    assert found[TOWNSHIP]["name"] == "巴音宝力格镇" and found[TOWNSHIP]["level"] == 4
    assert {NEIGHBOUR, OTHER_VILLAGE_GRID} <= set(found)  # the grids around theirs
    assert OTHER_TOWNSHIP_GRID not in found and OTHER_COUNTY_GRID not in found
    assert response.json()["root"] == TOWNSHIP
    # outlines only: nothing about households or cases
    assert set(found[HOME]) == {"code", "name", "level", "kind"}


def test_largest_first_so_that_grids_are_drawn_on_top(county):
    features = outlines(user_with(Role.RESIDENT, HOME), HOME).json()["features"]
    levels = [f["properties"]["level"] for f in features]
    assert levels == sorted(levels)


@pytest.mark.parametrize(
    ("role", "grant", "code", "status"),
    [
        (Role.RESIDENT, HOME, HOME, 200),
        (Role.RESIDENT, HOME, OTHER_TOWNSHIP_GRID, 200),  # the same county: its outlines are public to them
        (Role.RESIDENT, HOME, OTHER_COUNTY_GRID, 404),
        (Role.GRID_WORKER, HOME, OTHER_COUNTY_GRID[:9], 404),
        (Role.TOWNSHIP_STAFF, TOWNSHIP, OTHER_COUNTY_GRID, 404),
        (Role.COUNTY_STAFF, COUNTY, HOME, 200),
        (Role.COUNTY_STAFF, "150826", HOME, 404),
    ],
)
def test_scope(county, role, grant, code, status):
    assert outlines(user_with(role, grant), code).status_code == status


def test_a_user_with_no_grant_sees_none(county):
    assert outlines(UserFactory(), HOME).status_code == 404


def test_not_logged_in_is_refused(county):
    assert Client().get(f"/api/v1/areas/{HOME}/outlines.geojson").status_code in (401, 403)


def test_unknown_area_is_not_found(county):
    assert outlines(user_with(Role.COUNTY_STAFF, COUNTY), "150825100999").status_code == 404


def test_a_village_without_a_boundary_is_drawn_as_the_hull_of_its_grids(county):
    features = outlines(user_with(Role.RESIDENT, HOME), HOME).json()["features"]
    village = next(f for f in features if f["id"] == VILLAGE)
    xs = [x for x, _y in village["geometry"]["coordinates"][0]]
    assert min(xs) == pytest.approx(107.00) and max(xs) == pytest.approx(107.02)


def test_the_answer_is_cached_until_a_boundary_changes(county, django_assert_max_num_queries):
    resident = user_with(Role.RESIDENT, HOME)
    first = outlines(resident, HOME).json()
    Area.objects.filter(code=HOME).update(name="改了名")  # not through the services: no version bump
    assert outlines(resident, HOME).json() == first
    boundaries_changed()
    assert by_code(outlines(resident, HOME))[HOME]["name"] == "改了名"


def test_zoom_simplifies_and_is_bounded(county):
    resident = user_with(Role.RESIDENT, HOME)
    assert outlines(resident, HOME, zoom=3).status_code == 422
    assert outlines(resident, HOME, zoom=8).status_code == 200
    assert selectors.outline_tolerance(17) < selectors.outline_tolerance(12) < 0.0002
