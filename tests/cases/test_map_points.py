"""Cases on the maps of an area, a grid and the queue: the user's queue only, coloured by state, with a legend."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from grassroots.cases import services

from .conftest import G1, INSIDE_G1, OTHER_COUNTY_GRID


def points(user, **query):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    response = client.get(reverse("cases:map_points"), query)
    assert response.status_code == 200
    return response.json()


def test_staff_see_their_areas_cases_as_coloured_points_with_a_legend(city):
    case = services.case_report(
        actor=city.resident,
        category="0101",
        description="电话 13812345678",
        lon=INSIDE_G1[0],
        lat=INSIDE_G1[1],
    )
    found = points(city.village, area=G1)
    assert [f["id"] for f in found["features"]] == [case.pk]
    feature = found["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [case.lon, case.lat]}
    assert set(feature["properties"]) == {"reference", "state", "category", "colour"}
    assert "13812345678" not in str(found)  # no text anyone wrote
    assert found["legend"] == [{"state": "reported", "label": "reported", "colour": "#dc2626"}]
    assert found["outlines_url"] == reverse("api:area_outlines", kwargs={"code": G1})
    assert found["detail_url"].replace("ID", str(case.pk)) == reverse("cases:detail", kwargs={"pk": case.pk})


def test_another_countys_cases_never_and_a_resident_none(city):
    services.case_report(
        actor=city.resident, category="0101", description="x", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
    )
    services.case_report(
        actor=city.resident, category="0101", description="y", lon=108.005, lat=41.005, confirm_far=True
    )
    assert len(points(city.county)["features"]) == 1  # 150825 only, not the case in 150826
    assert points(city.outsider, area=G1)["features"] == []  # another county's staff, asking for ours
    assert points(city.outsider, area=OTHER_COUNTY_GRID[:12])["features"] != []  # their own
    assert points(city.resident)["features"] == []  # the reporter has no queue


def test_not_logged_in_goes_to_the_login(city):
    assert Client().get(reverse("cases:map_points")).status_code == 302
