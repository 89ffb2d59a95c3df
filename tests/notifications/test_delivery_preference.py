"""A person's own choice between immediate notifications and the daily digest: stored, honoured by delivery,
set on a page and through the API, by nobody but themselves."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

from grassroots.errors import NotPermitted
from grassroots.notifications import selectors, services
from grassroots.notifications.models import Delivery, DeliveryPreference, Notification
from grassroots.notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def staff(db):
    return UserFactory(email="quick@example.org"), UserFactory(email="daily@example.org")


def test_without_a_choice_a_person_gets_the_daily_digest(staff):
    _quick, daily = staff
    assert selectors.delivery_for(user=daily) == Delivery.DIGEST
    assert DeliveryPreference.objects.count() == 0


def test_the_choice_decides_between_an_email_at_once_and_the_digest(
    staff, django_capture_on_commit_callbacks
):
    quick, daily = staff
    services.delivery_preference_set(actor=quick, user=quick, delivery="immediate")
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(recipients=[quick, daily], title="报告 A1：已受理", body="您的报告已受理。")
    by_user = {n.recipient_id: n for n in Notification.objects.filter(pk__in=[r.pk for r in rows])}
    # immediate: sent by email at once, through the delivery task
    assert by_user[quick.pk].channels == ["email"] and by_user[quick.pk].delivered_at is not None
    assert [(m.to, m.subject) for m in mail.outbox] == [(["quick@example.org"], "报告 A1：已受理")]
    # digest: waits in the inbox until the daily command, which sends it once and leaves the other alone
    assert by_user[daily.pk].channels == [] and by_user[daily.pk].delivered_at is None
    call_command("notifications_send_digest")
    assert [m.to for m in mail.outbox[1:]] == [["daily@example.org"]]
    assert "报告 A1" in mail.outbox[1].body
    call_command("notifications_send_digest")
    assert len(mail.outbox) == 2


def test_switching_back_to_the_digest_stops_immediate_emails(staff, django_capture_on_commit_callbacks):
    quick, _daily = staff
    services.delivery_preference_set(actor=quick, user=quick, delivery="immediate")
    services.delivery_preference_set(actor=quick, user=quick, delivery="digest")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[quick], title="x")
    assert mail.outbox == []
    assert DeliveryPreference.objects.get(user=quick).delivery == Delivery.DIGEST


def test_channels_asked_for_by_the_caller_are_kept_besides_the_email(
    staff, django_capture_on_commit_callbacks
):
    quick, _daily = staff
    services.delivery_preference_set(actor=quick, user=quick, delivery="immediate")
    with django_capture_on_commit_callbacks(execute=True):
        [row] = notify(recipients=[quick], title="y", channels=["sms", "email"])
    row.refresh_from_db()
    assert row.channels == ["sms", "email"] and len(mail.outbox) == 1


def test_a_rolled_back_change_sends_nothing_even_to_immediate_people(
    staff, django_capture_on_commit_callbacks
):
    quick, _daily = staff
    services.delivery_preference_set(actor=quick, user=quick, delivery="immediate")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[quick], title="z")
    assert len(callbacks) == 1 and mail.outbox == []


def test_nobody_chooses_for_someone_else(staff):
    quick, daily = staff
    with pytest.raises(NotPermitted):
        services.delivery_preference_set(actor=quick, user=daily, delivery="immediate")
    assert not DeliveryPreference.objects.filter(user=daily).exists()


def test_a_wrong_value_is_refused_with_the_choices_named_in_chinese(staff):
    quick, _daily = staff
    with pytest.raises(services.NotificationError) as caught:
        services.delivery_preference_set(actor=quick, user=quick, delivery="weekly")
    assert caught.value.code == "invalid_delivery" and caught.value.status == 422
    assert "每日汇总" in str(caught.value.message)
    assert not DeliveryPreference.objects.exists()


# --- the API ---------------------------------------------------------------------------------------------


def test_api_reads_and_sets_only_the_callers_own_choice(client, staff):
    quick, daily = staff
    client.force_login(quick)
    assert client.get("/api/v1/notifications/delivery").json()["delivery"] == "digest"
    response = client.put(
        "/api/v1/notifications/delivery", {"delivery": "immediate"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["delivery"] == "immediate"
    assert selectors.delivery_for(user=quick) == Delivery.IMMEDIATE
    # the other person's choice is untouched, and there is no way to name them
    assert selectors.delivery_for(user=daily) == Delivery.DIGEST
    client.force_login(daily)
    assert client.get("/api/v1/notifications/delivery").json()["delivery"] == "digest"


def test_api_refuses_a_wrong_value_with_a_clear_message(client, staff):
    quick, _daily = staff
    client.force_login(quick)
    response = client.put(
        "/api/v1/notifications/delivery",
        {"delivery": "hourly"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 422
    body = response.json()
    assert (
        body["code"] == "invalid_delivery"
        and "immediate" in body["message"]
        and "每日汇总" in body["message"]
    )
    assert not DeliveryPreference.objects.exists()


def test_api_needs_a_login(client):
    assert client.get("/api/v1/notifications/delivery").status_code == 401
    response = client.put(
        "/api/v1/notifications/delivery", {"delivery": "immediate"}, content_type="application/json"
    )
    assert response.status_code == 401 and not DeliveryPreference.objects.exists()


# --- the page --------------------------------------------------------------------------------------------


def test_the_page_sets_the_choice_and_is_linked_from_the_inbox_and_the_header(client, staff):
    quick, _daily = staff
    client.force_login(quick)
    inbox = client.get("/inbox/").content.decode()
    assert inbox.count('href="/inbox/settings/"') == 2  # the inbox's own link and the user name in the header
    page = client.get("/inbox/settings/")
    assert page.status_code == 200 and 'value="digest" checked' in page.content.decode()
    response = client.post("/inbox/settings/", {"delivery": "immediate"}, follow=True)
    assert response.redirect_chain[-1][0] == "/inbox/settings/"
    assert 'value="immediate" checked' in response.content.decode()
    assert selectors.delivery_for(user=quick) == Delivery.IMMEDIATE


def test_the_page_shows_a_wrong_value_and_keeps_the_choice(client, staff):
    quick, _daily = staff
    client.force_login(quick)
    response = client.post("/inbox/settings/", {"delivery": "weekly"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 422 and "每日汇总" in response.content.decode()
    assert not DeliveryPreference.objects.exists()


def test_the_page_needs_a_login(client):
    response = client.post("/inbox/settings/", {"delivery": "immediate"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not DeliveryPreference.objects.exists()
