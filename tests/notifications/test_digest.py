"""The daily digest: one email per person with their unread, otherwise undelivered notifications, never twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from grassroots import clock
from grassroots.notifications.models import Notification
from grassroots.notifications.services import notify
from tests.factories import UserFactory


@pytest.fixture
def people(db):
    return UserFactory(email="a@example.org"), UserFactory(email="b@example.org"), UserFactory(email="")


def test_digest_sends_one_email_per_person_and_never_twice(people):
    a, b, no_email = people
    notify(recipients=[a, b, no_email], title="报告 1：已受理", body="您的报告已受理。")
    notify(recipients=[a], title="报告 2：已派遣", body="已交网格员处理。")
    # read, or already sent by email at once: not in the digest
    [read] = notify(recipients=[a], title="已读的")
    Notification.objects.filter(pk=read.pk).update(read_at=clock.now())
    notify(recipients=[a], title="立即发送的", channels=["email"])
    call_command("notifications_send_digest", "--inbox-url", "https://example.org/inbox/")
    # (the immediate email is the delivery task's business, after commit: not sent by the digest)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    digest_a = next(m for m in mail.outbox if m.to == ["a@example.org"] and "报告 2" in m.body)
    assert "报告 1" in digest_a.body and "已读的" not in digest_a.body and "立即发送的" not in digest_a.body
    assert "https://example.org/inbox/" in digest_a.body
    assert (
        Notification.objects.filter(recipient=a, title__startswith="报告", delivered_at__isnull=False).count()
        == 2
    )
    # nobody without an address gets anything, and their notification stays pending in the inbox
    assert Notification.objects.get(recipient=no_email).delivered_at is None
    # a second run sends nothing
    before = len(mail.outbox)
    call_command("notifications_send_digest")
    assert len(mail.outbox) == before


def test_digest_leaves_older_notifications_out(people):
    a, _b, _c = people
    moment = clock.now() - dt.timedelta(hours=30)
    [old] = notify(recipients=[a], title="旧的")
    Notification.objects.filter(pk=old.pk).update(created_at=moment)
    call_command("notifications_send_digest", "--hours", "24")
    assert mail.outbox == []


def test_a_failing_mail_server_keeps_notifications_pending(people, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_digest.BrokenBackend"
    a, _b, _c = people
    notify(recipients=[a], title="x")
    call_command("notifications_send_digest")
    assert Notification.objects.get(recipient=a).delivered_at is None


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("mail server down")
