"""Every objection event that puts work on someone tells exactly them (disclosure/alerts.py::ALERTS): a matrix
of (event × role), each cell driven through the services as the people would, the notifications read back."""

from __future__ import annotations

import pytest
from django.utils import translation

from grassroots import clock
from grassroots.accounts.models import Role
from grassroots.disclosure import alerts, services
from grassroots.disclosure.models import NoticeKind
from grassroots.notifications.links import target_url
from grassroots.notifications.models import Notification
from tests.factories import user_with

from .conftest import ALLOWANCE_ROWS, VILLAGE, at

ROLES = ("staff", "other_staff", "township", "county", "administrator", "resident")


@pytest.fixture
def people(town):
    town.county = user_with(Role.COUNTY_STAFF, VILLAGE[:6], username="county")
    town.administrator = user_with(Role.ADMINISTRATOR, VILLAGE[:4], username="admin")
    return town


def _raised(town):
    with clock.frozen(at("2026-03-02")):
        notice = services.notice_create(
            actor=town.staff,
            board=town.board,
            kind=NoticeKind.ALLOWANCE,
            title="3月低保调整",
            rows=ALLOWANCE_ROWS,
        )
        notice = services.notice_publish(actor=town.staff, notice=notice)
    with clock.frozen(at("2026-03-05")):
        return services.objection_raise(actor=town.resident, notice=notice, text="王大锤家有车，不符合条件")


def _answered(town):
    objection = _raised(town)
    with clock.frozen(at("2026-03-06")):
        return services.objection_answer(actor=town.staff, objection=objection, answer="经核查符合条件。")


# event → (how to get there from a fresh town; who must be told)
STEPS = {alerts.RAISED: (_raised, {"staff"}), alerts.ANSWERED: (_answered, {"resident"})}


def test_every_objection_event_is_in_the_matrix():
    assert set(alerts.ALERTS) == set(STEPS)


def _told(town, event) -> set[str]:
    with translation.override("en"):
        prefix = str(alerts.ALERTS[event].title).split("%")[0]
        return {
            role
            for role in ROLES
            if any(
                n.shown_title.startswith(prefix)
                for n in Notification.objects.filter(recipient=getattr(town, role))
            )
        }


@pytest.mark.django_db
@pytest.mark.parametrize("event", list(STEPS), ids=str)
def test_who_is_told_of_each_objection_event(people, event):
    drive, expected = STEPS[event]
    drive(people)
    assert _told(people, event) == expected


@pytest.mark.django_db
def test_the_clerk_reads_the_objection_in_their_language_and_is_led_to_its_answer_form(people, client):
    objection = _raised(people)
    told = Notification.objects.get(recipient=people.staff, target_type="disclosure.objection")
    with translation.override("en"):
        assert told.shown_title == "Objection to answer: 3月低保调整, 民主村村务公开栏"
    assert told.body == "王大锤家有车，不符合条件"
    client.force_login(people.staff)
    page = client.get(target_url(told), follow=True)
    assert (
        page.redirect_chain[-1][0] == f"/disclosure/boards/{people.board.pk}/manage/#objection-{objection.pk}"
    )
    assert f'id="objection-{objection.pk}"' in page.content.decode()
    assert f'action="/disclosure/objections/{objection.pk}/answer/"' in page.content.decode()


@pytest.mark.django_db
def test_the_township_hears_of_an_objection_only_when_the_village_has_nobody(people):
    # given a board whose village has no active staff left (the township published the notice)
    people.staff.is_active = False
    people.staff.save(update_fields=["is_active"])
    with clock.frozen(at("2026-03-02")):
        notice = services.notice_create(
            actor=people.township,
            board=people.board,
            kind=NoticeKind.ALLOWANCE,
            title="3月低保调整",
            rows=ALLOWANCE_ROWS,
        )
        notice = services.notice_publish(actor=people.township, notice=notice)
    # when a resident objects, the township's staff are told: the nearest level that has anyone
    with clock.frozen(at("2026-03-05")):
        services.objection_raise(actor=people.resident, notice=notice, text="路线不对")
    assert _told(people, alerts.RAISED) == {"township"}
