"""The area-data API: the same services, permissions and validation as the pages."""

import datetime as dt
import io
import json

import openpyxl
import pytest

from grassroots.accounts import services as account_services
from grassroots.accounts.models import Role
from grassroots.areas.models import Area, AreaName, BoundaryVersion, Grid, VillageGroup
from tests.factories import area, grid, user_with

from .test_import_export import GOOD_GROUPS, GOOD_ROWS, cell, feature, geojson, upload, xlsx

pytestmark = pytest.mark.django_db

BASE = "/api/v1/area-data"
COUNTY = "150825"
TOWN = "150825100"
VILLAGE = "150825100201"
LON, LAT = 106.9, 41.1


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {account_services.api_token_issue(user=user, name='test')}"}


@pytest.fixture
def admin():
    area(COUNTY)
    return bearer(user_with(Role.ADMINISTRATOR, COUNTY))


def post(client, path, body, auth):
    return client.post(BASE + path, json.dumps(body), content_type="application/json", **auth)


def patch(client, path, body, auth):
    return client.patch(BASE + path, json.dumps(body), content_type="application/json", **auth)


def state():
    return (
        list(Area.objects.order_by("code").values_list("code", "name", "kind", "valid_until", "boundary")),
        list(AreaName.objects.order_by("pk").values_list("name", "valid_until")),
        list(Grid.objects.order_by("pk").values_list("kind", "sequence", "boundary", "target_households")),
        VillageGroup.objects.count(),
    )


def test_create_rename_and_merge_an_area(client, admin):
    area(TOWN)
    created = post(client, "/areas", {"code": VILLAGE, "name": "民生村", "kind": "village"}, admin)
    assert created.status_code == 201, created.json()
    assert created.json()["parent_code"] == TOWN and created.json()["warnings"] == []
    renamed = post(client, f"/areas/{VILLAGE}/rename", {"new_name": "民主村", "on": "2024-01-01"}, admin)
    assert renamed.json()["name"] == "民主村"
    assert AreaName.objects.filter(area__code=VILLAGE).count() == 2
    post(client, "/areas", {"code": "150825100202", "name": "团结村", "kind": "village"}, admin)
    merged = post(client, f"/areas/{VILLAGE}/merge", {"into": "150825100202", "on": "2025-01-01"}, admin)
    assert merged.status_code == 200
    assert (merged.json()["valid_until"], merged.json()["successor_code"]) == ("2025-01-01", "150825100202")


def test_validation_errors_are_code_and_message(client, admin):
    area(TOWN)
    bad = post(client, "/areas", {"code": "1508251002", "name": "x", "kind": "village"}, admin)
    assert bad.status_code == 400 and bad.json()["code"] == "bad_code" and bad.json()["message"]
    kind = post(client, "/areas", {"code": VILLAGE, "name": "x", "kind": "town"}, admin)
    assert kind.json()["code"] == "bad_kind"
    warned = post(client, "/areas", {"code": "150825100020", "name": "x", "kind": "village"}, admin)
    assert warned.status_code == 201 and warned.json()["warnings"]


def test_grids_with_boundaries_through_the_api(client, admin):
    area(VILLAGE)
    grid("150825100202001", cell(0))
    area("150825100202")
    before = BoundaryVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0
    square = {
        "type": "Polygon",
        "coordinates": [
            [[LON, LAT], [LON + 0.01, LAT], [LON + 0.01, LAT + 0.01], [LON, LAT + 0.01], [LON, LAT]]
        ],
    }
    refused = post(client, "/grids", {"village_code": VILLAGE, "kind": "rural", "boundary": square}, admin)
    assert refused.status_code == 400 and refused.json()["code"] == "boundary_foreign"
    moved = {"type": "Polygon", "coordinates": [[[x + 0.02, y] for x, y in square["coordinates"][0]]]}
    created = post(
        client,
        "/grids",
        {"village_code": VILLAGE, "kind": "rural", "boundary": moved, "target_households": 12},
        admin,
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["code"] == VILLAGE + "001" and body["bbox"][0] == pytest.approx(LON + 0.02)
    assert BoundaryVersion.objects.get().version == before + 1
    swapped = {"type": "Polygon", "coordinates": [[[y, x] for x, y in moved["coordinates"][0]]]}
    bad = patch(client, f"/grids/{VILLAGE}001", {"boundary": swapped}, admin)
    assert bad.status_code == 400 and bad.json()["code"] == "swapped_coordinates"
    post(client, "/village-groups", {"village_code": VILLAGE, "number": 1, "name": "一组"}, admin)
    updated = patch(client, f"/grids/{VILLAGE}001", {"village_groups": [1], "sequence": 4}, admin)
    assert (updated.json()["village_groups"], updated.json()["sequence"]) == ([1], 4)
    cleared = patch(client, f"/grids/{VILLAGE}001", {"boundary": None}, admin)
    assert cleared.json()["boundary"] is None


@pytest.mark.parametrize(
    ("role", "grant", "status"),
    [
        (Role.ADMINISTRATOR, "150826", 404),
        (Role.VILLAGE_STAFF, VILLAGE, 403),
        (Role.LEADER, COUNTY, 403),
    ],
)
def test_permission_matrix_of_the_api_changes_nothing_on_denial(client, role, grant, status):
    area(COUNTY)
    g = grid(VILLAGE + "001", cell(0))
    auth = bearer(user_with(role, grant))
    before = state()
    calls = [
        post(client, "/areas", {"code": VILLAGE, "name": "x", "kind": "village"}, auth),
        post(client, f"/areas/{VILLAGE}/rename", {"new_name": "x", "on": "2024-01-01"}, auth),
        patch(client, f"/grids/{g.area.code}", {"target_households": 5}, auth),
        post(client, "/grids", {"village_code": VILLAGE, "kind": "rural"}, auth),
        post(client, "/village-groups", {"village_code": VILLAGE, "number": 1}, auth),
        client.post(f"{BASE}/areas/{COUNTY}/tree-import", {"file": xlsx(GOOD_ROWS)}, **auth),
        client.get(f"{BASE}/areas/{COUNTY}/tree-export", **auth),
        client.get(f"{BASE}/areas/{COUNTY}/boundaries-export", **auth),
    ]
    assert [c.status_code for c in calls] == [status] * len(calls)
    assert state() == before


def test_unauthenticated_calls_are_401(client):
    assert client.get(f"{BASE}/areas/{COUNTY}/tree-export").status_code == 401


def test_tree_import_dry_run_then_real_and_broken_rows_are_422(client, admin):
    url = f"{BASE}/areas/{COUNTY}/tree-import"
    dry = client.post(url, {"file": xlsx(GOOD_ROWS, groups=GOOD_GROUPS), "dry_run": "true"}, **admin)
    assert dry.status_code == 200 and dry.json()["created"] == 9 and not dry.json()["written"]
    assert not Area.objects.filter(code=TOWN).exists()
    real = client.post(url, {"file": xlsx(GOOD_ROWS, groups=GOOD_GROUPS)}, **admin)
    assert real.status_code == 200 and real.json()["written"]
    again = client.post(url, {"file": xlsx(GOOD_ROWS, groups=GOOD_GROUPS)}, **admin)
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 9)
    broken = client.post(
        url, {"file": xlsx([["150825100203", "", "村"], ["15082510020", "x", "村"]])}, **admin
    )
    assert broken.status_code == 422
    assert [(e["row"], e["column"]) for e in broken.json()["errors"]] == [(2, "B 名称"), (3, "A 代码")]
    not_xlsx = client.post(url, {"file": upload(b"hello", "x.xlsx")}, **admin)
    assert not_xlsx.status_code == 400 and not_xlsx.json()["code"] == "not_a_spreadsheet"


