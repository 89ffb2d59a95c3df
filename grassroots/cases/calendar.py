"""The working calendar and working-time arithmetic (DESIGN.md section 3, "Deadlines").

A day is a working day when the override table (:class:`~grassroots.cases.models.WorkingDay`) says so,
else when it is Monday to Friday. The table is seeded from the chinese-calendar package for the years it
knows (:func:`seed_year`); a year whose official schedule has not been entered falls back to weekends and is
listed by :func:`years_without_schedule` so that the admin can warn. Working hours are the periods of
``settings.CASES_WORKING_HOURS`` (default 09:00–12:00 and 13:30–17:30).

Nothing here raises on an odd calendar: if no working time can be found within ten years (every day marked
as rest), arithmetic falls back to clock time, because a deadline must never crash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import reference
from .models import CalendarYear, LimitUnit, WorkingDay

DEFAULT_WORKING_HOURS = (("09:00", "12:00"), ("13:30", "17:30"))
_MAX_DAYS = 3660
ONE_DAY = dt.timedelta(days=1)


def _parse(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def working_periods() -> list[tuple[dt.time, dt.time]]:
    """The configured working periods of a day, in order, each (start, end)."""
    raw = getattr(settings, "CASES_WORKING_HOURS", DEFAULT_WORKING_HOURS)
    periods = sorted((_parse(a), _parse(b)) for a, b in raw)
    return [(a, b) for a, b in periods if a < b]


def seconds_per_working_day() -> int:
    return sum(
        (dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)).seconds
        for a, b in working_periods()
    )


class Calendar:
    """Working-day lookups that load the override table one year at a time, from the process's copy
    (``reference.working_days``: a query per year touched only after a change)."""

    def __init__(self):
        self._years: dict[int, dict[dt.date, bool]] = {}

    def _year(self, year: int) -> dict[dt.date, bool]:
        if year not in self._years:
            self._years[year] = reference.working_days(year)
        return self._years[year]

    def is_working_day(self, day: dt.date) -> bool:
        override = self._year(day.year).get(day)
        if override is not None:
            return override
        return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    return Calendar().is_working_day(day)


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def add_working_seconds(
    start: dt.datetime, seconds: float, *, calendar: Calendar | None = None
) -> dt.datetime:
    """The moment ``seconds`` of working time after ``start`` (start itself when seconds <= 0)."""
    if seconds <= 0:
        return start
    cal = calendar or Calendar()
    periods = working_periods()
    pointer = _local(start)
    day = pointer.date()
    remaining = float(seconds)
    for _ in range(_MAX_DAYS):
        if cal.is_working_day(day):
            for begin, end in periods:
                lo, hi = max(_at(day, begin), pointer), _at(day, end)
                if lo >= hi:
                    continue
                span = (hi - lo).total_seconds()
                if remaining <= span:
                    return lo + dt.timedelta(seconds=remaining)
                remaining -= span
        day += ONE_DAY
    return start + dt.timedelta(seconds=seconds)


def add_working_days(start: dt.datetime, days: int, *, calendar: Calendar | None = None) -> dt.datetime:
    """The end of the working day that is ``days`` working days after the day of ``start``.

    Reported on Monday with 1 working day → Tuesday at the end of the afternoon period; reported on a
    Saturday with 1 working day → Monday evening.
    """
    if days <= 0:
        return start
    cal = calendar or Calendar()
    periods = working_periods()
    closing = periods[-1][1] if periods else dt.time(17, 30)
    day = _local(start).date()
    counted = 0
    for _ in range(_MAX_DAYS):
        day += ONE_DAY
        if cal.is_working_day(day):
            counted += 1
            if counted == days:
                return _at(day, closing)
    return start + dt.timedelta(days=days)


def add_working(
    start: dt.datetime, amount: int, unit: str, *, calendar: Calendar | None = None
) -> dt.datetime:
    """``amount`` units after ``start``: working hours, working days, or clock hours."""
    if unit == LimitUnit.DAYS:
        return add_working_days(start, amount, calendar=calendar)
    if unit == LimitUnit.CLOCK_HOURS:
        return start + dt.timedelta(hours=amount)
    return add_working_seconds(start, amount * 3600, calendar=calendar)


def working_seconds_between(
    start: dt.datetime, end: dt.datetime, *, calendar: Calendar | None = None
) -> float:
    """Working time between two moments, in seconds (0 when end is not after start)."""
    if end <= start:
        return 0.0
    cal = calendar or Calendar()
    periods = working_periods()
    lo_moment, hi_moment = _local(start), _local(end)
    day, last = lo_moment.date(), hi_moment.date()
    total = 0.0
    steps = 0
    while day <= last:
        steps += 1
        if steps > _MAX_DAYS * 3:  # centuries apart: not a working-time question any more
            return (end - start).total_seconds()
        if cal.is_working_day(day):
            for begin, finish in periods:
                lo = max(_at(day, begin), lo_moment)
                hi = min(_at(day, finish), hi_moment)
                if hi > lo:
                    total += (hi - lo).total_seconds()
        day += ONE_DAY
    return total


# --- traffic light -------------------------------------------------------------------------------------

GREEN, YELLOW, RED = "green", "yellow", "red"


def traffic_light(
    start: dt.datetime, due: dt.datetime, now: dt.datetime, *, calendar: Calendar | None = None
) -> tuple[str, float]:
    """(colour, share of the limit used): under 80 % green, 80–100 % yellow, past the deadline red."""
    if now > due:
        cal = calendar or Calendar()
        total = working_seconds_between(start, due, calendar=cal) or 1.0
        used = max(working_seconds_between(start, now, calendar=cal) / total, 1.0)
        return RED, used
    cal = calendar or Calendar()
    total = working_seconds_between(start, due, calendar=cal)
    if total <= 0:
        return GREEN, 0.0
    used = working_seconds_between(start, now, calendar=cal) / total
    return (GREEN if used < 0.8 else YELLOW), used


# --- seeding and the admin warning ---------------------------------------------------------------------


def official_schedule(year: int) -> dict[dt.date, tuple[bool, str]] | None:
    """The official rest days and make-up working days of ``year`` from chinese-calendar, or None when the
    package does not know the year (it raises NotImplementedError past its last release's year)."""
    import chinese_calendar

    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return None
    schedule: dict[dt.date, tuple[bool, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        if day.year == year:
            schedule[day] = (False, str(name))
    for day, name in chinese_calendar.workdays.items():
        if day.year == year:
            schedule[day] = (True, str(name))
    return schedule


@transaction.atomic
def seed_year(year: int) -> bool:
    """Enter ``year``'s official schedule (keeping local overrides). False when it is not known yet."""
    schedule = official_schedule(year)
    if schedule is None:
        return False
    local = set(WorkingDay.objects.filter(date__year=year, is_local=True).values_list("date", flat=True))
    WorkingDay.objects.filter(date__year=year, is_local=False).delete()
    WorkingDay.objects.bulk_create(
        WorkingDay(date=day, is_working=working, note=note[:100])
        for day, (working, note) in sorted(schedule.items())
        if day not in local
    )
    CalendarYear.objects.get_or_create(year=year, defaults={"source": "chinese-calendar"})
    reference.changed()  # bulk_create sends no signals
    return True


def years_without_schedule(years: Iterable[int]) -> list[int]:
    """Which of ``years`` have no official schedule entered (deadlines there count weekends only)."""
    wanted = sorted(set(years))
    known = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return [y for y in wanted if y not in known]
