"""A township official logs in and finds the grids of their township drawn on the map."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from grassroots.accounts.models import Role
from grassroots.areas.models import GridKind
from tests.factories import area, grid, user_with

pytestmark = pytest.mark.e2e  # the browser journeys; the last test needs no browser


@pytest.fixture
def township(transactional_db):
    """A township with a community of three grids and a gacha of two, and one grid elsewhere."""
    area("150825100", "巴音宝力格镇")
    area("150825100001", "塞上社区")
    area("150825100201", "乌兰嘎查", is_synthetic=True)
    for n in range(3):
        grid(
            f"150825100001{n + 1:03d}",
            (107.05 + n * 0.01, 41.09, 107.06 + n * 0.01, 41.10),
            kind=GridKind.COMMUNITY,
        )
    for n in range(2):
        grid(
            f"150825100201{n + 1:03d}",
            (107.10 + n * 0.03, 41.05, 107.13 + n * 0.03, 41.08),
            kind=GridKind.RURAL,
        )
    grid("150825200201001", (107.5, 41.5, 107.6, 41.6))  # another township: never drawn here
    return user_with(Role.TOWNSHIP_STAFF, "150825100", username="zhen")


def test_official_logs_in_sees_the_grids_on_the_map_and_opens_one(live_server, page, log_in, township):
    # when they log in through the form (their only area: the browser goes straight to it)
    log_in(page, live_server, username="zhen")
    # then the township page shows its five grids on the map, none of the neighbour's
    assert re.search(r"/areas/150825100/$", page.url)
    paths = page.locator("#grid-map path.leaflet-interactive")
    paths.first.wait_for()
    expect(page.locator("#grid-map")).to_have_attribute("data-drawn", "5")
    assert paths.count() == 5
    assert page.locator(".map-note").is_visible()  # no tile server configured: said so
    # when they click a grid
    with page.expect_navigation():
        paths.nth(0).click()
    # then its page opens with its code, its outline standing out among the community's three grids
    match = re.search(r"/grids/(15082510000100\d)/$", page.url)
    assert match
    assert page.locator("dd.code").inner_text() == match.group(1)
    expect(page.locator("#grid-map")).to_have_attribute("data-drawn", "3")
    assert page.locator("#grid-map path.leaflet-interactive").count() == 3
    assert page.locator("#grid-map path.grid-current").count() == 1
    assert page.js_errors == []


def test_grid_worker_on_a_phone_sees_their_grid(live_server, phone_page, log_in, township):
    user_with(Role.GRID_WORKER, "150825100201002", username="wangge")
    log_in(phone_page, live_server, username="wangge")
    # their grant is the grid itself: the browser opens the grid page, with the synthetic-data badge
    assert re.search(r"/grids/150825100201002/$", phone_page.url)
    assert phone_page.locator(".badge.synthetic").count() == 0  # the grid area itself is not marked synthetic
    phone_page.goto(f"{live_server.url}/areas/150825100201/")
    assert phone_page.locator(".badge.synthetic").is_visible()
    phone_page.locator("#grid-map path.leaflet-interactive").first.wait_for()
    # only their own grid of the gacha is drawn
    assert phone_page.locator("#grid-map path.leaflet-interactive").count() == 1
    # and on their grid's page, no neighbour either: only what their scope reaches
    phone_page.goto(f"{live_server.url}/grids/150825100201002/")
    phone_page.locator("#grid-map path.grid-current").wait_for()
    assert phone_page.locator("#grid-map path.leaflet-interactive").count() == 1


@pytest.mark.parametrize(("ci", "outcome"), [("", pytest.skip.Exception), ("true", pytest.fail.Exception)])
def test_missing_chromium_skips_outside_ci_and_fails_in_ci(monkeypatch, ci, outcome):
    from tests.e2e import conftest

    monkeypatch.setattr(conftest.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="Chromium is not installed"):
        conftest._chromium_or_skip()
