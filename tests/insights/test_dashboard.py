"""The dashboards: who sees which area (role × area → 200, 403 or 404), what a page shows (the headline with its
formulas, the change, the areas below with drill-down, the types, the overdue cases), the nav link, and a
pinned number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from grassroots.areas.codes import Level
from grassroots.cases.models import Case, Category, Source, State
from grassroots.insights.services import facts_rebuild
from tests.cases.conftest import COUNTY, G1, G2, OTHER_COUNTY_GRID, TOWNSHIP, VILLAGE

PERIOD = "2025-03"


@pytest.fixture
def client():
    """The tests read the English wording."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _case(origin: str, day: int, **fields) -> Case:
    reported = timezone.make_aware(dt.datetime(2025, 3, day, 10))
    return Case.objects.create(
        **{
            "kind": "problem",
            "source": Source.MOBILE_WEB,
            "category": Category.objects.get(code="0101"),
            "description": "x",
            "origin_code": origin,
            "area_code": origin,
            "level": Level.GRID,
            "reported_at": reported,
            "response_due_at": reported + dt.timedelta(hours=8),
            **fields,
        }
    )


@pytest.fixture
def cases(city):
    now = timezone.now()
    out = [
        _case(G1, 3, state=State.ACCEPTED, accepted_at=timezone.make_aware(dt.datetime(2025, 3, 3, 12))),
        _case(
            G1, 4, state=State.CLOSED, accepted_at=timezone.make_aware(dt.datetime(2025, 3, 4, 11)),
            closed_at=timezone.make_aware(dt.datetime(2025, 3, 5, 11)), closing_level=Level.GRID,
            closing_code=G1, close_reason="verified",
        ),
        _case(G2, 10, category=Category.objects.get(code="0201")),
        _case(OTHER_COUNTY_GRID, 11),
        # overdue now: not accepted by its response deadline; and urged
        _case(G1, 12, response_due_at=now - dt.timedelta(hours=1), urge_count=2),
    ]  # fmt: skip
    facts_rebuild()
    return out


def _url(code: str) -> str:
    return reverse("insights:dashboard", args=[code]) + f"?period={PERIOD}"


@pytest.mark.parametrize(
    ("who", "code", "status"),
    [
        ("resident", G1, 403),
        ("department", COUNTY, 403),
        ("grid_worker", G1, 200),
        ("grid_worker", G2, 404),
        ("grid_worker", VILLAGE, 404),
        ("village", VILLAGE, 200),
        ("village", G2, 200),
        ("village", TOWNSHIP, 404),
        ("township", TOWNSHIP, 200),
        ("county", COUNTY, 200),
        ("county", OTHER_COUNTY_GRID, 404),
        ("leader", COUNTY, 200),
        ("supervisor", COUNTY, 200),
        ("outsider", COUNTY, 404),
        ("outsider", "1508", 404),
        ("county", "nonsense", 404),
    ],
)
def test_dashboard_permissions(client, city, cases, who, code, status):
    client.force_login(getattr(city, who))
    assert client.get(_url(code)).status_code == status


def test_the_dashboard_asks_for_a_login(client, city):
    response = client.get(_url(COUNTY))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(("who", "status"), [("resident", 403), ("department", 403), ("county", 302)])
def test_the_home_page_sends_each_user_to_their_area(client, city, who, status):
    client.force_login(getattr(city, who))
    response = client.get(reverse("insights:home"))
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == reverse("insights:dashboard", args=[COUNTY])


def test_a_grid_worker_sees_only_their_grid(client, city, cases):
    client.force_login(city.grid_worker)
    assert client.get(reverse("insights:home"))["Location"] == reverse("insights:dashboard", args=[G1])
    page = client.get(_url(G1)).content.decode()
    assert "3 reported" in page  # G1's three cases, not G2's nor the other county's
    assert 'data-area="' not in page  # a grid has no areas below


def test_the_county_dashboard_shows_figures_with_formulas_and_drills_down(client, city, cases):
    client.force_login(city.county)
    response = client.get(_url(COUNTY))
    page = response.content.decode()
    assert "4 reported" in page  # the county's four, not the other county's
    assert 'data-metric="closure"' in page
    assert (
        "Closure rate (结案率, shown as 办结率) = closed / due to close." in page
    )  # the formula on tap/hover
    assert f'data-area="{TOWNSHIP}"' in page
    assert reverse("insights:dashboard", args=[TOWNSHIP]) in page  # drill down
    assert 'data-type="01"' in page and 'data-type="02"' in page
    assert 'data-list="overdue"' in page and 'data-list="urged"' in page
    assert cases[4].reference in page
    assert "vendor/echarts-6.1.0/echarts.common.min.js" in page
    assert 'id="insights-chart"' in page


def test_a_village_worker_drills_into_the_grids_but_not_above(client, city, cases):
    client.force_login(city.village)
    page = client.get(_url(VILLAGE)).content.decode()
    assert reverse("insights:dashboard", args=[G1]) in page
    assert reverse("insights:dashboard", args=[TOWNSHIP]) not in page  # no link above their scope


def test_the_change_against_the_previous_month_is_shown(client, city, cases):
    february = _case(G1, 3)
    february.reported_at = timezone.make_aware(dt.datetime(2025, 2, 3, 10))
    february.state, february.accepted_at = State.ACCEPTED, february.reported_at
    february.save()
    facts_rebuild()
    client.force_login(city.county)
    page = client.get(_url(COUNTY)).content.decode()
    assert "2025-02-01 to 2025-02-28" in page
    assert "before: 0 / 1" in page  # February's closure: 0 of 1 due


def test_the_ranking_sorts_by_a_column(client, city, cases):
    client.force_login(city.village)
    page = client.get(_url(VILLAGE) + "&sort=reported").content.decode()
    assert page.index(f'data-area="{G1}"') < page.index(f'data-area="{G2}"')  # 3 reported before 1


def test_the_nav_shows_insights_to_staff_and_leaders_only(client, city):
    client.force_login(city.leader)
    assert 'data-nav="insights"' in client.get(reverse("cases:home"), follow=True).content.decode()
    client.force_login(city.resident)
    assert 'data-nav="insights"' not in client.get(reverse("cases:home"), follow=True).content.decode()


def test_the_dashboard_reads_a_fixed_number_of_queries(client, city, cases, django_assert_max_num_queries):
    client.force_login(city.county)
    client.get(_url(COUNTY))
    with django_assert_max_num_queries(16):
        assert client.get(_url(COUNTY)).status_code == 200
