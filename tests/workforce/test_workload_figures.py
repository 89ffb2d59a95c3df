"""Household visits in the workload (per worker and per grid) and the grid's case figures through the
workforce extension point, with the definitions beside the figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from grassroots import clock
from grassroots.cases import integrations
from grassroots.people import services as people
from grassroots.workforce import extensions, selectors

from .conftest import G1, G2, VILLAGE

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 4)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def visits(world):
    """Two visits by the worker in grid 1 this year, one by the other worker, none in grid 2."""
    with clock.frozen(dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)):
        hh = people.household_create(actor=world.worker_user, grid_code=G1, address="幸福路1号")
        for user, day in (
            (world.worker_user, TODAY),
            (world.worker_user, TODAY - dt.timedelta(days=30)),
            (world.other_worker_user, TODAY),
        ):
            people.visit_record(actor=user, household=hh, visited_on=day, found="身体尚可")


def test_each_workers_visits_of_the_year_are_in_the_workload(world, visits):
    rows = selectors.worker_workload(user=world.township_staff, area_code=VILLAGE, year=2026)
    by_name = {r["worker"].name: r["visits"] for r in rows}
    assert by_name == {"李巡": 2, "赵巡": 1}
    assert all(
        r["visits"] == 0
        for r in selectors.worker_workload(user=world.township_staff, area_code=VILLAGE, year=2025)
    )


def test_the_workload_and_worker_pages_show_visits_with_their_definition(world, visits):
    staff = client_for(world.township_staff)
    with clock.frozen(dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)):
        ranked = staff.get(f"/grids/workload/{VILLAGE}/").content.decode()
        worker = staff.get(f"/grids/workers/{world.worker.pk}/").content.decode()
    definition = str(selectors.WORKLOAD_DEFINITIONS["visits"])
    assert f'<th title="{definition}" data-figure="visits">' in ranked
    assert '<td data-figure="visits">2</td>' in ranked
    assert '<dd data-figure="visits">2 <small class="muted definition">' + definition in worker


def test_the_grid_figures_count_visits_and_cases_per_grid(world, visits):
    with clock.frozen(dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)):
        one, two = selectors.grid_figures(G1), selectors.grid_figures(G2)
    assert (one["visits"], two["visits"]) == (3, 0)
    # the cases app is installed: its provider answers (zeros are real zeros here)
    assert one["cases"] == {"cases_reported": 0, "cases_closed": 0}


def test_the_grid_page_shows_case_figures_from_the_provider(world, monkeypatch):
    def provider(*, area_code, year):
        return {G1: {"cases_reported": 7, "cases_closed": 5}, G2: {"cases_reported": 1, "cases_closed": 0}}

    monkeypatch.setattr(extensions, "grid_case_providers", [provider])
    body = client_for(world.village_staff).get(f"/grids/{G1}/figures/").content.decode()
    assert 'class="cases-reported">7<' in body and 'class="cases-closed">5<' in body
    assert str(selectors.FIGURE_DEFINITIONS["cases_reported"]) in body
    assert "cases-unavailable" not in body


def test_without_a_case_provider_the_grid_page_says_case_figures_are_unavailable(world, monkeypatch):
    monkeypatch.setattr(extensions, "grid_case_providers", [])
    assert selectors.grid_figures(G1)["cases"] is None
    body = client_for(world.village_staff).get(f"/grids/{G1}/figures/").content.decode()
    assert "cases-unavailable" in body and "cases-reported" not in body


def test_cases_registers_its_grid_provider_once():
    integrations.install()
    integrations.install()
    assert extensions.grid_case_providers.count(integrations.grid_case_figures) == 1


def test_the_api_figures_carry_visits_and_cases(world, visits):
    staff = client_for(world.township_staff)
    with clock.frozen(dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)):
        grid = staff.get(f"/api/v1/workforce/grids/{G1}/figures").json()
        ranked = staff.get(f"/api/v1/workforce/workload?area={VILLAGE}").json()
    assert grid["visits"] == 3 and grid["cases"] == {"cases_reported": 0, "cases_closed": 0}
    assert {r["worker_name"]: r["visits"] for r in ranked["rows"]} == {"李巡": 2, "赵巡": 1}
    assert "visits" in ranked["definitions"]
