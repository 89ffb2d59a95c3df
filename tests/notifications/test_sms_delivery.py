"""SMS really sent (issue 20, item 5): a resident registered by phone hears of a change to their report by
SMS, through the task queue, to a gateway played by a local HTTP server on 127.0.0.1 — Aliyun's and Tencent
Cloud's APIs, signed as their documentation says — which fails, throttles and recovers; every attempt is in
the delivery log, the words are the inbox's within one SMS, and the phone number never reaches a log line
unmasked."""

from __future__ import annotations

import json
import logging

import pytest
from django.utils import translation

from grassroots.accounts.models import Role
from grassroots.cases import services as cases
from grassroots.notifications import gateways, texts
from grassroots.notifications.models import AttemptStatus, DeliveryAttempt, Notification, Topic
from grassroots.notifications.services import delivery_preference_set, notify
from tests.cases.conftest import G1, INSIDE_G1, VILLAGE, ensure_seed
from tests.factories import UserFactory, grid, user_with

from .conftest import KEY_ID, PHONE, SECRET, attempts_of
from .fake_gateway import ALIYUN_OK, aliyun_signature_ok, tencent_error, tencent_ok, tencent_signature_ok

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _configured(sms_configured):
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def tencent(settings, gateway):
    settings.NOTIFICATIONS_SMS_BACKEND = "tencent"
    settings.NOTIFICATIONS_SMS_ENDPOINT = f"{gateway.url}/tencent/"
    settings.NOTIFICATIONS_SMS_APP_ID = "1400006666"
    return gateway


@pytest.fixture
def village_staff(db):
    ensure_seed()
    grid(G1, (107.00, 41.00, 107.01, 41.01))
    return user_with(Role.VILLAGE_STAFF, VILLAGE)


def _accepted_case(village_staff, reporter, capture):
    """The resident reports; the village accepts it: the reporter is told, in words (the delivery runs
    when the change commits)."""
    case = cases.case_report(
        actor=reporter, category="0101", description="楼下垃圾堆了三天", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
    )
    with capture(execute=True):
        cases.case_accept(actor=village_staff, case=case, expected_version=case.version)
    return Notification.objects.filter(recipient=reporter).latest("id")


# --- Aliyun -----------------------------------------------------------------------------------------------


