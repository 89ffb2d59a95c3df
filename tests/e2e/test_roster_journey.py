"""Browser journey of the roster page: village staff reach it from the workforce navigation, download the
template, upload a broken roster (row-level errors, nothing written), then a good one (preview, confirm,
counts), and the new workers are there."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from grassroots.workforce.models import Assignment, GridWorker
from tests.e2e.test_workforce_journeys import world  # noqa: F401 - the fixture
from tests.workforce.conftest import VILLAGE
from tests.workforce.test_roster import GOOD, workbook

pytestmark = pytest.mark.e2e
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOTS = os.environ.get("E2E_SCREENSHOTS", "")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_staff_upload_a_roster_see_errors_then_import_it(live_server, page, log_in, world):  # noqa: F811
    log_in(page, live_server, username=world.village_staff.username)
    page.goto(f"{live_server.url}/grids/workload/{VILLAGE}/")
    page.locator("nav.subnav a[data-nav=roster]").click()
    expect(page.locator("h1")).to_contain_text("网格员名册")
    with page.expect_download() as download:
        page.click("#roster-template")
    assert download.value.suggested_filename.endswith(".xlsx")
    _shot(page, "roster-page")
    before = GridWorker.objects.count(), Assignment.objects.count()

    # a broken roster: the rows and columns at fault, in Chinese, and nothing written
    broken = [*GOOD, ["王五", "12345", "专职", "否", VILLAGE + "001", VILLAGE + "001", "网格员", "", ""]]
    page.set_input_files("#roster-file", {"name": "名册.xlsx", "mimeType": XLSX, "buffer": workbook(broken)})
    page.click("#roster-upload button[type=submit]")
    errors = page.locator("#roster-errors")
    expect(errors).to_contain_text("未写入任何内容")
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors.locator("tbody tr").first).to_contain_text("B 手机号")
    expect(page.locator("#roster-confirm")).to_have_count(0)
    _shot(page, "roster-errors")
    assert (GridWorker.objects.count(), Assignment.objects.count()) == before

    # the good roster: a preview of what will happen, then the import on confirmation
    page.click("text=返回名册页面")
    page.set_input_files("#roster-file", {"name": "名册.xlsx", "mimeType": XLSX, "buffer": workbook(GOOD)})
    page.click("#roster-upload button[type=submit]")
    expect(page.locator("#roster-counts .workers-created")).to_have_text("3")
    expect(page.locator("#roster-rows tbody tr")).to_have_count(3)
    _shot(page, "roster-preview")
    assert (GridWorker.objects.count(), Assignment.objects.count()) == before
    page.click("#roster-confirm")
    expect(page.locator("#run-status")).to_have_text("已导入")
    expect(page.locator(".messages")).to_contain_text("新网格员 3 名")
    _shot(page, "roster-imported")
    assert (GridWorker.objects.count(), Assignment.objects.count()) == (before[0] + 3, before[1] + 3)
