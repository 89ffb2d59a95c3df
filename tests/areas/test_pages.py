"""Area and grid pages and their JSON API: scope (inside 200, outside 404, anonymous to login), content,
the grids GeoJSON for the map, and pinned query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import shapely
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from shapely.geometry import Point, mapping

from grassroots.accounts.models import Role
from grassroots.areas.models import Grid, GridKind, VillageGroup
from grassroots.workforce.models import AssignmentRole, WorkerKind
from tests.factories import UserFactory, area, grid, user_with
from tests.workforce.factories import GridWorkerFactory, assignment

pytestmark = pytest.mark.django_db

TOWN = "150825100"
COMMUNITY = "150825100001"
GACHA = "150825100201"
OTHER_TOWN_GRID = "150825200201001"


@pytest.fixture
def tree():
    """A town with a community (3 grids) and a synthetic gacha (2 grids); one grid in another town."""
    area(TOWN, "巴音宝力格镇")
    area(COMMUNITY, "塞上社区")
    area(GACHA, "乌兰嘎查", is_synthetic=True)
    for n in range(3):
        grid(
            f"{COMMUNITY}{n + 1:03d}",
            (107.0 + n * 0.01, 41.0, 107.01 + n * 0.01, 41.01),
            kind=GridKind.COMMUNITY,
        )
    for n in range(2):
        grid(f"{GACHA}{n + 1:03d}", (107.1 + n * 0.03, 41.0, 107.13 + n * 0.03, 41.03), target_households=9)
    grid(OTHER_TOWN_GRID, (108.0, 42.0, 108.1, 42.1))


def _login(client, role, code):
    user = user_with(role, code)
    client.force_login(user)
    return user


# --- pages: who may open them ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "grant", "url", "status"),
    [
        (Role.TOWNSHIP_STAFF, TOWN, f"/areas/{TOWN}/", 200),
        (Role.TOWNSHIP_STAFF, TOWN, f"/areas/{COMMUNITY}/", 200),
        (Role.TOWNSHIP_STAFF, TOWN, f"/grids/{COMMUNITY}001/", 200),
        (Role.TOWNSHIP_STAFF, TOWN, f"/grids/{OTHER_TOWN_GRID}/", 404),
        (Role.TOWNSHIP_STAFF, TOWN, "/areas/150825200/", 404),
        (Role.GRID_WORKER, f"{COMMUNITY}001", f"/grids/{COMMUNITY}001/", 200),
        (Role.GRID_WORKER, f"{COMMUNITY}001", f"/areas/{COMMUNITY}/", 200),  # the village around their grid
        (Role.GRID_WORKER, f"{COMMUNITY}001", f"/grids/{COMMUNITY}002/", 404),  # the neighbour's grid
        (Role.GRID_WORKER, f"{COMMUNITY}001", f"/areas/{GACHA}/", 404),
        (Role.RESIDENT, f"{GACHA}002", f"/grids/{GACHA}002/", 200),
        (Role.RESIDENT, f"{GACHA}002", f"/grids/{COMMUNITY}001/", 404),
    ],
)
def test_page_access_matrix(client, tree, role, grant, url, status):
    _login(client, role, grant)
    assert client.get(url).status_code == status


@pytest.mark.parametrize("url", [f"/areas/{TOWN}/", f"/grids/{COMMUNITY}001/", "/areas/"])
def test_anonymous_is_sent_to_login(client, tree, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert f"next={url}" in response.url.replace("%2F", "/")


def test_unknown_area_is_404_even_for_a_superuser(client, tree):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get("/areas/150825100999/").status_code == 404
    assert client.get("/grids/150825100999001/").status_code == 404


def test_area_url_of_a_grid_leads_to_the_grid_page(client, tree):
    _login(client, Role.TOWNSHIP_STAFF, TOWN)
    response = client.get(f"/areas/{COMMUNITY}001/")
    assert response.status_code == 302
    assert response.url == f"/grids/{COMMUNITY}001/"


def test_browser_goes_straight_to_a_single_area_and_lists_several(client, tree):
    user = _login(client, Role.TOWNSHIP_STAFF, TOWN)
    assert client.get("/areas/").url == f"/areas/{TOWN}/"
    from grassroots.accounts.models import RoleGrant

    gacha = area(GACHA)
    RoleGrant.objects.create(user=user, role=Role.RESIDENT, area=area("150826"), area_code="150826")
    RoleGrant.objects.create(user=user, role=Role.RESIDENT, area=gacha, area_code=GACHA)
    body = client.get("/areas/").content.decode()
    assert f'href="/areas/{TOWN}/"' in body and 'href="/areas/150826/"' in body


def test_user_without_grants_is_told_whom_to_ask(client, tree):
    client.force_login(UserFactory())
    response = client.get("/areas/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Ask your administrator to grant you a role on an area." in response.content.decode()


# --- pages: what they show -------------------------------------------------------------------------------


def test_area_page_has_breadcrumbs_children_legend_and_the_map_source(client, tree):
    _login(client, Role.TOWNSHIP_STAFF, TOWN)
    body = client.get(f"/areas/{TOWN}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # the children, linked; the breadcrumbs lead up to the province
    assert f'href="/areas/{COMMUNITY}/"' in body and f'href="/areas/{GACHA}/"' in body
    assert 'href="/areas/1508/"' in body
    # the map: GeoJSON URL, grid page template, legend with each grid kind
    assert f'data-geojson-url="/api/v1/areas/{TOWN}/grids.geojson"' in body
    assert 'data-grid-url="/grids/CODE/"' in body
    for kind in GridKind.values:
        assert f"swatch kind-{kind}" in body
    # the CSP forbids inline script: every script is a file
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body) == []
    assert "leaflet-1.9.4/leaflet.js" in body and "grassroots/map.js" in body


def test_village_page_links_its_grids_to_their_pages_and_marks_synthetic_data(client, tree):
    _login(client, Role.TOWNSHIP_STAFF, TOWN)
    body = client.get(f"/areas/{GACHA}/").content.decode()
    assert f'href="/grids/{GACHA}001/"' in body and f'href="/grids/{GACHA}002/"' in body
    assert 'class="badge synthetic"' in body
    assert 'class="badge synthetic"' not in client.get(f"/areas/{COMMUNITY}/").content.decode()


def test_grid_worker_sees_only_their_own_grid_in_the_village_list(client, tree):
    _login(client, Role.GRID_WORKER, f"{COMMUNITY}002")
    body = client.get(f"/areas/{COMMUNITY}/").content.decode()
    assert f'href="/grids/{COMMUNITY}002/"' in body
    assert f'href="/grids/{COMMUNITY}001/"' not in body


def test_no_tile_url_says_the_map_has_no_base_layer(client, tree, settings):
    _login(client, Role.TOWNSHIP_STAFF, TOWN)
    settings.MAP_TILE_URL = ""
    assert 'class="map-note' in client.get(f"/areas/{TOWN}/").content.decode()


def test_tile_url_is_handed_to_the_map(client, tree, settings):
    _login(client, Role.TOWNSHIP_STAFF, TOWN)
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    body = client.get(f"/areas/{TOWN}/").content.decode()
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in body
    assert 'class="map-note' not in body


def test_tianditu_subdomains_are_handed_to_the_map(client, tree, settings):
    _login(client, Role.TOWNSHIP_STAFF, TOWN)
    settings.MAP_TILE_URL = "https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}&y={y}&l={z}"
    settings.MAP_TILE_SUBDOMAINS = "01234567"
    assert 'data-tile-subdomains="01234567"' in client.get(f"/areas/{TOWN}/").content.decode()


def test_each_tile_host_is_allowed_by_name_in_the_content_security_policy():
    from grassroots.settings import tile_hosts

    hosts = tile_hosts("https://t{s}.tianditu.gov.cn/vec_w/wmts?l={z}", "01234567")
    assert hosts == [f"https://t{n}.tianditu.gov.cn" for n in range(8)]
    assert tile_hosts("https://{s}.tile.example.org/{z}/{x}/{y}.png", "abc") == [
        "https://a.tile.example.org",
        "https://b.tile.example.org",
        "https://c.tile.example.org",
    ]
    assert tile_hosts("https://tiles.example.org/{z}/{x}/{y}.png", "abc") == ["https://tiles.example.org"]


def test_grid_page_shows_facts_and_current_workers_with_masked_phones(client, tree):
    g = Grid.objects.get(area__code=f"{GACHA}001")
    group = VillageGroup.objects.create(village=g.area.parent, number=3, name="第三村民小组")
    g.village_groups.add(group)
    today = dt.date.today()
    leader = GridWorkerFactory(name="李强", phone="13912345678", area_code=g.area.code)
    red = GridWorkerFactory(name="赵德明", kind=WorkerKind.RED, area_code=g.area.code)
    former = GridWorkerFactory(name="钱前任", area_code=g.area.code)
    assignment(red, g, AssignmentRole.WORKER, today - dt.timedelta(days=30))
    assignment(leader, g, AssignmentRole.LEADER, today - dt.timedelta(days=10))
    assignment(former, g, AssignmentRole.WORKER, today - dt.timedelta(days=90), today - dt.timedelta(days=5))
    _login(client, Role.VILLAGE_STAFF, GACHA)

    body = client.get(f"/grids/{GACHA}001/").content.decode()

    assert f"{GACHA}001" in body and "第三村民小组" in body and ">9<" in body
    assert 'href="/areas/150825100201/"' in body  # its village
    assert "李强" in body and "赵德明" in body
    assert body.index("李强") < body.index("赵德明")  # the grid leader first
    assert "钱前任" not in body  # an ended assignment is history, not "who serves"
    assert "139****5678" in body and "13912345678" not in body
    # the map draws its village's grids (as far as the user may see them) and singles this one out
    assert f'data-geojson-url="/api/v1/areas/{GACHA}/grids.geojson"' in body
    assert f'data-current="{GACHA}001"' in body


def _query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.fixture
def two_area_user(client, tree):
    """A user with two grants, so that the area browser renders its list: the baseline page whose queries
    (session, user, grants, roots, and whatever the site navigation needs) every page shares."""
    from grassroots.accounts.models import RoleGrant

    user = _login(client, Role.VILLAGE_STAFF, GACHA)
    RoleGrant.objects.create(user=user, role=Role.VILLAGE_STAFF, area=area(COMMUNITY), area_code=COMMUNITY)
    client.get("/areas/")  # warm the session
    return user


def test_grid_page_query_count_is_pinned_and_does_not_grow_with_workers(client, two_area_user):
    g = Grid.objects.get(area__code=f"{GACHA}001")
    baseline = _query_count(client, "/areas/")
    assignment(GridWorkerFactory(area_code=g.area.code), g, AssignmentRole.LEADER, dt.date(2024, 1, 1))
    one_worker = _query_count(client, f"/grids/{GACHA}001/")
    for n in range(6):
        assignment(
            GridWorkerFactory(area_code=g.area.code), g, AssignmentRole.WORKER, dt.date(2024, 1, n + 1)
        )
    seven_workers = _query_count(client, f"/grids/{GACHA}001/")
    assert seven_workers == one_worker
    # beyond the baseline (whose roots query it does not need): grid with area and village, village
    # groups, breadcrumbs, assignments with workers
    assert one_worker - baseline == 4 - 1


def test_area_page_query_count_is_pinned_and_does_not_grow_with_children(client, two_area_user):
    baseline = _query_count(client, "/areas/")
    few = _query_count(client, f"/areas/{GACHA}/")
    for n in range(10):
        grid(f"{GACHA}{n + 10:03d}", (107.5, 41.0, 107.51, 41.01))
    assert _query_count(client, f"/areas/{GACHA}/") == few
    # beyond the baseline: area, children, breadcrumbs (instead of the roots)
    assert few - baseline == 3 - 1


# --- JSON API -----------------------------------------------------------------------------------------------


def test_grids_geojson_is_a_feature_collection_of_the_grids_in_scope(client, tree):
    _login(client, Role.TOWNSHIP_STAFF, TOWN)
    response = client.get(f"/api/v1/areas/{TOWN}/grids.geojson")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["truncated"] is False
    codes = [f["properties"]["code"] for f in body["features"]]
    assert codes == [f"{COMMUNITY}001", f"{COMMUNITY}002", f"{COMMUNITY}003", f"{GACHA}001", f"{GACHA}002"]
    first = body["features"][0]
    assert first["type"] == "Feature" and first["id"] == f"{COMMUNITY}001"
    assert first["properties"] == {
        "code": f"{COMMUNITY}001",
        "name": f"区划{COMMUNITY}001",
        "kind": "community",
        "target_households": None,
    }
    assert body["features"][3]["properties"]["target_households"] == 9
    assert first["geometry"]["type"] == "Polygon"
    assert shapely.geometry.shape(first["geometry"]).equals(shapely.box(107.0, 41.0, 107.01, 41.01))
    assert body["bbox"] == [107.0, 41.0, 107.16, 41.03]


def test_grids_geojson_for_a_grid_worker_holds_only_their_grid(client, tree):
    _login(client, Role.GRID_WORKER, f"{COMMUNITY}002")
    body = client.get(f"/api/v1/areas/{COMMUNITY}/grids.geojson").json()
    assert [f["id"] for f in body["features"]] == [f"{COMMUNITY}002"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/areas/150825200/grids.geojson",
        "/api/v1/areas/150825200",
        "/api/v1/areas/150825200/children",
        f"/api/v1/areas/{OTHER_TOWN_GRID}/grid",
        f"/api/v1/areas/{OTHER_TOWN_GRID}/grids.geojson",
    ],
)
def test_api_outside_scope_is_404_and_anonymous_is_401(client, tree, path):
    area("150825200")
    assert client.get(path).status_code == 401
    _login(client, Role.TOWNSHIP_STAFF, TOWN)
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_grids_geojson_bbox_keeps_the_grids_meeting_the_box(client, tree):
    _login(client, Role.TOWNSHIP_STAFF, TOWN)
    body = client.get(f"/api/v1/areas/{TOWN}/grids.geojson", {"bbox": "107.005,40.9,107.015,41.2"}).json()
    assert [f["id"] for f in body["features"]] == [f"{COMMUNITY}001", f"{COMMUNITY}002"]


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "108,41,107,42"])
def test_grids_geojson_refuses_a_malformed_bbox_and_says_how(client, tree, bbox):
    _login(client, Role.TOWNSHIP_STAFF, TOWN)
    response = client.get(f"/api/v1/areas/{TOWN}/grids.geojson", {"bbox": bbox})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_bbox"
    assert "min_lon" in response.json()["message"]


def test_grids_geojson_limit_truncates_and_says_so(client, tree):
    _login(client, Role.TOWNSHIP_STAFF, TOWN)
    body = client.get(f"/api/v1/areas/{TOWN}/grids.geojson", {"limit": 2}).json()
    assert len(body["features"]) == 2
    assert body["truncated"] is True


def test_grids_geojson_simplifies_for_a_city_and_keeps_detail_for_a_village(client, tree):
    # a round grid with 400 vertices, about 1 km across
    ring = Point(107.3, 41.3).buffer(0.005, quad_segs=100)
    g = grid(f"{GACHA}003", ring.bounds)
    Grid.objects.filter(pk=g.pk).update(boundary=mapping(ring))
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    def vertices(code):
        body = client.get(f"/api/v1/areas/{code}/grids.geojson").json()
        (feature,) = [f for f in body["features"] if f["id"] == f"{GACHA}003"]
        return len(feature["geometry"]["coordinates"][0])

    assert vertices(GACHA) == len(ring.exterior.coords)  # a village map: every corner
    assert vertices("1508") < 60  # a city map: a few pixels wide, a few dozen corners suffice


def test_grids_geojson_query_count_does_not_grow_with_grids(client, tree, django_assert_num_queries):
    _login(client, Role.TOWNSHIP_STAFF, TOWN)
    url = f"/api/v1/areas/{TOWN}/grids.geojson"
    client.get(url)
    for n in range(40):
        grid(f"150825100202{n + 1:03d}", (107.5 + n * 0.01, 41.0, 107.51 + n * 0.01, 41.01))
    # session, user, grants, area, grids
    with django_assert_num_queries(5):
        body = client.get(url).json()
    assert len(body["features"]) == 45


def test_grid_detail_api(client, tree):
    g = Grid.objects.get(area__code=f"{GACHA}001")
    g.village_groups.add(VillageGroup.objects.create(village=g.area.parent, number=1, name="第一村民小组"))
    _login(client, Role.RESIDENT, f"{GACHA}001")
    body = client.get(f"/api/v1/areas/{GACHA}001/grid").json()
    assert body["code"] == f"{GACHA}001"
    assert body["kind"] == "rural"
    assert body["sequence"] == 1
    assert body["village_code"] == GACHA and body["village_name"] == "乌兰嘎查"
    assert body["village_groups"] == [{"number": 1, "name": "第一村民小组"}]
    assert body["target_households"] == 9
    assert body["boundary"]["type"] == "Polygon"
    assert body["bbox"] == [107.1, 41.0, 107.13, 41.03]
    assert body["is_synthetic"] is False


def test_children_api_is_scoped_and_its_query_count_pinned(client, tree, django_assert_num_queries):
    _login(client, Role.GRID_WORKER, f"{COMMUNITY}001")
    client.get(f"/api/v1/areas/{COMMUNITY}/children")
    with django_assert_num_queries(5):  # session, user, grants, area, children
        body = client.get(f"/api/v1/areas/{COMMUNITY}/children").json()
    assert [a["code"] for a in body] == [f"{COMMUNITY}001"]
    town = client.get(f"/api/v1/areas/{TOWN}/children").json()
    assert [a["code"] for a in town] == [COMMUNITY]  # the one path down to their grid


def test_openapi_documents_the_map_and_grid_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/areas/{code}/grids.geojson" in paths
    assert "/api/v1/areas/{code}/grid" in paths
    params = {p["name"] for p in paths["/api/v1/areas/{code}/grids.geojson"]["get"]["parameters"]}
    assert {"code", "bbox", "limit"} <= params


def test_grids_geojson_is_compressed_for_clients_that_accept_gzip(client, tree):
    import gzip
    import json

    for n in range(40):
        grid(f"150825100202{n + 1:03d}", (107.5 + n * 0.01, 41.0, 107.51 + n * 0.01, 41.01))
    _login(client, Role.TOWNSHIP_STAFF, TOWN)
    response = client.get(f"/api/v1/areas/{TOWN}/grids.geojson", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(response.content))["features"]) == 45


def test_grid_workers_api_matches_the_grid_page(client, tree):
    g = Grid.objects.get(area__code=f"{GACHA}001")
    today = dt.date.today()
    leader = GridWorkerFactory(name="李强", phone="13912345678", area_code=g.area.code)
    former = GridWorkerFactory(name="钱前任", area_code=g.area.code)
    assignment(leader, g, AssignmentRole.LEADER, today - dt.timedelta(days=10))
    assignment(former, g, AssignmentRole.WORKER, today - dt.timedelta(days=90), today - dt.timedelta(days=5))
    url = f"/api/v1/workforce/grids/{GACHA}001/assignments"
    assert client.get(url).status_code == 401
    _login(client, Role.RESIDENT, f"{GACHA}001")
    body = client.get(url).json()
    assert [(a["worker_name"], a["role"], a["phone_masked"]) for a in body] == [
        ("李强", "leader", "139****5678")
    ]
    assert "13912345678" not in str(body)
    history = client.get(url, {"include_ended": "true"}).json()
    assert [a["worker_name"] for a in history] == ["李强", "钱前任"]


def test_grid_workers_api_outside_scope_is_404(client, tree):
    _login(client, Role.RESIDENT, f"{GACHA}001")
    response = client.get(f"/api/v1/workforce/grids/{GACHA}002/assignments")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
