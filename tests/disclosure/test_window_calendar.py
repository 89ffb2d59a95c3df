"""A publication window counted across a year whose holidays have not been entered says so, on publishing
and on the board's page, until the notice leaves its window (issue 20, item 7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from grassroots import clock
from grassroots.disclosure import services
from grassroots.disclosure.models import Notice, NoticeKind
from grassroots.worktime import calendar
from grassroots.worktime.calendar import HolidayLine

from .conftest import ALLOWANCE_ROWS, at

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_a_window_reaching_into_a_year_not_entered_says_so_until_it_is_entered(town):
    notice = services.notice_create(
        actor=town.staff,
        board=town.board,
        kind=NoticeKind.ALLOWANCE,
        title="年底低保调整",
        rows=ALLOWANCE_ROWS,
    )
    client = _client(town.staff)
    with clock.frozen(at("2026-12-28")):
        response = client.post(f"/disclosure/notices/{notice.pk}/publish/", {"window_days": "7"}, follow=True)
        html = response.content.decode()
        assert "The window counts weekends only in 2027" in html  # the message and the row
        assert html.count("calendar-unentered") == 1
    notice = Notice.objects.get(pk=notice.pk)
    assert notice.window_ends_on.year == 2027

    calendar.enter_notice(year=2027, lines=[HolidayLine("元旦", dt.date(2027, 1, 1), dt.date(2027, 1, 3))])
    with clock.frozen(at("2026-12-29")):
        html = client.get(f"/disclosure/boards/{town.board.pk}/manage/").content.decode()
    assert "calendar-unentered" not in html


def test_a_window_inside_entered_years_says_nothing(town):
    notice = services.notice_create(
        actor=town.staff,
        board=town.board,
        kind=NoticeKind.ALLOWANCE,
        title="3月低保调整",
        rows=ALLOWANCE_ROWS,
    )
    with clock.frozen(at("2026-03-02")):
        html = (
            _client(town.staff)
            .post(f"/disclosure/notices/{notice.pk}/publish/", {"window_days": "7"}, follow=True)
            .content.decode()
        )
    assert "Objections may be raised" in html and "counts weekends only" not in html
