"""The workload ranks by the work the platform counts (issue 14, item 6): cases handled and closed on time,
household visits and patrol hours, each by its weight, into one score; any column can rank the table; the
formula is shown on the page and in the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from grassroots import clock
from grassroots.workforce import extensions, selectors
from grassroots.workforce.models import Patrol

from .conftest import G1, VILLAGE

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def figures(world):
    """李巡: 5 patrol hours and nothing else; 赵巡: 2 cases handled, 1 closed on time (score 8)."""
    start = NOW - dt.timedelta(days=3)
    Patrol.objects.create(
        worker=world.worker, area_code=G1, started_at=start, ended_at=start + dt.timedelta(hours=5)
    )

    def cases(worker_ids, year):
        return {world.other_worker.pk: {"cases_handled": 2, "cases_closed_on_time": 1}}

    extensions.workload_provider_register(cases)
    yield world
    extensions.workload_providers.remove(cases)


def _names(rows):
    return [r["worker"].name for r in rows]


def test_the_score_weighs_cases_visits_and_patrol_hours(figures):
    rows = selectors.worker_workload(user=figures.township_staff, area_code=VILLAGE, year=2026)
    scores = {r["worker"].name: r["score"] for r in rows}
    assert scores == {"赵巡": Decimal("8.0"), "李巡": Decimal("5.0")}
    assert _names(rows) == ["赵巡", "李巡"]  # the score ranks, not patrol hours
    assert selectors.workload_sorted(rows, "patrol_hours")[0]["worker"].name == "李巡"
    assert _names(selectors.workload_sorted(rows, "name")) == sorted(scores)
    # a figure a worker has no value for counts lowest
    assert _names(selectors.workload_sorted(rows, "cases_handled")) == ["赵巡", "李巡"]


def test_the_formula_is_built_from_the_weights():
    with translation.override("en"):
        formula = selectors.workload_formula()
    assert formula == (
        "Workload score = 3 × Cases handled + 2 × Cases closed on time + 1 × Household visits + 1 × Patrol hours"
    )


def test_the_page_shows_the_formula_and_sorts_by_any_column(figures):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(figures.township_staff)
    url = f"/grids/workload/{VILLAGE}/"
    html = client.get(url).content.decode()
    assert 'id="workload-formula"' in html and "3 × Cases handled + 2 × Cases closed on time" in html
    assert html.index("赵巡") < html.index("李巡")
    assert 'href="?sort=patrol_hours"' in html and 'href="?sort=cases_handled"' in html
    html = client.get(url, {"sort": "patrol_hours"}).content.decode()
    assert html.index("李巡") < html.index("赵巡")
    assert 'data-figure="patrol_hours" aria-sort="descending"' in html
    # an unknown column falls back to the score
    html = client.get(url, {"sort": "salary"}).content.decode()
    assert html.index("赵巡") < html.index("李巡")


def test_the_api_gives_the_score_and_the_formula(figures):
    from tests.workforce.test_api import API, client_for

    body = client_for(figures.township_staff).get(f"{API}/workload", {"area": VILLAGE, "year": 2026}).json()
    assert [(r["worker_name"], r["score"]) for r in body["rows"]] == [("赵巡", "8.0"), ("李巡", "5.0")]
    assert body["formula"] == selectors.workload_formula()  # in the caller's language
