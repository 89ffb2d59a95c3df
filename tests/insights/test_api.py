"""The insights API: the same figures as the page and the live metrics, the scope (403 without a role that reads
figures, 404 outside the caller's scope), errors as {code, message}, and the operations in the OpenAPI document."""

from __future__ import annotations

import pytest
from django.test import Client

from grassroots.api.api import api
from grassroots.cases import metrics
from grassroots.cases.metrics import Period
from tests.cases.conftest import COUNTY, G1, G2, OTHER_COUNTY_GRID, TOWNSHIP, VILLAGE

from .test_dashboard import cases  # noqa: F401 - the same cases as the page tests


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize(
    ("who", "code", "status"),
    [
        ("resident", G1, 403),
        ("department", COUNTY, 403),
        ("grid_worker", G1, 200),
        ("grid_worker", G2, 404),
        ("grid_worker", VILLAGE, 404),
        ("village", VILLAGE, 200),
        ("county", COUNTY, 200),
        ("county", OTHER_COUNTY_GRID, 404),
        ("county", "nonsense", 404),
        ("leader", TOWNSHIP, 200),
        ("outsider", COUNTY, 404),
    ],
)
def test_api_permissions(client, city, cases, who, code, status):  # noqa: F811
    client.force_login(getattr(city, who))
    for path in (f"/api/v1/insights/{code}", f"/api/v1/insights/{code}/figures"):
        response = client.get(path, {"period": "2025-03"})
        assert response.status_code == status, path
        if status != 200:
            assert set(response.json()) >= {"code", "message"}
            assert response.json()["code"] == {403: "not_permitted", 404: "not_found"}[status]


def test_the_api_needs_a_login(city):
    assert Client().get(f"/api/v1/insights/{COUNTY}").status_code == 401


def test_the_dashboard_api_gives_the_live_figures_with_their_formulas(client, city, cases):  # noqa: F811
    client.force_login(city.county)
    body = client.get(f"/api/v1/insights/{COUNTY}", {"period": "2025-03"}).json()
    live = metrics.case_metrics(area_code=COUNTY, period=Period.month(2025, 3))
    assert body["figures"]["reported"] == live.counts.reported == 4
    rates = {r["key"]: r for r in body["figures"]["rates"]}
    assert rates["closure"]["percent"] == str(live["closure"].percent)
    assert (rates["closure"]["numerator"], rates["closure"]["denominator"]) == (
        1,
        2,
    )  # one of the two accepted is closed
    assert rates["closure"]["definition"] == "Closure rate (结案率, shown as 办结率) = closed / due to close."
    assert body["previous_period"] == "2025-02"
    assert [a["key"] for a in body["areas"]] == [TOWNSHIP]
    assert [t["key"] for t in body["service_types"]] == ["01", "02"]
    assert [p["key"] for p in body["months"]] == ["2025-03"]
    assert body["weeks"][0]["key"] == "2025-03-03"
    assert [c["id"] for c in body["overdue"]] == [cases[4].pk, cases[2].pk]  # never accepted, newest first
    assert body["urged"][0]["urge_count"] == 2


def test_the_figures_api_and_the_areas(client, city, cases):  # noqa: F811
    client.force_login(city.village)
    assert client.get("/api/v1/insights/areas").json() == [{"code": VILLAGE, "name": city_name(VILLAGE)}]
    body = client.get(f"/api/v1/insights/{VILLAGE}/figures", {"period": "2025-03"}).json()
    assert body["figures"]["reported"] == 4  # G1 three, G2 one
    assert {c["key"] for c in body["changes"]} >= {"closure", "satisfaction"}


def city_name(code: str) -> str:
    from grassroots.areas.models import Area

    return Area.objects.get(code=code).name


def test_a_period_that_cannot_be_read_is_422(client, city, cases):  # noqa: F811
    client.force_login(city.county)
    response = client.get(f"/api/v1/insights/{COUNTY}", {"period": "2025-13"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_period"
    assert "2025-Q2" in response.json()["message"]


def test_the_operations_are_in_the_openapi_document():
    document = api.get_openapi_schema(path_prefix="/api/v1/")
    paths = document["paths"]
    assert {"/api/v1/insights/areas", "/api/v1/insights/{code}", "/api/v1/insights/{code}/figures"} <= set(
        paths
    )
    schemas = document["components"]["schemas"]
    assert "definition" in schemas["InsightsRateOut"]["properties"]
