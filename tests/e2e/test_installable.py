"""The site installs on a phone (manifest, icons, service worker) and, without a signal, shows its own
offline page instead of the browser's error."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_site_is_installable_and_shows_its_offline_page_without_signal(live_server, browser, log_in):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # the pages name a manifest whose icons exist
    with context.expect_event("serviceworker") as worker:
        page.goto(f"{live_server.url}/accounts/login/")
    assert worker.value.url == f"{live_server.url}/sw.js"
    manifest_url = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(live_server.url + manifest_url)
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    data = manifest.json()
    assert data["short_name"] == "基层治理" and data["display"] == "standalone" and data["start_url"] == "/"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in data["icons"]}
    for icon in data["icons"]:
        assert page.request.get(live_server.url + icon["src"]).headers["content-type"] == "image/png"
    # when the worker controls the page (after a reload) and the signal is gone
    for _ in range(50):
        page.reload()
        if page.evaluate("() => Boolean(navigator.serviceWorker.controller)"):
            break
        page.wait_for_timeout(100)
    context.set_offline(True)
    page.goto(f"{live_server.url}/cases/report/")
    # then the site's own page says so, styled, in Chinese
    expect(page.locator("h1")).to_have_text("没有网络")
    expect(page.locator("main")).to_contain_text("不会丢失")
    # (its style sheet came from the worker's cache: the top bar has the site's 3px border)
    assert page.locator(".topbar").evaluate("el => getComputedStyle(el).borderBottomWidth") == "3px"
    # and with the signal back, pages load from the server again (nothing else was cached)
    context.set_offline(False)
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("#id_username")).to_be_visible()
    assert errors == []
    context.close()
