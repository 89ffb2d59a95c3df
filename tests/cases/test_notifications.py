"""Notifications: the inbox row, delivery after commit through django-tasks — the same task through the
database backend and through the RQ backend on the local Redis — and the logging SMS backend."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks.base import TaskResultStatus

from grassroots.notifications import selectors
from grassroots.notifications.delivery import deliver
from grassroots.notifications.models import Notification
from grassroots.notifications.services import notification_mark_read, notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(city):
    city.resident.email = "resident@example.org"
    city.resident.phone = "13812345678"
    city.resident.save()
    return city


def test_notify_fills_the_inbox_and_delivers_only_after_commit(
    people, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = notify(
            recipients=[people.resident, people.resident, None], title="标题", body="正文", channels=["email"]
        )
    assert len(rows) == 1 and rows[0].delivered_at is None
    assert selectors.unread_count_for(user=people.resident) == 1
    assert len(callbacks) == 1 and mail.outbox == []
    callbacks[0]()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["resident@example.org"]
    rows[0].refresh_from_db()
    assert rows[0].delivered_at is not None and rows[0].delivery_log[0]["ok"]
    notification_mark_read(actor=people.other_resident, notification=rows[0])
    assert selectors.unread_count_for(user=people.resident) == 1
    notification_mark_read(actor=people.resident, notification=rows[0])
    assert selectors.unread_count_for(user=people.resident) == 0


def test_sms_goes_through_the_logging_backend_with_the_phone_masked(people, caplog):
    row = notify(recipients=[people.resident], title="提醒", body="您的诉求已受理", channels=["sms"])[0]
    with caplog.at_level(logging.INFO, logger="grassroots.notifications"):
        assert deliver.call([row.pk]) == 1
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text
    assert deliver.call([row.pk]) == 0  # delivered once only


def test_the_delivery_task_runs_through_the_database_backend(
    people, django_capture_on_commit_callbacks, monkeypatch
):
    # The worker closes connections that are inside a transaction; the test's own transaction must survive.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        row = notify(recipients=[people.resident], title="db", body="x", channels=["email"])[0]
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("delivery.deliver")
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    row.refresh_from_db()
    assert row.delivered_at is not None and len(mail.outbox) == 1


@pytest.mark.redis
def test_the_same_task_runs_through_the_rq_backend_on_redis(
    people, settings, django_capture_on_commit_callbacks
):
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    try:
        queue = django_rq.get_queue("default", job_class=Job)
        queue.connection.ping()
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"Redis at 127.0.0.1:6379 is not reachable: {exc}")
    with django_capture_on_commit_callbacks(execute=True):
        row = notify(recipients=[people.resident], title="rq", body="x", channels=["email"])[0]
    assert queue.count >= 1
    worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
    worker.work(burst=True)
    row.refresh_from_db()
    assert row.delivered_at is not None
    assert [m.subject for m in mail.outbox] == ["rq"]
    assert Notification.objects.filter(pk=row.pk, delivery_log__0__ok=True).exists()