def test_tree_export_and_template_are_workbooks(client, admin):
    area(VILLAGE)
    export = client.get(f"{BASE}/areas/{COUNTY}/tree-export", **admin)
    assert export.status_code == 200
    rows = list(
        openpyxl.load_workbook(io.BytesIO(export.content))["区划"].iter_rows(min_row=2, values_only=True)
    )
    assert [r[0] for r in rows] == [COUNTY, TOWN, VILLAGE]
    template = client.get(f"{BASE}/template.xlsx", **admin)
    assert template.status_code == 200 and template.content.startswith(b"PK")


def test_boundaries_import_and_export_round_trip(client, admin):
    area(VILLAGE)
    url = f"{BASE}/areas/{COUNTY}/boundaries-import"
    created = client.post(url, {"file": geojson(feature(VILLAGE + "001", cell(0), kind="rural"))}, **admin)
    assert created.status_code == 200 and created.json()["created"] == 1
    exported = client.get(f"{BASE}/areas/{COUNTY}/boundaries-export", **admin)
    assert exported["Content-Type"].startswith("application/geo+json")
    again = client.post(url, {"file": upload(exported.content, "grids.geojson")}, **admin)
    assert (again.json()["unchanged"], again.json()["updated"]) == (1, 0)
    broken = client.post(
        url,
        {"file": geojson(feature(VILLAGE + "002", (LAT, LON, LAT + 0.01, LON + 0.01), kind="rural"))},
        **admin,
    )
    assert broken.status_code == 422
    error = broken.json()["errors"][0]
    assert (error["row"], error["code"], error["column"]) == (0, VILLAGE + "002", "geometry")


def test_the_openapi_schema_lists_the_area_data_operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert "/api/v1/area-data/areas/{code}/tree-import" in paths
    assert "/api/v1/area-data/grids/{code}" in paths


def test_rename_date_in_the_future_is_refused(client, admin):
    area(VILLAGE)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = post(client, f"/areas/{VILLAGE}/rename", {"new_name": "新村", "on": future}, admin)
    assert response.status_code == 400 and response.json()["code"] == "rename_in_future"


def test_hostile_or_empty_values_are_a_400_never_a_crash(client, admin):
    area(TOWN)
    grid(VILLAGE + "001")
    nul = post(client, "/areas", {"code": "150825100202", "name": "坏\x00名", "kind": "village"}, admin)
    # a control character is refused before the operation, naming the field (grassroots.textinput)
    assert nul.status_code == 422 and nul.json()["code"] == "control_characters"
    assert nul.json()["detail"]["field"] == "name"
    for body, code in (
        ({"kind": None}, "bad_grid_kind"),
        ({"sequence": None}, "bad_sequence"),
        ({"name": None}, "name_required"),
    ):
        response = patch(client, f"/grids/{VILLAGE}001", body, admin)
        assert (response.status_code, response.json()["code"]) == (400, code)
    cleared = patch(
        client, f"/grids/{VILLAGE}001", {"village_groups": None, "target_households": None}, admin
    )
    assert cleared.status_code == 200 and cleared.json()["village_groups"] == []
    huge = post(client, "/grids", {"village_code": VILLAGE, "kind": "rural", "number": 10**12}, admin)
    assert huge.status_code == 400 and huge.json()["code"] == "bad_sequence"
    named = client.post(
        f"{BASE}/areas/{COUNTY}/tree-import",
        {"file": upload(b"not a workbook", "bad\x00name.xlsx"), "dry_run": "true"},
        **admin,
    )
    assert named.status_code == 400
