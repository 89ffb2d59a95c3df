"""A pin far from home: outside the reporter's county, or farther than the routing distance from every grid.

Such a report is refused until the reporter confirms it, with a message naming where it would go (a tap on
a blank map once sent a report 45 km away to another county's township, without a word). The page, the API
and the preview endpoint say the same.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from grassroots.accounts.models import Role
from grassroots.areas.models import Area
from grassroots.cases import services
from grassroots.cases.models import Case
from grassroots.cases.selectors import home_counties, reporter_home_code
from grassroots.cases.workflow import ReportInvalid
from tests.factories import user_with

from .conftest import G1, INSIDE_G1, OTHER_COUNTY_GRID

IN_OTHER_COUNTY = (108.005, 41.005)  # inside grid 150826100200001, another county
FAR_FROM_EVERY_GRID = (107.5, 41.5)  # tens of kilometres from any grid, in no county's hull


@pytest.fixture(autouse=True)
def _names(city):
    Area.objects.filter(code=OTHER_COUNTY_GRID[:9]).update(name="海流图镇")
    Area.objects.filter(code=OTHER_COUNTY_GRID).update(name="海流图第一网格")


@pytest.fixture
def home_resident(city):
    return user_with(Role.RESIDENT, G1, display_name="住在G1的居民")


def report(actor, point, **extra):
    return services.case_report(
        actor=actor, category="0101", description="路灯坏了", lon=point[0], lat=point[1], **extra
    )


def test_home_is_the_most_precise_grant_and_its_county(home_resident):
    assert reporter_home_code(home_resident) == G1
    assert home_counties(home_resident) == ["150825"]


def test_a_pin_in_another_county_is_refused_without_confirmation_naming_where(home_resident):
    with translation.override("en"), pytest.raises(ReportInvalid) as refused:
        report(home_resident, IN_OTHER_COUNTY)
    assert refused.value.code == "confirm_far"
    assert "outside your county" in str(refused.value)
    assert "海流图第一网格" in str(refused.value)
    assert refused.value.detail["field"] == "confirm_far"
    assert not Case.objects.exists()


def test_the_same_pin_confirmed_goes_there(home_resident):
    case = report(home_resident, IN_OTHER_COUNTY, confirm_far=True)
    assert case.area_code == OTHER_COUNTY_GRID


def test_a_pin_at_home_needs_no_confirmation(home_resident):
    assert report(home_resident, INSIDE_G1).area_code == G1


def test_a_pin_far_from_every_grid_is_refused_for_anyone_naming_the_inbox_and_distance(city, settings):
    settings.ROUTING_NEAREST_METRES = 300
    # a resident with no grant and no register entry: only the distance counts
    with translation.override("en"), pytest.raises(ReportInvalid) as refused:
        report(city.resident, FAR_FROM_EVERY_GRID)
    message = str(refused.value)
    assert "from the nearest grid" in message and " km " in message
    assert refused.value.detail["area_name"] in message
    assert refused.value.detail["distance_m"] > 300
    case = report(city.resident, FAR_FROM_EVERY_GRID, confirm_far=True)
    assert len(case.area_code) < 15  # an inbox, as routing decides


def test_the_refusal_is_translated(home_resident):
    with translation.override("zh-hans"), pytest.raises(ReportInvalid) as refused:
        report(home_resident, IN_OTHER_COUNTY)
    assert "海流图第一网格" in str(refused.value)
    assert "county" not in str(refused.value)


# --- the page, without JavaScript ---------------------------------------------------------------------------


def _form(point, **extra):
    return {
        "category": "0101",
        "description": "路灯坏了",
        "kind": "problem",
        "lon": str(point[0]),
        "lat": str(point[1]),
        "crs": "wgs84",
        "idempotency_key": "k-far-1",
        **extra,
    }


def test_the_page_shows_the_confirmation_and_accepts_it_when_ticked(home_resident):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(home_resident)
    page = client.post(reverse("cases:report"), _form(IN_OTHER_COUNTY))
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-far-confirm" in html and "outside your county" in html and "海流图第一网格" in html
    assert 'name="confirm_far"' in html
    assert not Case.objects.exists()
    sent = client.post(
        reverse("cases:report"), _form(IN_OTHER_COUNTY, confirm_far="on", idempotency_key="k2")
    )
    assert sent.status_code == 302
    assert Case.objects.get().area_code == OTHER_COUNTY_GRID


def test_the_page_starts_from_the_reporters_grid(home_resident):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(home_resident)
    html = client.get(reverse("cases:report")).content.decode()
    assert f'data-home-code="{G1}"' in html
    assert reverse("api:area_outlines", kwargs={"code": G1}) in html
    assert 'data-home-counties="150825"' in html
    assert "data-far-confirm" in html and " hidden>" in html  # there, and hidden until needed


# --- the API ------------------------------------------------------------------------------------------------


def test_the_api_refuses_with_confirm_far_and_accepts_with_the_field(home_resident):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(home_resident)
    data = {"category": "0101", "description": "x", "lon": IN_OTHER_COUNTY[0], "lat": IN_OTHER_COUNTY[1]}
    refused = client.post("/api/v1/cases/", data=data)
    assert refused.status_code == 400
    assert refused.json()["code"] == "confirm_far"
    assert "海流图第一网格" in refused.json()["message"]
    accepted = client.post("/api/v1/cases/", data={**data, "confirm_far": "true"})
    assert accepted.status_code == 201


def test_the_field_is_documented(city):
    schema = Client().get("/api/v1/openapi.json").json()
    text = str(schema)
    assert "confirm_far" in text


# --- the preview --------------------------------------------------------------------------------------------


def test_the_preview_names_the_receiving_area_and_nothing_more(home_resident):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(home_resident)
    url = reverse("api:area_destination")
    far = client.get(url, {"lon": IN_OTHER_COUNTY[0], "lat": IN_OTHER_COUNTY[1]}).json()
    assert set(far) == {"area_name", "level", "distance_m", "far", "outside_home", "confirm", "message"}
    assert far["area_name"] == "海流图第一网格"
    assert far["confirm"] and far["outside_home"] and not far["far"]
    assert "海流图第一网格" in far["message"]
    assert OTHER_COUNTY_GRID not in str(far)  # the name only: no code
    near = client.get(url, {"lon": INSIDE_G1[0], "lat": INSIDE_G1[1]}).json()
    assert near["confirm"] is False and near["message"] == "" and near["distance_m"] == 0


def test_the_preview_measures_the_distance_to_the_nearest_grid(city, settings):
    settings.ROUTING_NEAREST_METRES = 300
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(city.resident)
    found = client.get(
        reverse("api:area_destination"), {"lon": FAR_FROM_EVERY_GRID[0], "lat": FAR_FROM_EVERY_GRID[1]}
    ).json()
    assert found["far"] and found["confirm"] and not found["outside_home"]
    assert found["distance_m"] > 30_000
    assert found["area_name"] in found["message"]


def test_the_preview_needs_a_login(city):
    response = Client().get(reverse("api:area_destination"), {"lon": 107.0, "lat": 41.0})
    assert response.status_code in (401, 403)
