"""Signed webhooks: case, notice and topic events of a key's area are POSTed to a receiver on 127.0.0.1,
signed over timestamp and body; a failed try is logged and tried again after its backoff; too many failures
in a row disable the subscription."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django_tasks_db.models import DBTaskResult

from grassroots import clock
from grassroots.accounts.models import AuditLog
from grassroots.areas.models import Area
from grassroots.cases.models import CaseEvent
from grassroots.cases.services import case_accept, case_report
from grassroots.integrations import signing
from grassroots.integrations.models import (
    DeliveryState,
    SubscriptionVersion,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from grassroots.integrations.services import webhooks
from grassroots.integrations.services.keys import api_key_issue
from grassroots.integrations.services.webhooks import webhook_deliver, webhook_set_active, webhook_subscribe
from grassroots.versioned import bump
from tests.cases.conftest import INSIDE_G1

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class Receiver:
    """An HTTP server on 127.0.0.1 that answers each POST with the next of ``answers`` (the last repeats)
    and keeps what it was sent."""

    def __init__(self, answers: list[int]):
        self.answers, self.received = list(answers), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/grassroots"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _quiet(settings, monkeypatch):
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def _report(city):
    return case_report(actor=city.resident, category="0101", description="垃圾没人清 13812345678",
                       lon=INSIDE_G1[0], lat=INSIDE_G1[1])  # fmt: skip


def test_a_case_event_is_signed_delivered_after_a_failure_and_logged(
    city, county_key, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    key, _raw = county_key
    with Receiver([500, 200]) as receiver:
        subscription, secret = webhook_subscribe(actor=None, key=key, url=receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            case = _report(city)
    assert len(receiver.received) == 2  # the failure, then the retry
    (first_headers, first_body), (headers, body) = receiver.received
    assert first_body == body and first_headers["X-Grassroots-Delivery"] == headers["X-Grassroots-Delivery"]
    assert signing.verify(secret, headers[signing.HEADER], body)
    assert not signing.verify(secret, headers[signing.HEADER], body.replace(b"report", b"rep0rt"))
    assert not signing.verify("whsec_other", headers[signing.HEADER], body)
    event = json.loads(body)
    assert event["type"] == "case.report" == headers["X-Grassroots-Event"]
    assert event["data"]["service_request_id"] == case.reference
    assert event["data"]["extended_status"] == "open" and event["data"]["service_code"] == "0101"
    assert "13812345678" not in body.decode() and "居民" not in body.decode()
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    log = list(
        WebhookAttempt.objects.filter(delivery=delivery).values_list("number", "status_code", "succeeded")
    )
    assert log == [(1, 500, False), (2, 200, True)]
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0 and subscription.is_active
    assert AuditLog.objects.filter(action="webhook.subscribe", target_id=str(subscription.pk)).exists()


def test_a_failed_try_is_queued_again_after_its_backoff(
    city, county_key, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE
    settings.WEBHOOKS_RETRY_SECONDS = [30, 120]
    key, _raw = county_key
    with Receiver([503, 204]) as receiver:
        subscription, _secret = webhook_subscribe(actor=None, key=key, url=receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            _report(city)
        delivery = WebhookDelivery.objects.get(subscription=subscription)
        queued = DBTaskResult.objects.filter(task_path__endswith="webhook_deliver")
        assert queued.count() == 1  # queued, not sent: the worker sends it
        assert receiver.received == []
        with django_capture_on_commit_callbacks(execute=True):
            assert webhook_deliver.call(delivery.pk) == DeliveryState.PENDING  # what the worker runs
        delivery.refresh_from_db()
        assert delivery.attempts == 1 and delivery.next_attempt_at is not None
        assert queued.count() == 2
        retry = min(
            queued, key=lambda r: r.run_after
        )  # the first waits for no time (run_after: the year 9999)
        assert dt.timedelta(seconds=25) <= retry.run_after - clock.now() <= dt.timedelta(seconds=31)
        with django_capture_on_commit_callbacks(execute=True):
            assert webhook_deliver.call(delivery.pk) == DeliveryState.DELIVERED
    assert len(receiver.received) == 2


def test_repeated_failures_disable_the_subscription(
    city, county_key, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.WEBHOOKS_DISABLE_AFTER = 3
    settings.WEBHOOKS_ATTEMPTS = 10
    key, _raw = county_key
    with Receiver([500]) as receiver:
        subscription, _secret = webhook_subscribe(actor=None, key=key, url=receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            case = _report(city)
        assert len(receiver.received) == 3
        subscription.refresh_from_db()
        assert not subscription.is_active and subscription.disabled_at is not None
        assert AuditLog.objects.filter(action="webhook.disable", target_id=str(subscription.pk)).exists()
        assert WebhookDelivery.objects.get().state == DeliveryState.GIVEN_UP
        with django_capture_on_commit_callbacks(execute=True):
            case_accept(actor=city.village, case=case, expected_version=case.version)
        assert len(receiver.received) == 3  # a disabled subscription is told nothing
        receiver.answers = [200]
        webhook_set_active(actor=None, subscription=subscription, active=True)
        subscription.refresh_from_db()
        assert subscription.is_active and subscription.consecutive_failures == 0


def test_an_event_no_subscription_wants_costs_no_query(
    city, county_key, settings, django_capture_on_commit_callbacks, django_assert_num_queries
):
    settings.TASKS = IMMEDIATE
    settings.WEBHOOKS_CHECK_SECONDS = 3600
    key, _raw = county_key
    case = _report(city)  # its listener's work is not run: the commit is not reached
    event = CaseEvent.objects.select_related("case__category").get(case=case)

    def told() -> None:  # what a transaction writing the event costs the listener once it commits
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.case_event_recorded(event)

    told()  # this process learns that nobody subscribed
    with django_assert_num_queries(0):
        told()
    with Receiver([200]) as receiver:
        webhook_subscribe(actor=None, key=key, url=receiver.url, on_case=False, on_notice=True)
        told()  # the process that subscribed knows at once; notices only: still no case delivery
        with django_assert_num_queries(0):
            told()
        # Another process subscribes to case events (its save bumps the version; here no signal is sent):
        WebhookSubscription.objects.bulk_create(
            [WebhookSubscription(key=key, area_code=key.area_code, url=receiver.url, secret="whsec_x")]
        )
        bump(SubscriptionVersion)
        told()
        assert receiver.received == []  # not seen before this process checks the version again
        settings.WEBHOOKS_CHECK_SECONDS = 0
        told()
        assert len(receiver.received) == 1
        assert json.loads(receiver.received[0][1])["data"]["service_request_id"] == case.reference


def test_a_receiver_that_does_not_answer_is_a_failure_with_its_reason(
    city, county_key, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.WEBHOOKS_ATTEMPTS = 2
    key, _raw = county_key
    with Receiver([200]) as closed:
        url = closed.url  # the port is free again once the server is closed
    webhook_subscribe(actor=None, key=key, url=url)
    with django_capture_on_commit_callbacks(execute=True):
        _report(city)
    attempts = list(WebhookAttempt.objects.order_by("number"))
    assert [a.status_code for a in attempts] == [None, None] and all(a.failure for a in attempts)
    assert WebhookDelivery.objects.get().state == DeliveryState.GIVEN_UP


def test_only_the_keys_area_and_no_staff_only_rows(
    city, county_key, other_key, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    key, _raw = county_key
    other, _other_raw = other_key
    with Receiver([200]) as receiver:
        mine, _s = webhook_subscribe(actor=None, key=key, url=receiver.url)
        theirs, _t = webhook_subscribe(actor=None, key=other, url=receiver.url + "/other")
        with django_capture_on_commit_callbacks(execute=True):
            case = _report(city)
            CaseEvent.objects.filter(case=case).update(internal=True)  # not this one: it is written already
        with django_capture_on_commit_callbacks(execute=True):
            from grassroots.cases import events

            events.record(case, "note", at=clock.now(), note="仅工作人员", internal=True)
    assert WebhookDelivery.objects.filter(subscription=mine).count() == 1
    assert not WebhookDelivery.objects.filter(subscription=theirs).exists()
    assert len(receiver.received) == 1


def test_notice_and_topic_events_reach_their_subscribers(settings, django_capture_on_commit_callbacks, town):
    from grassroots.accounts.models import Role
    from grassroots.disclosure import services as disclosure
    from grassroots.disclosure.models import NoticeKind
    from tests.deliberation import factories as deliberation
    from tests.disclosure.conftest import ALLOWANCE_ROWS, at

    settings.TASKS = IMMEDIATE
    key, _raw = api_key_issue(
        actor=None, name="旗系统", area=Area.objects.get(code="150802"), role=Role.COUNTY_STAFF
    )
    with Receiver([200]) as receiver:
        webhook_subscribe(actor=None, key=key, url=receiver.url, on_case=False, on_notice=True, on_topic=True)
        with clock.frozen(at("2026-03-02")), django_capture_on_commit_callbacks(execute=True):
            notice = disclosure.notice_create(actor=town.staff, board=town.board, kind=NoticeKind.ALLOWANCE,
                                              title="3月低保调整", rows=ALLOWANCE_ROWS)  # fmt: skip
            disclosure.notice_publish(actor=town.staff, notice=notice)
        with django_capture_on_commit_callbacks(execute=True):
            group = deliberation.five_person_group()
            topic = deliberation.propose(group.committee)
    kinds = [json.loads(body)["type"] for _headers, body in receiver.received]
    assert "notice.publish" in kinds and "topic.proposed" in kinds
    sent = {json.loads(body)["type"]: json.loads(body)["data"] for _h, body in receiver.received}
    assert sent["notice.publish"]["notice_id"] == notice.pk
    assert sent["topic.proposed"]["topic_id"] == topic.pk
    assert not any(
        b"\xe5\xbc\xa0\xe5\xb0\x8f\xe6\x98\x8e" in body for _h, body in receiver.received
    )  # 张小明


def test_the_signature_refuses_an_old_timestamp():
    body = b'{"id":"case-event:1"}'
    header = signing.header_value("whsec_x", body, timestamp=1_700_000_000)
    assert signing.verify("whsec_x", header, body, now=1_700_000_100)
    assert not signing.verify("whsec_x", header, body, now=1_700_000_000 + 301)
    assert not signing.verify("whsec_x", "t=abc,v1=00", body)


def test_subscribing_needs_an_administrator_of_the_keys_area_and_an_http_address(city, county_key):
    from grassroots.accounts.models import Role
    from grassroots.accounts.scoping import OutOfScope
    from grassroots.errors import NotPermitted
    from grassroots.integrations.errors import IntegrationError
    from tests.factories import user_with

    key, _raw = county_key
    outsider = user_with(Role.ADMINISTRATOR, "150826")
    with pytest.raises((NotPermitted, OutOfScope)):
        webhook_subscribe(actor=outsider, key=key, url="https://example.org/hook")
    for url in ("ftp://example.org/x", "not a url", ""):
        with pytest.raises(IntegrationError):
            webhook_subscribe(actor=None, key=key, url=url)
    with pytest.raises(IntegrationError):
        webhook_subscribe(actor=None, key=key, url="https://example.org/hook", on_case=False)
    assert not WebhookSubscription.objects.exists()


def test_the_admin_subscribes_a_key_shows_the_secret_once_and_lists_the_log(
    city, county_key, other_key, client
):
    from grassroots.accounts.models import Role
    from tests.factories import user_with

    key, _raw = county_key
    other, _other_raw = other_key
    admin = user_with(Role.ADMINISTRATOR, "150825", is_staff=True)
    client.force_login(admin)
    refused = client.post(
        "/admin/integrations/webhooksubscription/add/",
        {"key": other.pk, "url": "https://example.org/hook", "on_case": "on"},
    )
    assert refused.status_code == 200 and not WebhookSubscription.objects.exists()  # not a key of theirs
    response = client.post(
        "/admin/integrations/webhooksubscription/add/",
        {"key": key.pk, "url": "https://example.org/hook", "on_case": "on", "on_topic": "on"},
        follow=True,
    )
    subscription = WebhookSubscription.objects.get()
    shown = " ".join(str(m) for m in response.context["messages"])
    assert subscription.secret in shown
    assert (subscription.on_case, subscription.on_notice, subscription.on_topic) == (True, False, True)
    page = client.get(f"/admin/integrations/webhooksubscription/{subscription.pk}/change/").content.decode()
    assert subscription.secret not in page
    assert client.get("/admin/integrations/webhookdelivery/").status_code == 200


def test_the_command_subscribes_a_key(city, county_key, capsys):
    from django.core.management import call_command

    key, _raw = county_key
    call_command("apikey", "subscribe", key.prefix, "https://example.org/hook", "--events", "case,topic")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret == secret and (
        subscription.on_case,
        subscription.on_notice,
        subscription.on_topic,
    ) == (
        True,
        False,
        True,
    )


# --- the sweep: tries whose task was lost, and a try made once ------------------------------------------------

AFTER, WITHIN = dt.timedelta(minutes=5), dt.timedelta(hours=24)


def _pending_delivery_without_its_task(city, key, settings, receiver_url):
    """A delivery committed with its task in the database queue, and the queue then lost the task."""
    settings.TASKS = DATABASE
    subscription, _secret = webhook_subscribe(actor=None, key=key, url=receiver_url)
    _report(city)
    webhooks._fan_out_all(  # what the writer's commit runs
        [
            ("case", f"case-event:{e.pk}", (e.area_code,), "case.report", lambda: {})
            for e in CaseEvent.objects.all()
        ]
    )
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert DBTaskResult.objects.filter(task_path__endswith="webhook_deliver").count() == 1
    DBTaskResult.objects.all().delete()
    settings.TASKS = IMMEDIATE
    return delivery, subscription


def test_a_delivery_whose_task_was_lost_is_sent_by_the_sweep_once(city, county_key, settings):
    with Receiver([204]) as receiver:
        delivery, _subscription = _pending_delivery_without_its_task(
            city, county_key[0], settings, receiver.url
        )
        with clock.frozen(delivery.created_at + AFTER - dt.timedelta(seconds=1)):
            assert webhooks.webhooks_sweep(after=AFTER, within=WITHIN) == {
                "webhooks": 0,
                "webhooks_given_up": 0,
            }
        with clock.frozen(delivery.created_at + AFTER + dt.timedelta(seconds=1)):
            assert webhooks.webhooks_sweep(after=AFTER, within=WITHIN)["webhooks"] == 1
            assert webhooks.webhooks_sweep(after=AFTER, within=WITHIN)["webhooks"] == 0
        with clock.frozen(delivery.created_at + WITHIN + dt.timedelta(hours=1)):
            assert webhooks.webhooks_sweep(after=AFTER, within=WITHIN)["webhooks"] == 0
    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 1


def test_a_try_is_made_once_however_many_tasks_carry_it(city, county_key, settings):
    # given a delivery whose first try fails; the retry's task and the sweep's both carry try 2
    with Receiver([503, 204]) as receiver:
        delivery, _subscription = _pending_delivery_without_its_task(
            city, county_key[0], settings, receiver.url
        )
        settings.TASKS = DATABASE
        assert webhook_deliver.call(delivery.pk, 1) == DeliveryState.PENDING
        assert webhook_deliver.call(delivery.pk, 1) == DeliveryState.PENDING  # try 1 again: taken
        assert webhook_deliver.call(delivery.pk, 2) == DeliveryState.DELIVERED
        assert webhook_deliver.call(delivery.pk, 2) == DeliveryState.DELIVERED
        assert webhook_deliver.call(delivery.pk) == DeliveryState.DELIVERED  # a task of before the numbers
    assert len(receiver.received) == 2
    log = list(WebhookAttempt.objects.filter(delivery=delivery).values_list("number", "status_code"))
    assert sorted(log) == [(1, 503), (2, 204)]


def test_a_try_whose_process_stopped_is_counted_and_the_next_one_made(city, county_key, settings):
    # given a try taken by a process that stopped before it could log the answer
    settings.WEBHOOKS_ATTEMPTS = 3
    with Receiver([204]) as receiver:
        delivery, _subscription = _pending_delivery_without_its_task(
            city, county_key[0], settings, receiver.url
        )
        assert webhooks._claim(delivery, 1)
        delivery.refresh_from_db()
        overdue = delivery.next_attempt_at
        assert delivery.attempts == 1 and overdue is not None
        # when the sweep runs: not before the try is overdue by five minutes; then try 2 is made
        with clock.frozen(overdue + AFTER - dt.timedelta(seconds=1)):
            assert webhooks.webhooks_sweep(after=AFTER, within=WITHIN)["webhooks"] == 0
        with clock.frozen(overdue + AFTER + dt.timedelta(seconds=1)):
            assert webhooks.webhooks_sweep(after=AFTER, within=WITHIN)["webhooks"] == 1
        assert len(receiver.received) == 1
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 2)
        assert list(WebhookAttempt.objects.filter(delivery=delivery).values_list("number", flat=True)) == [2]

        # a delivery whose last try was lost this way is given up by the sweep, not tried past the limit
        WebhookDelivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.PENDING, attempts=2)
        assert webhooks._claim(delivery, 3)
        with clock.frozen(overdue + AFTER + dt.timedelta(minutes=10)):
            assert webhooks.webhooks_sweep(after=AFTER, within=WITHIN) == {
                "webhooks": 0,
                "webhooks_given_up": 1,
            }
        assert WebhookDelivery.objects.get(pk=delivery.pk).state == DeliveryState.GIVEN_UP
    assert len(receiver.received) == 1


def test_the_sweep_leaves_a_disabled_subscriptions_deliveries_waiting(
    city, county_key, settings, django_capture_on_commit_callbacks
):
    with Receiver([204]) as receiver:
        delivery, subscription = _pending_delivery_without_its_task(
            city, county_key[0], settings, receiver.url
        )
        webhook_set_active(actor=None, subscription=subscription, active=False, reason="维护")
        with clock.frozen(delivery.created_at + AFTER + dt.timedelta(seconds=1)):
            assert webhooks.webhooks_sweep(after=AFTER, within=WITHIN)["webhooks"] == 0
        assert receiver.received == []
        with django_capture_on_commit_callbacks(execute=True):
            webhook_set_active(actor=None, subscription=subscription, active=True)  # what waited goes out now
    assert len(receiver.received) == 1
