"""The report map shows where, with no tile server configured (the default).

A resident without GPS opens the report page on a phone: the map shows their own grid outlined and named,
with the village and township around it. They tap far away, in another county: before anything is sent the
page says where the report would go, by name, and asks them to confirm.

Set SCREENSHOTS_DIR to keep a screenshot of each page (360 px wide, in English and in Chinese).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from grassroots.accounts.models import Role
from grassroots.cases.models import Case, Category, CategoryLimit
from grassroots.cases.seed import seed_categories
from tests.factories import area, grid, user_with

pytestmark = pytest.mark.e2e

HOME = "150825100001001"
HOME_NAME = "塞上社区第1网格"
OTHER_COUNTY_GRID = "150826100200001"
OTHER_COUNTY_NAME = "海流图第一网格"
NARROW = {"viewport": {"width": 360, "height": 760}, "is_mobile": True, "has_touch": True}


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def resident(transactional_db, settings):
    settings.MAP_TILE_URL = ""  # the default: no tiles, only our outlines
    cache.clear()
    seed_categories(Category, CategoryLimit)
    area("150825100", "巴音宝力格镇")
    area("150825100001", "塞上社区")
    grid(HOME, (107.00, 41.00, 107.01, 41.01), name=HOME_NAME)
    grid("150825100001002", (107.01, 41.00, 107.02, 41.01), name="塞上社区第2网格")
    area("150826100", "海流图镇")
    grid(OTHER_COUNTY_GRID, (107.02, 41.00, 107.03, 41.01), name=OTHER_COUNTY_NAME)  # next door
    yield user_with(Role.RESIDENT, HOME, username="jumin")
    cache.clear()


def _phone(browser, locale: str):
    context = browser.new_context(locale=locale, **NARROW)  # no geolocation permission: no GPS
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return context, page


def _settled_box(page, locator) -> dict:
    """Where an outline is once the map has stopped drawing it again (it is redrawn when an answer for a new
    zoom arrives, so its element may be replaced between two reads): two equal reads a moment apart."""
    previous = None
    for _ in range(40):
        locator.wait_for()
        box = locator.bounding_box()
        if box is not None and box == previous:
            return box
        previous = box
        page.wait_for_timeout(150)
    raise AssertionError("the outline kept moving")


def _no_wider_than_the_screen(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_report_map_outlines_the_home_grid_and_confirms_a_far_pin(
    live_server, browser, log_in, resident, locale
):
    context, phone = _phone(browser, locale)
    log_in(phone, live_server, username="jumin")
    phone.goto(f"{live_server.url}/cases/report/")
    # nothing was sent yet: the "send again now" button stays hidden (the page's `hidden` is not overridden)
    expect(phone.locator("[data-send-now]")).to_be_hidden()
    # the reporter's own grid is drawn, as an SVG path carrying its name, with no tile server at all
    home = phone.locator(f'[data-report-map] path[data-name="{HOME_NAME}"]')
    expect(home).to_have_count(1)
    assert "outline-home" in (home.get_attribute("class") or "")
    expect(phone.locator('[data-report-map] path[data-name="塞上社区"]')).to_have_count(1)
    expect(phone.locator('[data-report-map] path[data-name="巴音宝力格镇"]')).to_have_count(1)
    expect(phone.locator(".leaflet-tile")).to_have_count(0)
    # and named on the map, once: the drawing for the first zoom is gone once the map has settled
    _settled_box(phone, home)
    expect(phone.locator(".outline-label-home")).to_have_count(1)
    expect(phone.locator(".outline-label-home").first).to_have_text(HOME_NAME)
    _no_wider_than_the_screen(phone)
    _shot(phone, f"report-map-home-{locale}")
    # a tap inside the home grid: it says where the report goes, nothing to confirm
    home_box = _settled_box(phone, home)
    phone.mouse.click(home_box["x"] + home_box["width"] / 2, home_box["y"] + home_box["height"] / 2)
    expect(phone.locator("[data-destination]")).to_contain_text(HOME_NAME)
    expect(phone.locator("[data-far-confirm]")).to_be_hidden()
    # zoomed out twice, a tap two grids to the east: in the other county's grid, next door
    for _ in range(2):
        phone.click(".leaflet-control-zoom-out")
        phone.wait_for_timeout(400)
    _settled_box(phone, home)  # drawn again for the new zoom
    # the middle of the other county's grid, where Leaflet puts it on the screen now
    spot = phone.evaluate(
        "(() => { const el = document.querySelector('[data-report-map]'); const p = el.leafletMap"
        ".latLngToContainerPoint([41.005, 107.025]); const r = el.getBoundingClientRect();"
        " return [r.left + p.x, r.top + p.y]; })()"
    )
    phone.mouse.click(spot[0], spot[1])
    far = phone.locator("[data-far-confirm]")
    expect(far).to_be_visible()
    expect(far.locator("[data-far-message]")).to_contain_text(OTHER_COUNTY_NAME)
    expect(phone.locator("[data-destination]")).to_contain_text(OTHER_COUNTY_NAME)
    if locale == "en-US":
        expect(far).to_contain_text("outside your county")
    _no_wider_than_the_screen(phone)
    far.scroll_into_view_if_needed()
    _shot(phone, f"report-map-far-{locale}")
    # sending without ticking the box sends nothing and points at the box
    phone.select_option("#id_category", "0101")
    phone.fill("#id_description", "路灯坏了")
    phone.click("[data-submit]")
    expect(far.locator("input[type=checkbox]")).to_be_focused()
    assert not Case.objects.exists()
    # ticked, it goes there
    far.locator("input[type=checkbox]").check()
    with phone.expect_navigation():
        phone.click("[data-submit]")
    assert Case.objects.get().area_code == OTHER_COUNTY_GRID
    assert phone.js_errors == []
    context.close()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_area_and_queue_maps_show_outlines_and_cases_by_state(
    live_server, browser, log_in, resident, locale
):
    from grassroots.cases import services

    services.case_report(actor=resident, category="0101", description="路灯坏了", lon=107.005, lat=41.005)
    user_with(Role.TOWNSHIP_STAFF, "150825100", username="zhen")
    context, phone = _phone(browser, locale)
    log_in(phone, live_server, username="zhen")
    phone.goto(f"{live_server.url}/areas/150825100001/")
    # the grids named, the village and township around them, the case a coloured point with its legend
    expect(phone.locator(f'#grid-map path.leaflet-interactive[data-name="{HOME_NAME}"]')).to_have_count(1)
    expect(phone.locator('#grid-map path[data-name="巴音宝力格镇"]')).to_have_count(1)
    expect(phone.locator("#grid-map")).to_have_attribute("data-cases", "1")
    legend = phone.locator("[data-case-legend]")
    expect(legend).to_be_visible()
    expect(legend.locator(".case-dot.state-reported")).to_have_count(1)
    if locale == "en-US":
        expect(legend).to_contain_text("reported")
    _no_wider_than_the_screen(phone)
    _shot(phone, f"area-map-{locale}")
    # the queue's map opens on demand, with the same legend
    phone.goto(f"{live_server.url}/cases/queue/")
    phone.locator(".queue-map-box > summary").click()
    expect(phone.locator("[data-queue-map]")).to_have_attribute("data-cases", "1")
    expect(phone.locator(".queue-map-box [data-case-legend] .case-dot.state-reported")).to_have_count(1)
    expect(phone.locator(f'[data-queue-map] path[data-name="{HOME_NAME}"]')).to_have_count(1)  # outlined
    _no_wider_than_the_screen(phone)
    _shot(phone, f"queue-map-{locale}")
    assert phone.js_errors == []
    context.close()
