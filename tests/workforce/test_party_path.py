"""A party member's path on the phone (issue 14, item 4): the header leads every member with a login to
their check-in; the form reflects this year's state (no form once the check-in waits or is confirmed, and
the page says which); the branch confirms from its list (or its roll); the member sees the pledge and the
hours served. For every kind of member."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.workforce.models import CheckIn, CheckInStatus
from grassroots.workforce.navigation import SESSION_KEY
from grassroots.workforce.services import party
from tests.factories import UserFactory

from .conftest import G1
from .test_member_kinds import town  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)
KINDS = ["member", "retired", "power_member", "local_elsewhere"]  # in service, retired, unit, local


@pytest.fixture(autouse=True)
def _frozen():
    with clock.frozen(NOW):
        yield


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", KINDS)
def test_each_kind_of_member_asks_waits_is_confirmed_from_the_list_and_sees_pledge_and_hours(town, who):  # noqa: F811
    member = getattr(town, who)
    me = _client(member.user)
    mine = reverse("workforce:check_in_mine")
    # given: the header leads there and the form is offered
    html = me.get(mine).content.decode()
    assert 'data-nav="check-in"' in html and 'id="check-in-form"' in html
    # when: the member asks
    assert me.post(mine, {"pledge": "周末巡逻"}).status_code == 302
    check_in = CheckIn.objects.get(member=member)
    # then: the page states that it waits, and offers no second form
    html = me.get(mine).content.decode()
    assert 'id="check-in-form"' not in html
    assert 'data-state="requested"' in html and "has not confirmed it yet" in html
    assert "周末巡逻" in html
    # the branch's staff find it first in their list, with the button, and confirm it there
    staff = _client(town.village_staff)
    listing = staff.get(reverse("workforce:check_in_list")).content.decode()
    assert "1 check-in waits for your confirmation." in listing
    first_row = listing.index("<tbody>")
    assert listing.index(f'data-check-in="{check_in.pk}"', first_row) < listing.index("</tr>", first_row)
    assert reverse("workforce:check_in_confirm", args=[check_in.pk]) in listing
    response = staff.post(reverse("workforce:check_in_confirm", args=[check_in.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("workforce:check_in_list")
    check_in.refresh_from_db()
    assert check_in.status == CheckInStatus.CONFIRMED
    # the member sees it confirmed, still no form, logs hours and sees pledge, hours and the record
    html = me.get(mine).content.decode()
    assert 'id="check-in-form"' not in html and 'data-state="confirmed"' in html
    me.post(
        reverse("workforce:service_log", args=[check_in.pk]),
        {"hours": "2.5", "description": "探望独居老人", "served_on": "2026-05-03"},
    )
    html = me.get(mine).content.decode()
    assert '<strong class="total-hours">2.5</strong>' in html
    assert "周末巡逻" in html and "探望独居老人" in html and "2026-05-03" in html


def test_a_declined_check_in_says_so_and_offers_the_form_again(town):  # noqa: F811
    check_in = party.check_in_request(actor=None, member=town.retired, pledge="调解")
    party.check_in_decline(actor=town.village_staff, check_in=check_in, reason="请改报居住地")
    html = _client(town.retired.user).get(reverse("workforce:check_in_mine")).content.decode()
    assert 'data-state="declined"' in html and "请改报居住地" in html
    assert 'id="check-in-form"' in html


def test_the_branch_confirms_from_its_roll_and_returns_there(town):  # noqa: F811
    check_in = party.check_in_request(actor=None, member=town.retired, pledge="调解")
    staff = _client(town.village_staff)
    roll = staff.get(reverse("workforce:branch_roll", args=[G1])).content.decode()
    assert reverse("workforce:check_in_confirm", args=[check_in.pk]) in roll
    response = staff.post(reverse("workforce:check_in_confirm", args=[check_in.pk]), {"back": "roll"})
    assert response["Location"] == reverse("workforce:branch_roll", args=[G1])
    check_in.refresh_from_db()
    assert check_in.status == CheckInStatus.CONFIRMED
    # who may only look (a supervisor) sees no button
    roll = _client(town.supervisor).get(reverse("workforce:branch_roll", args=[G1])).content.decode()
    assert "check_in_confirm" not in roll and "/confirm/" not in roll


def test_every_member_with_a_login_finds_the_link_even_in_a_session_that_never_said(town):  # noqa: F811
    client = _client(town.retired.user)
    session = client.session
    del session[SESSION_KEY]  # a session begun before membership was kept in it
    session.save()
    assert 'data-nav="check-in"' in client.get(reverse("cases:mine")).content.decode()
    assert client.session[SESSION_KEY] is True
    assert 'data-nav="check-in"' not in _client(UserFactory()).get(reverse("cases:mine")).content.decode()


def test_the_hours_of_a_member_add_up_on_their_page(town):  # noqa: F811
    check_in = party.check_in_request(actor=None, member=town.member, pledge="辅导功课")
    party.check_in_confirm(actor=town.village_staff, check_in=check_in)
    check_in.refresh_from_db()
    for hours in ("1", "1.5"):
        party.service_log(
            actor=town.member.user,
            check_in=check_in,
            hours=Decimal(hours),
            description="辅导",
            served_on=None,
        )
    html = _client(town.member.user).get(reverse("workforce:check_in_mine")).content.decode()
    assert '<strong class="total-hours">2.5</strong>' in html
