"""Browser journey of the insights dashboard: a county leader follows the navigation to their county's
dashboard, sees the trend drawn as a chart and opens the table of the same numbers, drills down to a township;
on a 360 px wide phone the page reads without sideways scrolling.

Set SCREENSHOTS_DIR to keep a screenshot of each page.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grassroots.accounts.models import Role
from grassroots.areas.codes import Level
from grassroots.cases.models import Case, Category, CategoryLimit, Source, State
from grassroots.cases.seed import seed_categories
from grassroots.insights.services import facts_rebuild
from tests.factories import grid, user_with

pytestmark = pytest.mark.e2e

COUNTY = "150825"
TOWNSHIP = "150825100"
GRIDS = ["150825100200001", "150825100200002", "150825101200001"]


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def county(transactional_db):
    seed_categories(Category, CategoryLimit)
    for i, code in enumerate(GRIDS):
        grid(code, (107.0 + i / 100, 41.0, 107.01 + i / 100, 41.01))
    leader = user_with(Role.LEADER, COUNTY, username="lingdao", display_name="旗领导")
    types = list(Category.objects.filter(parent__isnull=False)[:4])
    now = timezone.now()
    for n in range(40):
        reported = now - dt.timedelta(days=n * 2 % 60, hours=n % 5)
        closed = n % 3 != 0
        Case.objects.create(
            kind="problem", source=Source.MOBILE_WEB, category=types[n % len(types)], description="x",
            origin_code=GRIDS[n % 3], area_code=GRIDS[n % 3], level=Level.GRID, reported_at=reported,
            response_due_at=reported + dt.timedelta(hours=8),
            accepted_at=reported + dt.timedelta(hours=1), state=State.CLOSED if closed else State.ACCEPTED,
            closed_at=reported + dt.timedelta(days=1) if closed else None,
            closing_level=Level.GRID if closed else None, closing_code=GRIDS[n % 3] if closed else "",
        )  # fmt: skip
    facts_rebuild()
    return leader


def test_a_county_leader_opens_the_dashboard_and_reads_a_chart_and_its_table(
    live_server, page, log_in, county
):
    log_in(page, live_server, username="lingdao")
    with page.expect_navigation():
        page.click('nav [data-nav="insights"]')
    assert page.url.endswith(f"/insights/{COUNTY}/")
    expect(page.locator("h1")).to_contain_text("数据看板")

    # the trend is drawn (a canvas inside the chart) and its table holds the same months
    chart = page.locator('[data-chart="trend"]')
    expect(chart.locator("canvas").first).to_be_visible()
    expect(chart).to_have_attribute("data-drawn", "1")
    table = page.locator('[data-table="trend-months"]')
    table.locator("summary").click()
    expect(table.locator("tbody tr").first).to_be_visible()
    assert table.locator("tbody tr").count() >= 2  # the cases span two or three months
    # the headline's formula on tap
    closure = page.locator('[data-metric="closure"]')
    closure.locator("summary").click()
    expect(closure.locator(".formula")).to_contain_text("结案")
    expect(page.locator('[data-chart="types"] canvas').first).to_be_visible()
    _shot(page, "insights-county")
    assert page.js_errors == []

    # drill down to the township
    with page.expect_navigation():
        page.click(f'[data-area="{TOWNSHIP}"] a')
    assert f"/insights/{TOWNSHIP}/" in page.url
    expect(page.locator('[data-chart="trend"] canvas').first).to_be_visible()


def test_the_dashboard_reads_on_a_360_px_phone(live_server, browser, log_in, county):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, live_server, username="lingdao", next_url=f"/insights/{COUNTY}/")
        expect(page.locator('[data-chart="trend"] canvas').first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, width
        _shot(page, "insights-county-360")
    finally:
        context.close()
