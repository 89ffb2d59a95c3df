"""Browser journey: a resident registered by phone hears of their report by SMS (issue 20, item 5).

The resident opens their notification settings from the header: without having chosen, SMS for changes to
their own reports is checked and the page names their phone masked. The village's staff accept the report
on its page; the SMS gateway — Aliyun's API played by a local server on 127.0.0.1 — is unavailable at first,
and the task queue tries again; the message the gateway takes is the one the resident's inbox shows. An
administrator reads both attempts in the delivery log, the number masked.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from grassroots import fieldcrypt
from grassroots.accounts.models import Role
from grassroots.notifications.models import AttemptStatus, DeliveryAttempt
from tests import world
from tests.e2e.conftest import open_menu
from tests.factories import UserFactory, user_with
from tests.notifications import fake_gateway
from tests.notifications.fake_gateway import ALIYUN_OK, aliyun_signature_ok

pytestmark = pytest.mark.e2e

G1 = world.G1
VILLAGE = world.VILLAGE
PHONE = "13812345678"


@pytest.fixture
def gateway(settings):
    fake = fake_gateway.start()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.NOTIFICATIONS_SMS_BACKEND = "aliyun"
    settings.NOTIFICATIONS_SMS_ENDPOINT = f"{fake.url}/"
    settings.NOTIFICATIONS_SMS_KEY_ID = "LTAI-journey"
    settings.NOTIFICATIONS_SMS_KEY_SECRET = "journey-secret"
    settings.NOTIFICATIONS_SMS_SIGN_NAME = "巴彦淖尔网格"
    settings.NOTIFICATIONS_SMS_TEMPLATE_ID = "SMS_100001"
    settings.NOTIFICATIONS_RETRY_SECONDS = [0]
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def town(transactional_db):
    world.seed_case_reference(years=())  # a transactional test starts from an emptied database
    world.place(G1, name="一网格")
    resident = UserFactory(username="jumin", display_name="张居民")
    resident.phone, resident.phone_hash = PHONE, fieldcrypt.keyed_hash(PHONE)
    resident.save()
    return {
        "resident": resident,
        "village": user_with(Role.VILLAGE_STAFF, VILLAGE, username="cun", display_name="村干部"),
        "admin": UserFactory(username="guanli", is_staff=True, is_superuser=True),
    }


def test_a_resident_hears_by_sms_after_the_gateway_recovers(live_server, browser, log_in, town, gateway):
    from grassroots.cases import services

    case = services.case_report(
        actor=town["resident"], category="0101", description="楼下垃圾堆了三天", lon=107.005, lat=41.005
    )
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.set_default_timeout(10_000)
    resident = phone.new_page()
    log_in(resident, live_server, username="jumin")
    open_menu(resident)
    resident.click("header a.who")
    expect(resident.locator("h1")).to_have_text("通知设置")
    expect(resident.locator("input[value=sms_own_reports]")).to_be_checked()
    expect(resident.locator(".default-note")).to_be_visible()
    expect(resident.locator(".addresses")).to_contain_text("138****5678")

    # the village's staff accept the report while the gateway is down once
    gateway.answer("/", (503, {"Code": "ServiceUnavailable", "Message": "busy"}), (200, ALIYUN_OK))
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    staff = desk.new_page()
    log_in(staff, live_server, username="cun", next_url=f"/cases/{case.pk}/")
    details = staff.locator("details.action-accept")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    with staff.expect_navigation():
        details.locator("form button[type=submit]").click()
    expect(staff.locator(".messages")).to_be_visible()

    sent = gateway.sent_to("/")
    assert len(sent) == 2 and all(aliyun_signature_ok(r.form, "journey-secret") for r in sent)
    assert {r.form["PhoneNumbers"] for r in sent} == {PHONE}
    words = json.loads(sent[-1].form["TemplateParam"])

    # the SMS says what the inbox says
    resident.goto(f"{live_server.url}/inbox/")
    first = resident.locator("ul.inbox li").first
    expect(first).to_contain_text(words["title"])
    expect(first).to_contain_text(words["body"].rstrip("…"))

    # an administrator reads both attempts in the delivery log, the number masked
    desk.clear_cookies()
    log_in(staff, live_server, username="guanli", next_url="/admin/notifications/deliveryattempt/")
    rows = staff.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(staff.locator("#result_list")).to_contain_text("138****5678")
    assert PHONE not in staff.content()
    assert list(DeliveryAttempt.objects.order_by("id").values_list("status", flat=True)) == [
        AttemptStatus.FAILED,
        AttemptStatus.SENT,
    ]
    phone.close()
    desk.close()


def test_a_resident_connects_wechat_and_chooses_it(live_server, browser, log_in, town, gateway, settings):
    """The settings page's connect link goes through WeChat's web authorisation (the fake sends the browser
    straight back with a code, as WeChat does for snsapi_base) and WeChat can then be chosen."""
    settings.NOTIFICATIONS_WECHAT_BACKEND = "official_account"
    settings.NOTIFICATIONS_WECHAT_APP_ID = "wx-journey"
    settings.NOTIFICATIONS_WECHAT_APP_SECRET = "wechat-journey-secret"
    settings.NOTIFICATIONS_WECHAT_TEMPLATE_ID = "TEMPLATE-PROGRESS"
    settings.NOTIFICATIONS_WECHAT_ENDPOINT = gateway.url
    settings.NOTIFICATIONS_WECHAT_OAUTH_ENDPOINT = gateway.url
    from django.core.cache import cache

    from grassroots.notifications.models import WeChatBinding
    from grassroots.notifications.services import notify

    cache.clear()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, live_server, username="jumin", next_url="/inbox/settings/")
    expect(page.locator("input[value=wechat]")).to_be_disabled()
    # (the browser keeps WeChat's "#wechat_redirect" through the redirects back; it does no harm)
    with page.expect_navigation(url=re.compile(r".*/inbox/settings/(#.*)?$")):
        page.click("a[data-link=wechat-connect]")
    expect(page.locator(".messages")).to_contain_text("微信已关联")
    assert WeChatBinding.objects.get(user=town["resident"]).openid == "oWECHAT-RESIDENT-0001"
    page.locator("input[value=wechat]").check()
    with page.expect_navigation():
        page.locator("#delivery-form button[type=submit]").click()
    expect(page.locator("input[value=wechat]")).to_be_checked()

    notify(recipients=[town["resident"]], title="报告已受理", body="网格员将尽快处理")
    sent = gateway.sent_to("/cgi-bin/message/template/send")
    assert len(sent) == 1 and sent[0].json["touser"] == "oWECHAT-RESIDENT-0001"
    assert sent[0].json["data"] == {
        "thing1": {"value": "报告已受理"},
        "thing2": {"value": "网格员将尽快处理"},
    }
    context.close()
