"""Every person chooses how notifications reach them besides the inbox — the inbox only, the daily digest,
email, SMS (each, or for changes to their own reports) or WeChat — on their settings page and through the
API; WeChat template messages go through an official account played by a local server on 127.0.0.1, after
the person connected their WeChat; administrators read the delivery log, with numbers masked."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client

from grassroots import fieldcrypt
from grassroots.notifications import selectors
from grassroots.notifications.models import (
    AttemptStatus,
    Delivery,
    DeliveryAttempt,
    DeliveryPreference,
    Topic,
    WeChatBinding,
)
from grassroots.notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.NOTIFICATIONS_RETRY_SECONDS = [0]
    cache.clear()


@pytest.fixture
def official_account(settings, gateway):
    settings.NOTIFICATIONS_WECHAT_BACKEND = "official_account"
    settings.NOTIFICATIONS_WECHAT_APP_ID = "wx-test-app"
    settings.NOTIFICATIONS_WECHAT_APP_SECRET = "wechat-secret"
    settings.NOTIFICATIONS_WECHAT_TEMPLATE_ID = "TEMPLATE-PROGRESS"
    settings.NOTIFICATIONS_WECHAT_TEMPLATE_FIELDS = {"thing1": "title", "thing2": "body"}
    settings.NOTIFICATIONS_WECHAT_ENDPOINT = gateway.url
    settings.NOTIFICATIONS_WECHAT_OAUTH_ENDPOINT = gateway.url
    settings.NOTIFICATIONS_SITE_URL = "https://grid.example.cn"
    return gateway


def _resident(phone=PHONE):
    user = UserFactory(display_name="张居民")
    if phone:
        user.phone, user.phone_hash = phone, fieldcrypt.keyed_hash(phone)
        user.save()
    return user


def _client(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


# --- the choice -----------------------------------------------------------------------------------------------


def test_the_api_shows_the_default_the_choices_and_why_some_are_closed():
    resident, nophone = _resident(), _resident(phone="")
    body = _client(resident).get("/api/v1/notifications/delivery").json()
    assert body["delivery"] == "sms_own_reports" and body["default"] is True
    assert body["choices"] == ["inbox", "digest", "immediate", "sms_own_reports", "sms", "wechat"]
    assert body["unavailable"] == {}  # the logging WeChat gateway needs no connection
    closed = _client(nophone).get("/api/v1/notifications/delivery").json()
    assert closed["delivery"] == "digest" and set(closed["unavailable"]) == {"sms", "sms_own_reports"}
    refused = _client(nophone).put(
        "/api/v1/notifications/delivery", {"delivery": "sms"}, content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["code"] == "no_address"
    assert "mobile" in refused.json()["message"] and not DeliveryPreference.objects.exists()
    chosen = _client(resident).put(
        "/api/v1/notifications/delivery", {"delivery": "inbox"}, content_type="application/json"
    )
    assert chosen.status_code == 200 and chosen.json()["delivery"] == "inbox" and not chosen.json()["default"]


def test_the_settings_page_offers_every_channel_and_says_where_messages_go():
    resident = _resident()
    html = _client(resident, "zh-hans").get("/inbox/settings/").content.decode()
    for value in Delivery.values:
        assert f'data-choice="{value}"' in html
    assert 'value="sms_own_reports" checked' in html and "default-note" in html
    assert "短信发送到 138****5678" in html and PHONE not in html
    response = _client(resident).post("/inbox/settings/", {"delivery": "sms"}, follow=True)
    assert 'value="sms" checked' in response.content.decode()
    assert selectors.delivery_for(user=resident) == Delivery.SMS
    nophone = _client(_resident(phone=""), "zh-hans").get("/inbox/settings/").content.decode()
    assert 'value="sms" disabled' in nophone and "短信需要账号登记手机号码" in nophone


# --- WeChat ------------------------------------------------------------------------------------------------


def test_connecting_wechat_then_choosing_it_sends_template_messages(
    official_account, django_capture_on_commit_callbacks
):
    resident = _resident()
    client = _client(resident)
    # WeChat cannot be chosen before it is connected
    page = client.get("/inbox/settings/").content.decode()
    assert 'value="wechat" disabled' in page and 'data-link="wechat-connect"' in page
    # the connect link goes to WeChat's authorisation, which sends the browser back with a code
    go = client.get("/inbox/settings/wechat/")
    assert go.status_code == 302 and go["Location"].startswith(
        f"{official_account.url}/connect/oauth2/authorize?"
    )
    parts = urlsplit(go["Location"])  # WeChat (the fake) answers with the way back to our callback
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("GET", f"{parts.path}?{parts.query}")
    callback = connection.getresponse().getheader("Location")
    connection.close()
    assert callback.startswith("http://testserver/inbox/settings/wechat/callback/?code=CODE-1&state=")
    done = client.get(callback.replace("http://testserver", ""), follow=True)
    assert "Your WeChat is connected" in done.content.decode()
    assert WeChatBinding.objects.get(user=resident).openid == "oWECHAT-RESIDENT-0001"
    exchange = official_account.sent_to("/sns/oauth2/access_token")[0]
    assert exchange.query == {
        "appid": "wx-test-app", "secret": "wechat-secret", "code": "CODE-1", "grant_type": "authorization_code"
    }  # fmt: skip

    # now WeChat can be chosen; a notification goes out as a template message
    assert client.post("/inbox/settings/", {"delivery": "wechat"}).status_code == 302
    official_account.answer(
        "/cgi-bin/message/template/send", (200, {"errcode": 40001, "errmsg": "invalid credential"})
    )
    with django_capture_on_commit_callbacks(execute=True):
        [row] = notify(
            recipients=[resident],
            title="报告 20261207000123：已受理",
            body="网格员将在24小时内到现场处理，联系电话13912345678",
            topic=Topic.OWN_REPORT,
        )
    sends = official_account.sent_to("/cgi-bin/message/template/send")
    tokens = official_account.sent_to("/cgi-bin/stable_token")
    assert len(sends) == 2 and len(tokens) == 2  # the token the API refused was fetched again, once
    assert json.loads(tokens[0].body) == {
        "grant_type": "client_credential", "appid": "wx-test-app", "secret": "wechat-secret", "force_refresh": False
    }  # fmt: skip
    assert sends[-1].query == {"access_token": "TOKEN-1"}
    assert sends[-1].json == {
        "touser": "oWECHAT-RESIDENT-0001",
        "template_id": "TEMPLATE-PROGRESS",
        "data": {
            "thing1": {"value": "报告 20261207000123：已受理"[:19] + "…"},
            "thing2": {"value": "网格员将在24小时内到现场处理，联系电…"},  # 20 characters at most
        },
    }
    attempt = DeliveryAttempt.objects.get(notification=row)
    assert (attempt.channel, attempt.status, attempt.message_id) == (
        "wechat",
        AttemptStatus.SENT,
        "200228332",
    )
    assert attempt.to_masked == "openid …0001"


def test_a_person_who_unfollowed_is_given_up_and_a_busy_api_is_tried_again(
    official_account, django_capture_on_commit_callbacks
):
    resident = _resident()
    WeChatBinding.objects.create(user=resident, openid="oWECHAT-RESIDENT-0001")
    DeliveryPreference.objects.create(user=resident, delivery=Delivery.WECHAT)
    official_account.answer(
        "/cgi-bin/message/template/send",
        (200, {"errcode": -1, "errmsg": "system error"}),
        (200, {"errcode": 43004, "errmsg": "require subscribe"}),
    )
    with django_capture_on_commit_callbacks(execute=True):
        [row] = notify(recipients=[resident], title="通知", body="正文")
    assert list(
        DeliveryAttempt.objects.filter(notification=row).order_by("id").values_list("status", "code")
    ) == [
        (AttemptStatus.FAILED, "wechat_-1"),
        (AttemptStatus.GAVE_UP, "wechat_43004"),
    ]


def test_a_wechat_already_connected_elsewhere_is_refused_and_disconnecting_drops_the_choice(official_account):
    first, second = _resident(), _resident(phone="13900000000")
    WeChatBinding.objects.create(user=first, openid="oWECHAT-RESIDENT-0001")
    client = _client(second)
    go = client.get("/inbox/settings/wechat/")
    state = go["Location"].split("state=")[1].split("#")[0]
    page = client.get(
        f"/inbox/settings/wechat/callback/?code=CODE-1&state={state}", follow=True
    ).content.decode()
    assert "connected to another account" in page and not WeChatBinding.objects.filter(user=second).exists()
    # a forged state connects nothing
    client.get("/inbox/settings/wechat/")
    client.get("/inbox/settings/wechat/callback/?code=CODE-1&state=forged")
    assert WeChatBinding.objects.filter(user=second).count() == 0

    DeliveryPreference.objects.create(user=first, delivery=Delivery.WECHAT)
    assert _client(first).post("/inbox/settings/wechat/disconnect/").status_code == 302
    assert not WeChatBinding.objects.filter(user=first).exists()
    assert selectors.delivery_for(user=first) == Delivery.SMS_OWN_REPORTS


def test_the_connect_link_exists_only_with_a_real_wechat_gateway():
    resident = _resident()
    assert _client(resident).get("/inbox/settings/wechat/").status_code == 404
    assert 'data-link="wechat-connect"' not in _client(resident).get("/inbox/settings/").content.decode()


# --- the delivery log for administrators --------------------------------------------------------------------


def test_administrators_read_the_delivery_log_with_numbers_masked(django_capture_on_commit_callbacks):
    resident = _resident()
    with django_capture_on_commit_callbacks(execute=True):
        [row] = notify(recipients=[resident], title="报告已受理", body="正文", topic=Topic.OWN_REPORT)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = _client(admin)
    listing = client.get("/admin/notifications/deliveryattempt/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "138****5678" in html and PHONE not in html
    attempt = DeliveryAttempt.objects.get(notification=row)
    detail = client.get(f"/admin/notifications/deliveryattempt/{attempt.pk}/change/").content.decode()
    assert "138****5678" in detail and PHONE not in detail
    assert client.get("/admin/notifications/deliveryattempt/add/").status_code == 403
    assert 'name="_save"' not in detail  # read-only
    notification_page = client.get(f"/admin/notifications/notification/{row.pk}/change/").content.decode()
    assert "138****5678" in notification_page and PHONE not in notification_page
