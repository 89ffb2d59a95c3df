"""An administrator imports a county's areas from the template workbook: check first, then confirm."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from grassroots.accounts.models import Role
from grassroots.areas.models import Area, Grid
from grassroots.imports.models import ImportRun
from tests.factories import area, user_with

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parent.parent / "areas" / "files" / "tree_sample.xlsx"


@pytest.fixture
def county_admin(transactional_db):
    area("150825", "乌拉特后旗")
    return user_with(Role.ADMINISTRATOR, "150825", username="guanli")


def test_administrator_checks_a_workbook_then_imports_it(live_server, page, log_in, county_admin):
    log_in(page, live_server, username="guanli")
    page.goto(f"{live_server.url}/areas/150825/io/")
    # when they choose the workbook and have it checked
    page.set_input_files("#tree-file", str(SAMPLE))
    with page.expect_navigation():
        page.click("#import-tree button[type=submit]")
    # then the preview says what would be created, and nothing is saved yet
    expect(page.locator(".import-report")).to_be_visible()
    assert not Area.objects.filter(code="150825100").exists()
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.PREVIEWED
    # when they confirm
    with page.expect_navigation():
        page.click("form[action$='/confirm/'] button[type=submit]")
    # then the tree is there and the page says so
    expect(page.locator(".messages li.success")).to_be_visible()
    assert Grid.objects.filter(area__code__startswith="150825100").count() == 5
    assert page.js_errors == []


def test_a_broken_upload_is_explained_on_the_form(live_server, page, log_in, county_admin, tmp_path):
    text = tmp_path / "areas.xlsx"
    text.write_text("代码,名称\n150825100,镇\n", encoding="utf-8")
    log_in(page, live_server, username="guanli")
    page.goto(f"{live_server.url}/areas/150825/io/")
    page.set_input_files("#tree-file", str(text))
    with page.expect_navigation():
        page.click("#import-tree button[type=submit]")
    expect(page.locator("#tree-file-errors .error")).to_be_visible()
    assert not ImportRun.objects.exists()
