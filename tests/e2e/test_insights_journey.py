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
from grassroots.cases.models import Case, Category, Source, State
from grassroots.insights.services import facts_rebuild
from tests import world
from tests.factories import grid, user_with

pytestmark = pytest.mark.e2e

COUNTY = world.COUNTY
TOWNSHIP = world.TOWNSHIP
GRIDS = [world.G1, world.G2, "150825101200001"]  # the third in another township


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def county(transactional_db):
    world.seed_case_reference(years=())  # a transactional test starts from an emptied database
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


def test_a_leader_makes_the_months_bulletin_prints_it_and_downloads_its_workbook(
    live_server, page, log_in, county
):
    import io

    import openpyxl

    from grassroots.insights.models import Bulletin

    first = timezone.localdate().replace(day=1)
    month = f"{first - dt.timedelta(days=1):%Y-%m}"
    log_in(page, live_server, username="lingdao", next_url=f"/insights/{COUNTY}/")
    with page.expect_navigation():
        page.click('[data-link="bulletins"]')
    expect(page.locator("#id_month")).to_have_value(month)  # last month, ready to issue
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    # the A4 page of the bulletin: its figures, its hash, a print button
    bulletin = Bulletin.objects.get(area_code=COUNTY)
    assert page.url.endswith(f"/insights/bulletins/{bulletin.pk}/")
    expect(page.locator("h1")).to_contain_text(month)
    expect(page.locator("main")).to_contain_text(bulletin.sha256)
    expect(page.locator("[data-print]")).to_be_visible()
    _shot(page, "insights-bulletin")
    with page.expect_download() as download:
        page.click(f'a[href$="/insights/bulletins/{bulletin.pk}/xlsx/"]')
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames == ["指标", "下级区域", "服务类型", "文档"]
    about = {row[0]: row[1] for row in book["文档"].iter_rows(min_row=2, values_only=True)}
    assert about["SHA-256"] == bulletin.sha256 and about["月份"] == month
    assert page.js_errors == []


@pytest.fixture
def hotspot(county):
    """Three reports of one type within 60 m of each other in the first grid, and the township's staff."""
    staff = user_with(Role.TOWNSHIP_STAFF, TOWNSHIP, username="xiangzhen", display_name="乡镇干部")
    litter = Category.objects.get(code="0101")
    now = timezone.now()
    for n in range(3):
        reported = now - dt.timedelta(days=n + 1)
        Case.objects.create(
            kind="problem", source=Source.MOBILE_WEB, category=litter, description=f"垃圾堆积 {n}",
            origin_code=GRIDS[0], area_code=GRIDS[0], level=Level.GRID, reported_at=reported,
            response_due_at=reported + dt.timedelta(hours=8), lon=107.005 + n * 0.0003, lat=41.005,
            address="幸福路 8 号",
        )  # fmt: skip
    return staff


def test_staff_turn_a_hotspot_into_one_proactive_case(live_server, page, log_in, hotspot):
    log_in(page, live_server, username="xiangzhen", next_url=f"/insights/{TOWNSHIP}/")
    with page.expect_navigation():
        page.click('[data-link="hotspots"]')
    # the method is stated with its parameters; the cluster lists its three cases
    expect(page.locator("#hotspot-method")).to_contain_text("DBSCAN")
    cluster = page.locator('[data-kind="cluster"]')
    expect(cluster).to_have_count(1)
    cluster.locator("summary").click()
    expect(cluster.locator(".hotspot-cases li")).to_have_count(3)
    _shot(page, "insights-hotspots")
    with page.expect_navigation():
        cluster.locator('button[value="case"]').click()
    proactive = Case.objects.get(source=Source.PROACTIVE)
    assert page.url.endswith(f"/cases/{proactive.pk}/")
    expect(page.locator("main")).to_contain_text(proactive.reference)
    # back and tap again: the same case, not a second one
    page.go_back()
    page.reload()
    expect(page.locator('[data-kind="cluster"] [data-proactive]')).to_contain_text(proactive.reference)
    with page.expect_navigation():
        page.locator('[data-kind="cluster"] button[value="case"]').click()
    assert page.url.endswith(f"/cases/{proactive.pk}/")
    assert Case.objects.filter(source=Source.PROACTIVE).count() == 1
    assert page.js_errors == []


def test_the_hotspots_read_on_a_360_px_phone_in_english(live_server, browser, log_in, hotspot):
    context = browser.new_context(
        locale="en-GB", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, live_server, username="xiangzhen", next_url=f"/insights/{TOWNSHIP}/hotspots/")
        expect(page.locator("h1")).to_contain_text("Hotspots")
        expect(page.locator('[data-kind="cluster"] button[value="case"]')).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, width
        _shot(page, "insights-hotspots-360")
    finally:
        context.close()