def test_aliyun_signature_matches_the_vendors_published_example():
    # help.aliyun.com "HTTP协议及签名": AccessKeyId testId, secret testSecret → zJDF+Lrzhj/ThnlvIToysFRq6t4=
    params = {
        "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
        "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
    }  # fmt: skip
    assert gateways.aliyun_signature("GET", params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert aliyun_signature_ok({**params, "Signature": "zJDF+Lrzhj/ThnlvIToysFRq6t4="}, "testSecret", "GET")


def test_a_change_to_a_residents_report_reaches_them_by_sms_after_two_failures(
    aliyun, village_staff, resident, django_capture_on_commit_callbacks, caplog
):
    # the gateway is down once, then throttles the number, then takes the message
    aliyun.answer(
        "/",
        (503, {"Code": "ServiceUnavailable", "Message": "Service unavailable"}),
        (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": f"触发号码天级流控Permits:10 {PHONE}"}),
        (200, ALIYUN_OK),
    )
    with caplog.at_level(logging.INFO):
        notification = _accepted_case(village_staff, resident, django_capture_on_commit_callbacks)

    assert notification.topic == Topic.OWN_REPORT and notification.channels == ["sms"]
    sent = aliyun.sent_to("/")
    assert len(sent) == 3
    title, body = texts.words_of(notification)
    for request in sent:
        form = request.form
        assert request.method == "POST" and request.query == {}  # the number is not in the URL
        assert aliyun_signature_ok(form, SECRET)
        assert (
            form["AccessKeyId"] == KEY_ID and form["Action"] == "SendSms" and form["Version"] == "2017-05-25"
        )
        assert form["PhoneNumbers"] == PHONE and form["SignName"] == "巴彦淖尔网格"
        assert form["TemplateCode"] == "SMS_100001" and form["OutId"] == str(notification.pk)
        assert json.loads(form["TemplateParam"]) == {"title": title, "body": body}
    assert len({r.form["SignatureNonce"] for r in sent}) == 3  # a fresh nonce for each attempt
    # what the phone shows is the inbox's words within one SMS, signature included
    assert title == notification.title and notification.body.startswith(body.rstrip("…"))
    assert texts.segments(f"【巴彦淖尔网格】{title}：{body}") == 1

    assert attempts_of(notification) == [
        (1, AttemptStatus.FAILED), (2, AttemptStatus.FAILED), (3, AttemptStatus.SENT)
    ]  # fmt: skip
    last = DeliveryAttempt.objects.filter(notification=notification).latest("id")
    assert (last.gateway, last.to_masked, last.message_id, last.segments) == (
        "aliyun", "138****5678", "900619746936498440^0", 1
    )  # fmt: skip
    throttled = DeliveryAttempt.objects.get(notification=notification, attempt=2)
    assert (
        throttled.code == "isv.BUSINESS_LIMIT_CONTROL"
        and PHONE not in throttled.gateway_message
        and "138****5678" in throttled.gateway_message
    )
    notification.refresh_from_db()
    assert notification.delivered_at is not None
    assert notification.delivery_log == [{"channel": "sms", "ok": True, "detail": "OK"}]
    assert PHONE not in caplog.text


def test_a_refusal_is_not_retried_and_the_attempts_stop_at_the_limit(
    aliyun, settings, resident, django_capture_on_commit_callbacks
):
    aliyun.answer("/", (200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}))
    with django_capture_on_commit_callbacks(execute=True):
        [refused] = notify(recipients=[resident], title="报告已受理", body="正文", topic=Topic.OWN_REPORT)
    assert attempts_of(refused) == [(1, AttemptStatus.GAVE_UP)] and len(aliyun.requests) == 1

    settings.NOTIFICATIONS_SEND_ATTEMPTS = 3
    aliyun.answer("/", *[(500, {"Code": "InternalError", "Message": "x"})] * 3)
    with django_capture_on_commit_callbacks(execute=True):
        [failing] = notify(recipients=[resident], title="报告已办结", body="正文", topic=Topic.OWN_REPORT)
    assert attempts_of(failing) == [
        (1, AttemptStatus.FAILED), (2, AttemptStatus.FAILED), (3, AttemptStatus.GAVE_UP)
    ]  # fmt: skip
    assert len(aliyun.requests) == 4
    failing.refresh_from_db()
    assert failing.delivery_log == [{"channel": "sms", "ok": False, "detail": "InternalError"}]
    # the inbox has both whatever happened to the messages
    assert Notification.objects.filter(recipient=resident, read_at__isnull=True).count() == 2


def test_a_gateway_that_cannot_be_reached_is_tried_again(
    settings, resident, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_SMS_BACKEND = "aliyun"
    settings.NOTIFICATIONS_SMS_ENDPOINT = "http://127.0.0.1:9/"  # discard port: nothing listens
    settings.NOTIFICATIONS_SMS_TIMEOUT = 2
    settings.NOTIFICATIONS_SEND_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        [row] = notify(recipients=[resident], title="t", body="b", channels=["sms"])
    assert [(a.status, a.code) for a in DeliveryAttempt.objects.filter(notification=row).order_by("id")] == [
        (AttemptStatus.FAILED, "network"),
        (AttemptStatus.GAVE_UP, "network"),
    ]


# --- Tencent Cloud ------------------------------------------------------------------------------------------


def test_tencent_signs_with_tc3_and_retries_its_internal_errors(
    tencent, settings, resident, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_SMS_TEMPLATE_TEXT = "{1}：{2}"
    tencent.answer(
        "/tencent/",
        (200, tencent_error("InternalError.Timeout", "timeout")),
        (200, tencent_ok(serial="2028:serial-ok")),
    )
    with django_capture_on_commit_callbacks(execute=True):
        [row] = notify(
            recipients=[resident],
            title="报告 20261207000123：已受理",
            body="网格员将尽快处理。",
            topic=Topic.OWN_REPORT,
        )
    sent = tencent.sent_to("/tencent/")
    assert len(sent) == 2
    for request in sent:
        assert tencent_signature_ok(request, KEY_ID, SECRET)
        headers = {k.lower(): v for k, v in request.headers.items()}
        assert headers["x-tc-action"] == "SendSms" and headers["x-tc-version"] == "2021-01-11"
        assert headers["x-tc-region"] == "ap-guangzhou"
        assert request.json == {
            "PhoneNumberSet": [f"+86{PHONE}"],
            "SmsSdkAppId": "1400006666",
            "SignName": "巴彦淖尔网格",
            "TemplateId": "SMS_100001",
            "TemplateParamSet": ["报告 20261207000123：已受理", "网格员将尽快处理。"],
            "SessionContext": str(row.pk),
        }
    assert attempts_of(row) == [(1, AttemptStatus.FAILED), (2, AttemptStatus.SENT)]
    assert DeliveryAttempt.objects.get(notification=row, attempt=2).message_id == "2028:serial-ok"
    # a signature the gateway refuses is final
    tencent.answer("/tencent/", (200, tencent_error("AuthFailure.SignatureFailure", "bad signature")))
    with django_capture_on_commit_callbacks(execute=True):
        [refused] = notify(recipients=[resident], title="t", body="b", channels=["sms"])
    assert attempts_of(refused) == [(1, AttemptStatus.GAVE_UP)]


# --- the words, the limits, who gets SMS ----------------------------------------------------------------------


def test_long_text_is_shortened_to_one_sms_and_numbers_are_masked_as_in_the_inbox(
    aliyun, resident, django_capture_on_commit_callbacks
):
    body = "网格员已到现场查看，联系电话 13912345678，" + "垃圾今天下午清运完毕，请您留意楼道卫生。" * 4
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[resident], title="报告 20261207000123：已处置", body=body, channels=["sms"])
    params = json.loads(aliyun.requests[0].form["TemplateParam"])
    assert params["title"] == "报告 20261207000123：已处置"
    assert params["body"].startswith("网格员已到现场查看，联系电话 139****5678，") and params[
        "body"
    ].endswith("…")
    whole = f"【巴彦淖尔网格】{params['title']}：{params['body']}"
    assert len(whole) == 70 and texts.segments(whole) == 1


def test_per_person_limits_hold_messages_back_but_keep_them_in_the_inbox(
    aliyun, settings, resident, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_SMS_PER_PERSON_HOUR = 2
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            notify(recipients=[resident], title=f"第{n}条", body="x", channels=["sms"])
    assert len(aliyun.requests) == 2
    statuses = list(DeliveryAttempt.objects.order_by("id").values_list("status", flat=True))
    assert statuses == [AttemptStatus.SENT, AttemptStatus.SENT, AttemptStatus.RATE_LIMITED]
    assert Notification.objects.filter(recipient=resident).count() == 3


def test_the_gateways_rate_defers_through_the_database_queue(
    aliyun, settings, resident, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NOTIFICATIONS_SMS_PER_MINUTE = 1
    settings.NOTIFICATIONS_RETRY_SECONDS = [60]
    from grassroots.notifications.delivery import deliver

    first = notify(recipients=[resident], title="一", body="x", channels=["sms"])[0]
    second = notify(recipients=[resident], title="二", body="x", channels=["sms"])[0]
    with django_capture_on_commit_callbacks(execute=True):
        deliver.call([first.pk, second.pk])
    assert len(aliyun.requests) == 1
    statuses = dict(DeliveryAttempt.objects.values_list("notification_id", "status"))
    assert sorted(statuses.values()) == [AttemptStatus.DEFERRED, AttemptStatus.SENT]
    deferred = DeliveryAttempt.objects.get(status=AttemptStatus.DEFERRED)
    queued = DBTaskResult.objects.get(task_path__endswith="send_again")
    assert queued.run_after == deferred.next_at and (deferred.next_at - deferred.at).total_seconds() == 60
    assert queued.args_kwargs["args"] == [deferred.notification_id, "sms", 2]


def test_who_gets_an_sms_without_choosing(aliyun, resident, django_capture_on_commit_callbacks):
    staff_with_phone = user_with(Role.VILLAGE_STAFF, VILLAGE)
    staff_with_phone.phone, staff_with_phone.phone_hash = "13912345678", "h-staff"
    staff_with_phone.save()
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            recipients=[resident, staff_with_phone], title="村务公开", body="新公告", topic=Topic.GENERAL
        )
        own = notify(
            recipients=[resident, staff_with_phone], title="您的报告", body="已受理", topic=Topic.OWN_REPORT
        )
    # a broadcast goes to nobody's phone; a change to one's own report to the resident's, not the staff's
    assert [r.channels for r in rows] == [[], []]
    assert [r.channels for r in own] == [["sms"], []]
    assert len(aliyun.requests) == 1
    # the resident may choose the inbox only, or every notification by SMS
    delivery_preference_set(actor=resident, user=resident, delivery="inbox")
    with django_capture_on_commit_callbacks(execute=True):
        [quiet] = notify(recipients=[resident], title="您的报告", body="已办结", topic=Topic.OWN_REPORT)
    assert quiet.channels == [] and len(aliyun.requests) == 1
    delivery_preference_set(actor=resident, user=resident, delivery="sms")
    with django_capture_on_commit_callbacks(execute=True):
        [loud] = notify(recipients=[resident], title="村务公开", body="新公告")
    assert loud.channels == ["sms"] and len(aliyun.requests) == 2


def test_the_logging_gateway_is_the_default_and_logs_the_number_masked(
    settings, resident, django_capture_on_commit_callbacks, caplog
):
    settings.NOTIFICATIONS_SMS_BACKEND = "logging"
    with (
        caplog.at_level(logging.INFO, logger="grassroots.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [row] = notify(recipients=[resident], title="提醒", body="您的诉求已受理", topic=Topic.OWN_REPORT)
    assert "138****5678" in caplog.text and PHONE not in caplog.text
    assert "【巴彦淖尔网格】提醒：您的诉求已受理" in caplog.text
    attempt = DeliveryAttempt.objects.get(notification=row)
    assert (attempt.gateway, attempt.status, attempt.code) == ("logging", AttemptStatus.SENT, "logged")


def test_a_resident_without_a_mobile_is_skipped_in_the_log(aliyun, django_capture_on_commit_callbacks):
    nobody = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        [row] = notify(recipients=[nobody], title="t", body="b", channels=["sms"])
    assert aliyun.requests == []
    assert DeliveryAttempt.objects.get(notification=row).status == AttemptStatus.SKIPPED


def test_the_delivery_log_is_append_only():
    from grassroots.appendonly import AppendOnlyError

    with pytest.raises(AppendOnlyError):
        DeliveryAttempt.objects.all().update(status=AttemptStatus.SENT)
