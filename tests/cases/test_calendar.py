"""The working calendar and deadlines: 2026 holidays from the seeded table, the 2027 weekend fallback with
its warning, working-hour arithmetic (hypothesis), limits per category × urgency, and the deadline scan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from grassroots import clock
from grassroots.cases import deadlines, services
from grassroots.cases.models import CalendarYear, Case, CategoryLimit, WorkingDay
from grassroots.notifications.models import Notification
from grassroots.worktime import calendar

from .conftest import INSIDE_G1, ensure_seed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seeded(db):
    ensure_seed()


def at(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def test_2026_national_day_is_rest_and_its_make_up_day_is_work():
    assert not calendar.is_working_day(dt.date(2026, 10, 1))  # Thursday, National Day
    assert not calendar.is_working_day(dt.date(2026, 10, 7))
    assert not calendar.is_working_day(dt.date(2026, 2, 17))  # Spring Festival
    make_up = list(WorkingDay.objects.filter(date__year=2026, is_working=True).values_list("date", flat=True))
    assert make_up and all(d.weekday() >= 5 for d in make_up)
    assert all(calendar.is_working_day(d) for d in make_up)
    assert calendar.is_working_day(dt.date(2026, 9, 30))


def test_2027_falls_back_to_weekends_with_a_warning_and_never_crashes():
    assert calendar.official_schedule(2027) is None
    assert calendar.seed_year(2027) is False
    assert calendar.years_without_schedule([2026, 2027]) == [2027]
    assert calendar.is_working_day(dt.date(2027, 1, 1))  # a Friday: no official schedule yet
    assert not calendar.is_working_day(dt.date(2027, 1, 2))
    due = calendar.add_working_days(at(2026, 12, 31, 10, 0), 3)
    assert due == at(2027, 1, 5, 17, 30)


def test_local_override_wins_and_survives_reseeding():
    WorkingDay.objects.update_or_create(
        date=dt.date(2026, 3, 4), defaults={"is_working": False, "is_local": True}
    )
    assert not calendar.is_working_day(dt.date(2026, 3, 4))
    assert calendar.seed_year(2026)
    assert not calendar.is_working_day(dt.date(2026, 3, 4))
    assert CalendarYear.objects.filter(year=2026).exists()


def test_working_hours_skip_lunch_nights_weekends_and_holidays():
    # Friday 16:30 + 2 working hours → Monday 10:00
    assert calendar.add_working_seconds(at(2026, 3, 6, 16, 30), 2 * 3600) == at(2026, 3, 9, 10, 0)
    # 11:30 + 1 hour → 14:00 (lunch 12:00–13:30)
    assert calendar.add_working_seconds(at(2026, 3, 2, 11, 30), 3600) == at(2026, 3, 2, 14, 0)
    # Wednesday 30 September + 1 working day → Thursday 8 October (holiday 1–7 October)
    assert calendar.add_working_days(at(2026, 9, 30, 10, 0), 1) == at(2026, 10, 8, 17, 30)
    assert calendar.working_seconds_between(at(2026, 3, 6, 17, 0), at(2026, 3, 9, 9, 30)) == 3600


def test_a_calendar_with_no_working_day_never_crashes(settings):
    settings.CASES_WORKING_HOURS = []
    start = at(2026, 3, 2, 9, 0)
    assert calendar.add_working_seconds(start, 3600) == start + dt.timedelta(hours=1)


@hyp_settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(min_value=dt.datetime(2025, 12, 1), max_value=dt.datetime(2027, 2, 1)),
    seconds=st.integers(min_value=1, max_value=40 * 7 * 3600),
)
def test_adding_working_time_then_measuring_it_gives_it_back(start, seconds):
    begin = timezone.make_aware(start)
    end = calendar.add_working_seconds(begin, seconds)
    assert end > begin
    assert calendar.working_seconds_between(begin, end) == pytest.approx(seconds, abs=1e-3)
    # the deadline always lies inside a working period
    local = timezone.localtime(end)
    assert calendar.is_working_day(local.date())
    assert any(a < local.time() <= b for a, b in calendar.working_periods())


def test_traffic_light_thresholds():
    start, due = at(2026, 3, 2, 9, 0), at(2026, 3, 2, 19, 0)  # 7 working hours, 12:00–13:30 excluded
    assert calendar.traffic_light(start, due, at(2026, 3, 2, 10, 0))[0] == "green"
    assert calendar.traffic_light(start, due, at(2026, 3, 2, 16, 30))[0] == "yellow"  # 6 of 7 hours
    assert calendar.traffic_light(start, due, at(2026, 3, 2, 19, 30))[0] == "red"


def test_limits_come_from_the_category_then_its_parent_then_defaults(city):
    child = city.litter  # 0101 has no limits of its own; 01 says normal: respond in 1 day, handle in 2
    limits = deadlines.limits_for(child, "normal")
    assert (limits.response_amount, limits.response_unit, limits.handling_amount) == (1, "days", 2)
    CategoryLimit.objects.create(
        category=child, urgency="normal", response_amount=2, response_unit="hours", handling_amount=5,
        handling_unit="hours",
    )  # fmt: skip
    assert deadlines.limits_for(child, "normal").handling_amount == 5
    CategoryLimit.objects.all().delete()
    assert deadlines.limits_for(child, "urgent") == deadlines.DEFAULT_LIMITS["urgent"]


def test_the_scan_marks_overdue_tells_worker_and_supervisor_once(city):
    with clock.frozen(at(2026, 3, 2, 9, 0)):
        case = services.case_report(
            actor=city.resident, category="0101", description="垃圾", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
        )
    assert case.response_due_at == at(2026, 3, 3, 17, 30)
    with clock.frozen(at(2026, 3, 4, 9, 0)), translation.override("en"):  # the test reads the English wording
        first = services.deadlines_scan()
        second = services.deadlines_scan()
    assert first.response_overdue == 1 and second.response_overdue == 0
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.response_overdue_at == at(2026, 3, 4, 9, 0)
    assert fresh.events.filter(action="response_overdue").count() == 1
    with translation.override("en"):  # as they read it in English
        for user in (city.supervisor, city.grid_worker):
            titles = [n.shown_title for n in Notification.objects.filter(recipient=user)]
            assert len([t for t in titles if "overdue" in t]) == 1


def test_the_scan_warns_near_the_handling_deadline_then_marks_it_overdue(city):
    with clock.frozen(at(2026, 3, 2, 9, 0)):
        case = services.case_report(
            actor=city.resident, category="0101", description="垃圾", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
        )
        case = services.case_accept(actor=city.grid_worker, case=case, expected_version=1)
        case = services.case_dispatch(
            actor=city.village, case=case, expected_version=2,
            target=services.dispatch_target_for_worker(city.worker_record),
        )  # fmt: skip
    assert case.handling_due_at == at(2026, 3, 4, 17, 30)  # 2 working days
    with clock.frozen(at(2026, 3, 4, 15, 0)):
        call_command("cases_scan_deadlines")
    assert Case.objects.get(pk=case.pk).handling_warned_at is not None
    with clock.frozen(at(2026, 3, 5, 9, 0)):
        call_command("cases_scan_deadlines")
        call_command("cases_scan_deadlines")
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.handling_overdue_at == at(2026, 3, 5, 9, 0)
    assert list(fresh.events.filter(version=0).values_list("action", flat=True)) == [
        "handling_warning",
        "handling_overdue",
    ]
    assert deadlines.case_lights(fresh, at(2026, 3, 5, 9, 0))[0].colour == "red"


def test_admin_calendar_page_warns_about_years_without_an_official_schedule(admin_client):
    with clock.frozen(at(2026, 6, 1, 9, 0)):
        page = admin_client.get(
            "/admin/worktime/workingday/", HTTP_ACCEPT_LANGUAGE="en"
        )  # the test reads the English wording
    assert page.status_code == 200
    text = page.content.decode()
    assert "2027" in text and "weekends" in text
    with clock.frozen(at(2025, 6, 1, 9, 0)):
        quiet = admin_client.get("/admin/worktime/workingday/").content.decode()
    assert "weekends only" not in quiet
