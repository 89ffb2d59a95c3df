"""The inbox through the JSON API: a person's own notifications, newest first, marking them read; nobody
reaches anyone else's (404) and nothing of theirs changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from grassroots import clock
from grassroots.notifications.models import Notification
from grassroots.notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    me, other = UserFactory(), UserFactory()
    with clock.frozen(clock.now() - dt.timedelta(hours=1)):
        notify(recipients=[me], title="第一条", body="先到")
    notify(recipients=[me, other], title="第二条", body="后到")
    return me, other


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_inbox_lists_the_callers_own_newest_first_with_unread_and_paging(people):
    me, _other = people
    client = _client(me)
    body = client.get("/api/v1/notifications/").json()
    assert (body["count"], body["unread"]) == (2, 2)
    assert [n["title"] for n in body["items"]] == ["第二条", "第一条"]
    assert all(n["read_at"] is None for n in body["items"])
    page = client.get("/api/v1/notifications/?limit=1&offset=1").json()
    assert [n["title"] for n in page["items"]] == ["第一条"] and page["count"] == 2
    assert client.get("/api/v1/notifications/?limit=0").status_code == 422


def test_marking_one_read_and_the_unread_filter(people):
    me, _other = people
    client = _client(me)
    first = Notification.objects.get(recipient=me, title="第一条")
    response = client.post(f"/api/v1/notifications/{first.pk}/read")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    body = client.get("/api/v1/notifications/?unread=true").json()
    assert [n["title"] for n in body["items"]] == ["第二条"] and (body["count"], body["unread"]) == (1, 1)


def test_someone_elses_notification_is_not_found_and_stays_unread(people):
    me, other = people
    theirs = Notification.objects.get(recipient=other)
    response = _client(me).post(f"/api/v1/notifications/{theirs.pk}/read")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert [n["title"] for n in _client(me).get("/api/v1/notifications/").json()["items"]] == [
        "第二条",
        "第一条",
    ]


def test_read_all_marks_only_the_callers_own(people):
    me, other = people
    response = _client(me).post("/api/v1/notifications/read-all")
    assert response.status_code == 200 and response.json() == {"marked": 2}
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1


def test_a_notification_about_a_case_or_a_notice_carries_its_page():
    from grassroots.notifications.links import target_url

    assert target_url(Notification(target_type="cases.case", target_id="7")) == "/cases/7/"
    assert (
        target_url(Notification(target_type="disclosure.notice", target_id="3")) == "/disclosure/notices/3/"
    )
    assert target_url(Notification(target_type="people.resident", target_id="3")) == ""


def test_visitors_get_401_and_the_endpoints_are_in_the_schema(people):
    client = Client()
    assert client.get("/api/v1/notifications/").status_code == 401
    assert client.post("/api/v1/notifications/read-all").status_code == 401
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/notifications/",
        "/api/v1/notifications/{notification_id}/read",
        "/api/v1/notifications/read-all",
    } <= set(paths)
