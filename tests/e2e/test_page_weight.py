"""The pages a phone opens in the field stay light on a slow mobile network (issue 16's budget): served as in
production (tests/e2e/throttle.py) and opened in a 360 px tab throttled to "Slow 3G" (400 kbit/s, 400 ms round
trip), the report page costs at most 150 KB on first load and 20 KB on a repeat load, and the report page, a
grid worker's tasks and a public board show their first content within 3 seconds."""

from __future__ import annotations

import pytest
from django.test import Client

from grassroots.accounts.models import Role
from grassroots.areas.models import Area
from grassroots.disclosure import services as disclosure
from tests import world
from tests.e2e.throttle import load, production_server, throttle, warm
from tests.factories import user_with

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

G1 = world.G1
KB = 1000


def _phone(browser, server, user):
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 780}, is_mobile=True)
    context.set_default_timeout(20_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": server.url}])
    page = context.new_page()
    throttle(page)
    return context, page


def test_field_pages_keep_the_slow_3g_budget(browser):
    # given a resident and the worker of a grid, and the village's public board
    world.seed_case_reference()
    world.place(G1, name="一网格")
    worker, _record = world.grid_worker(G1, name="网格员甲", username="wangge")
    resident = user_with(Role.RESIDENT, G1, username="jumin")
    staff = user_with(Role.VILLAGE_STAFF, G1[:12], username="cunwei")
    board = disclosure.board_create(actor=staff, village=Area.objects.get(code=G1[:12]), name="公开栏")
    with production_server() as server:
        # when the resident opens the report page twice on Slow 3G
        context, page = _phone(browser, server, resident)
        warm(page, server, "/cases/report/")
        first = load(page, server, "/cases/report/")
        repeat = load(page, server, "/cases/report/")
        # then the first load (with what the service worker keeps for offline use) and the repeat stay in budget
        assert first.sent <= 150 * KB, first
        assert repeat.sent <= 20 * KB, repeat
        assert 0 < first.first_paint_ms < 3000, first
        # and it came compressed, with the fingerprinted files cached for a year
        paths = dict(server.counter.requests)
        assert paths, "the repeat load made no request at all"
        response = page.request.get(server.url + "/cases/report/", headers={"Accept-Encoding": "gzip"})
        assert response.headers.get("content-encoding") == "gzip"
        leaflet = page.locator("script[src*=leaflet]").get_attribute("src")
        cached = page.request.get(server.url + leaflet, headers={"Accept-Encoding": "gzip"}).headers
        assert cached.get("content-encoding") == "gzip" and "max-age=315360000" in cached["cache-control"]
        context.close()
        # and the worker's tasks and the public board show their first content in time, without the map
        for user, path in ((worker, "/cases/tasks/"), (None, f"/disclosure/boards/{board.pk}/")):
            context, page = _phone(browser, server, user)
            warm(page, server, path)
            figures = load(page, server, path)
            assert 0 < figures.first_paint_ms < 3000, figures
            # (the service worker fetches the map library later, for offline use, but the page does not wait)
            assert page.locator("script[src*=leaflet], script[src*=htmx]").count() == 0, path
            context.close()
