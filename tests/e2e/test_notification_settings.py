"""Browser journey: a staff member reaches their notification settings from the header and from the inbox
and switches from the daily digest to an email for every notification."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from grassroots.accounts.models import Role
from grassroots.notifications.models import Delivery, DeliveryPreference
from tests import world
from tests.factories import user_with

pytestmark = pytest.mark.e2e


def test_staff_choose_immediate_notifications(live_server, page, log_in, transactional_db):
    staff = user_with(Role.VILLAGE_STAFF, world.VILLAGE, username="clerk", email="clerk@example.org")
    log_in(page, live_server, username="clerk")
    # the name in the header leads to the settings
    with page.expect_navigation():
        page.locator("header a.who").click()
    expect(page.locator("h1")).to_have_text("通知设置")
    expect(page.locator("input[value=digest]")).to_be_checked()
    expect(page.locator("#delivery-form")).to_contain_text("clerk@example.org")
    # so does the inbox
    page.goto(f"{live_server.url}/inbox/")
    with page.expect_navigation():
        page.locator("main a[href='/inbox/settings/']").click()
    page.locator("input[value=immediate]").check()
    with page.expect_navigation():
        page.locator("#delivery-form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("即时")
    expect(page.locator("input[value=immediate]")).to_be_checked()
    assert DeliveryPreference.objects.get(user=staff).delivery == Delivery.IMMEDIATE
    assert not page.js_errors
