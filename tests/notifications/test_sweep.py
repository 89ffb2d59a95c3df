"""What a lost task was to send is sent by the sweep (manage.py outbox_sweep), and never twice: a notification
whose delivery task was lost between its commit and the enqueue (a process killed, a queue emptied), a retry
whose task was lost, and two tasks for one notification — the sweep's beside a slow worker's — at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from grassroots import clock
from grassroots.notifications.delivery import deliver, deliveries_sweep, send_again
from grassroots.notifications.models import AttemptStatus, DeliveryAttempt, Notification
from grassroots.notifications.services import notify

from .conftest import attempts_of
from .fake_gateway import ALIYUN_OK

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
AFTER, WITHIN = dt.timedelta(minutes=5), dt.timedelta(hours=24)


@pytest.fixture(autouse=True)
def _configured(sms_configured):
    sms_configured.OUTBOX_SWEEP_AFTER_SECONDS = 300
    sms_configured.OUTBOX_SWEEP_WITHIN_HOURS = 24


def _sweep() -> str:
    from io import StringIO

    out = StringIO()
    call_command("outbox_sweep", stdout=out)
    return out.getvalue()


def test_a_notification_whose_task_was_lost_is_sent_by_the_sweep_once(aliyun, resident):
    # given a notification committed with its delivery for the commit, and the process gone before the
    # enqueue (the test's transaction never commits: the on-commit hook never runs)
    [row] = notify(recipients=[resident], title="报告已受理", body="网格员将尽快处理。", channels=["sms"])
    assert aliyun.requests == []
    # when the sweep runs before the row is five minutes old, nothing is counted lost
    with clock.frozen(row.created_at + AFTER - dt.timedelta(seconds=1)):
        assert "0 notification(s)" in _sweep()
    assert aliyun.requests == []
    # then past five minutes it is enqueued again and sent
    with clock.frozen(row.created_at + AFTER + dt.timedelta(seconds=1)):
        assert "1 notification(s)" in _sweep()
        assert len(aliyun.sent_to("/")) == 1
        # and once only: delivered now, the next sweep finds nothing
        assert "0 notification(s)" in _sweep()
    assert attempts_of(row) == [(1, AttemptStatus.SENT)]
    row.refresh_from_db()
    assert row.delivered_at is not None and row.delivery_log == [
        {"channel": "sms", "ok": True, "detail": "OK"}
    ]


def test_the_sweep_takes_only_the_never_attempted_within_its_window_in_batches(settings, resident):
    # given, with the database queue, notifications of every kind whose tasks the queue lost
    settings.TASKS = DATABASE
    now = clock.now()

    def made(minutes_ago: float, channels=("sms",), **fields) -> int:
        row = Notification.objects.create(recipient=resident, title="t", channels=list(channels), **fields)
        Notification.objects.filter(pk=row.pk).update(created_at=now - dt.timedelta(minutes=minutes_ago))
        return row.pk

    lost = [made(6), made(30), made(60 * 23), made(10, channels=("email",)), made(7, channels=("wechat",))]
    made(4)  # too young: its task may still come
    made(60 * 25)  # too old: news a day late is not sent any more
    made(30, channels=())  # the inbox only
    made(30, delivered_at=now - dt.timedelta(minutes=29))
    tried = Notification.objects.get(pk=made(30))
    DeliveryAttempt.objects.create(
        notification=tried, recipient=resident, channel="sms", gateway="aliyun", attempt=1,
        status=AttemptStatus.RATE_LIMITED, at=now,
    )  # fmt: skip
    # when
    counts = deliveries_sweep(after=AFTER, within=WITHIN, batch=2)
    # then each lost one is in a deliver task, two to a task, and nothing else is
    assert counts == {"notifications": 5, "retries": 0}
    queued = DBTaskResult.objects.filter(task_path__endswith="delivery.deliver").order_by("enqueued_at", "id")
    batches = [r.args_kwargs["args"][0] for r in queued]
    assert sorted(pk for batch in batches for pk in batch) == sorted(lost)
    assert sorted(len(batch) for batch in batches) == [1, 2, 2]


def test_a_retry_whose_task_was_lost_is_made_by_the_sweep(settings, aliyun, resident):
    # given a first attempt that failed, its retry queued in the database queue with it, and then lost
    settings.TASKS = DATABASE
    settings.NOTIFICATIONS_RETRY_SECONDS = [60]
    aliyun.answer("/", (503, {"Code": "ServiceUnavailable", "Message": "x"}), (200, ALIYUN_OK))
    [row] = notify(recipients=[resident], title="报告已受理", body="x", channels=["sms"])
    assert deliver.call([row.pk]) == 1
    failed = DeliveryAttempt.objects.get(notification=row)
    assert failed.status == AttemptStatus.FAILED and failed.next_at is not None
    assert DBTaskResult.objects.filter(task_path__endswith="send_again").count() == 1
    DBTaskResult.objects.all().delete()  # the queue lost it
    settings.TASKS = IMMEDIATE
    # when the sweep runs before the retry is five minutes late: nothing; after: the retry is made
    with clock.frozen(failed.next_at + AFTER - dt.timedelta(seconds=1)):
        assert "0 retry(ies)" in _sweep()
    with clock.frozen(failed.next_at + AFTER + dt.timedelta(seconds=1)):
        assert "1 retry(ies)" in _sweep()
        assert "0 retry(ies)" in _sweep()
    # then
    assert attempts_of(row) == [(1, AttemptStatus.FAILED), (2, AttemptStatus.SENT)]
    assert len(aliyun.sent_to("/")) == 2


def test_two_tasks_for_one_notification_or_one_retry_send_one_sms(settings, aliyun, resident):
    # given a notification whose task the sweep enqueued again while the first was merely slow
    settings.TASKS = DATABASE
    [row] = notify(recipients=[resident], title="报告已受理", body="x", channels=["sms"])
    # when both run, one after the other
    assert deliver.call([row.pk]) == 1
    assert deliver.call([row.pk]) == 0
    # then one SMS
    assert len(aliyun.sent_to("/")) == 1 and attempts_of(row) == [(1, AttemptStatus.SENT)]

    # and likewise two tasks carrying one retry of a failed attempt
    aliyun.answer("/", (503, {"Code": "ServiceUnavailable", "Message": "x"}))
    [other] = notify(recipients=[resident], title="报告已办结", body="x", channels=["sms"])
    assert deliver.call([other.pk]) == 1
    assert send_again.call(other.pk, "sms", 2) is True
    assert send_again.call(other.pk, "sms", 2) is False
    assert send_again.call(other.pk, "sms", 3) is False  # the channel was sent: no later attempt either
    assert attempts_of(other) == [(1, AttemptStatus.FAILED), (2, AttemptStatus.SENT)]
    assert len(aliyun.sent_to("/")) == 3


@pytest.mark.django_db(transaction=True)
def test_two_deliver_tasks_at_once_send_one_sms(settings, aliyun, resident):
    """Two workers run a deliver task for the same notification at the same moment, on a slow gateway: the
    second waits for the first's row lock (PostgreSQL) or write lock (SQLite in a file), then finds it
    delivered. SQLite's in-memory test database cannot be shared by two connections that wait for each
    other; there the sequential test above shows the check."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs PostgreSQL, or SQLite in a file (SQLITE_TEST_NAME)")
    settings.TASKS = DATABASE
    [row] = notify(recipients=[resident], title="报告已受理", body="x", channels=["sms"])
    aliyun.pause = 1.0  # each answer takes a second: both tasks are in flight together
    barrier = threading.Barrier(2)
    handled: list[object] = []

    def work():
        try:
            barrier.wait(timeout=10)
            handled.append(deliver.call([row.pk]))
        except Exception as exc:  # a refused lock would show up here
            handled.append(repr(exc))
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert sorted(handled, key=str) == [0, 1]
    assert len(aliyun.sent_to("/")) == 1
    assert attempts_of(row) == [(1, AttemptStatus.SENT)]
