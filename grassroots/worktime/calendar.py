"""The working calendar and working-time arithmetic (DESIGN.md section 3, "Deadlines").

A day is a working day when the override table (:class:`~grassroots.worktime.models.WorkingDay`) says so,
else when it is Monday to Friday. The table is seeded from the chinese-calendar package for the years it
knows (:func:`seed_year`); for the years after, an administrator enters the State Council's holiday notice
as a few lines (:func:`check_notice`, :func:`enter_notice`). A year whose official schedule has not been
entered falls back to weekends: :func:`years_without_schedule` lists such years, :func:`years_to_warn` says
which of them every staff page warns about, and :func:`unentered_years_between` which of them a deadline
crosses. Working hours are the periods of ``settings.CASES_WORKING_HOURS`` (default 09:00–12:00 and
13:30–17:30).

Nothing here raises on an odd calendar: if no working time can be found within ten years (every day marked
as rest), arithmetic falls back to clock time, because a deadline must never crash.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.errors import DomainError

from . import reference
from .models import CalendarSource, CalendarYear, LimitUnit, WorkingDay

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
    for _step in range(_MAX_DAYS):
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
    for _step in range(_MAX_DAYS):
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
    import chinese_calendar  # loaded the first time a year is read, not by every process that starts

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
    known = reference.entered_years()
    return [y for y in sorted(set(years)) if y not in known]


DEFAULT_WARN_FROM_MONTH = 10


def years_to_warn(today: dt.date) -> list[int]:
    """The years every staff page warns about: this year when its schedule is missing, and the coming year
    when it is missing and the month is ``settings.CASES_CALENDAR_WARN_FROM_MONTH`` (default October) or
    later. The State Council publishes the coming year's notice around November; a warning all year round
    about a notice that does not exist yet would teach people to ignore it."""
    from_month = int(getattr(settings, "CASES_CALENDAR_WARN_FROM_MONTH", DEFAULT_WARN_FROM_MONTH))
    years = [today.year] + ([today.year + 1] if today.month >= from_month else [])
    return years_without_schedule(years)


def unentered_years_between(start: dt.datetime | dt.date, end: dt.datetime | dt.date) -> list[int]:
    """The years from ``start`` to ``end`` (local dates) without an official schedule: a deadline counted
    across them knows only weekends there, and says so."""
    lo = timezone.localtime(start).date() if isinstance(start, dt.datetime) else start
    hi = timezone.localtime(end).date() if isinstance(end, dt.datetime) else end
    if hi < lo:
        lo, hi = hi, lo
    if hi.year - lo.year > 50:  # not a deadline
        return []
    return years_without_schedule(range(lo.year, hi.year + 1))


# --- a year's State Council notice, entered by hand ----------------------------------------------------


class CalendarNoticeInvalid(DomainError):
    code = "calendar_notice_invalid"
    status = 422


@dataclass(frozen=True)
class HolidayLine:
    """One line of the notice: a holiday's name, its days off (first to last, both included) and the
    weekend days that are worked instead (调休上班)."""

    name: str
    first: dt.date
    last: dt.date
    make_up: tuple[dt.date, ...] = ()
    number: int = 0  # the line's number as the person sees it (0: its place in the list)


@dataclass(frozen=True)
class NoticeDay:
    date: dt.date
    is_working: bool  # True: a make-up working day; False: a day off
    name: str
    line: int  # index of the line it comes from

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5


@dataclass
class NoticeCheck:
    """What :func:`check_notice` found: the errors (each with the index of its line, or None for the notice
    as a whole) and, day by day, what would be written."""

    year: int
    errors: list[tuple[int | None, str]] = field(default_factory=list)
    days: list[NoticeDay] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def days_off(self) -> int:
        return sum(1 for d in self.days if not d.is_working)

    @property
    def weekdays_off(self) -> int:
        """Days off that fall on Monday–Friday: the ones the notice actually changes."""
        return sum(1 for d in self.days if not d.is_working and not d.is_weekend)

    @property
    def make_up_days(self) -> int:
        return sum(1 for d in self.days if d.is_working)


# The holidays of the State Council's notices, in their order in the year, keyed by the names the
# chinese-calendar package writes into the table's notes (shown to people in their language).
HOLIDAY_NAMES = {
    "New Year's Day": gettext_lazy("New Year's Day"),
    "Spring Festival": gettext_lazy("Spring Festival"),
    "Tomb-sweeping Day": gettext_lazy("Qingming Festival"),
    "Labour Day": gettext_lazy("Labour Day"),
    "Dragon Boat Festival": gettext_lazy("Dragon Boat Festival"),
    "Mid-autumn Festival": gettext_lazy("Mid-Autumn Festival"),
    "National Day": gettext_lazy("National Day"),
}


def holiday_name(note: str) -> str:
    """A holiday's name as people read it: the package's English names translated, others as written."""
    return str(HOLIDAY_NAMES.get(note, note))


LONGEST_HOLIDAY_DAYS = 15  # the longest since 1999 was nine days (Spring Festival 2026); more is a typo


def _weekday_name(day: dt.date) -> str:
    return [
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    ][day.weekday()]


def check_notice(year: int, lines: Sequence[HolidayLine]) -> NoticeCheck:
    """Check a year's notice: every day inside the year, each holiday at most
    ``LONGEST_HOLIDAY_DAYS`` long and overlapping no other, each make-up working day a Saturday or Sunday
    that is no holiday's day off and is listed once. Returns the errors and the days it would write."""
    check = NoticeCheck(year=year)
    if not lines:
        check.errors.append((None, _("Enter at least one holiday.")))
        return check
    taken: dict[dt.date, int] = {}  # day off → index of its line
    for index, line in enumerate(lines):
        if _line_is_sound(check, year, index, line, _number_of(lines, index)):
            _take_days_off(check, lines, index, taken)
    _check_make_up_days(check, year, lines, taken)
    check.days.sort(key=lambda d: d.date)
    return check


def _number_of(lines: Sequence[HolidayLine], index: int) -> int:
    return lines[index].number or index + 1


def _line_is_sound(check: NoticeCheck, year: int, index: int, line: HolidayLine, number: int) -> bool:
    """Every day of the line in the year, the last day off not before the first, not too long."""
    sound = True
    for day in (line.first, line.last, *line.make_up):
        if day.year != year:
            check.errors.append(
                (
                    index,
                    _(
                        "Line %(n)s: %(day)s is not in %(year)s. A day of another year is entered with "
                        "that year's notice."
                    )
                    % {"n": number, "day": day.isoformat(), "year": year},
                )
            )
            sound = False
    if line.last < line.first:
        check.errors.append(
            (index, _("Line %(n)s: the last day off comes before the first.") % {"n": number})
        )
        sound = False
    elif (line.last - line.first).days + 1 > LONGEST_HOLIDAY_DAYS:
        check.errors.append(
            (
                index,
                _("Line %(n)s: %(days)s days off in a row; no holiday is longer than %(max)s.")
                % {"n": number, "days": (line.last - line.first).days + 1, "max": LONGEST_HOLIDAY_DAYS},
            )
        )
        sound = False
    return sound


def _take_days_off(check: NoticeCheck, lines: Sequence[HolidayLine], index: int, taken: dict) -> None:
    """The line's days off, unless one is another line's: holidays may not overlap."""
    line = lines[index]
    day = line.first
    while day <= line.last:
        if day in taken:
            check.errors.append(
                (
                    index,
                    _("Line %(n)s: %(day)s is already in line %(other)s. Holidays may not overlap.")
                    % {
                        "n": _number_of(lines, index),
                        "day": day.isoformat(),
                        "other": _number_of(lines, taken[day]),
                    },
                )
            )
            return
        taken[day] = index
        check.days.append(NoticeDay(day, False, line.name, index))
        day += ONE_DAY


def _check_make_up_days(check: NoticeCheck, year: int, lines: Sequence[HolidayLine], taken: dict) -> None:
    """Each make-up working day: listed once, no day off, a Saturday or a Sunday."""
    make_up_seen: dict[dt.date, int] = {}
    for index, line in enumerate(lines):
        for day in line.make_up:
            if day.year != year:
                continue  # reported with its line
            values = {"n": _number_of(lines, index), "day": day.isoformat()}
            if day in make_up_seen:
                problem = _("Line %(n)s: %(day)s is listed twice as a make-up working day.") % values
            elif day in taken:
                problem = _("Line %(n)s: the make-up working day %(day)s is a day off in line %(other)s.") % {
                    **values,
                    "other": _number_of(lines, taken[day]),
                }
            elif day.weekday() < 5:
                problem = _(
                    "Line %(n)s: the make-up working day %(day)s is a %(weekday)s, a working day "
                    "anyway. Make-up working days are Saturdays or Sundays."
                ) % {**values, "weekday": _weekday_name(day)}
            else:
                make_up_seen[day] = index
                check.days.append(NoticeDay(day, True, line.name, index))
                continue
            check.errors.append((index, problem))


@transaction.atomic
def enter_notice(*, year: int, lines: Sequence[HolidayLine], entered_by=None) -> CalendarYear:
    """Write a year's notice in place of its official schedule (seeded or entered before), keeping the
    local overrides, and mark the year entered. Raises :class:`CalendarNoticeInvalid` when the check
    finds errors (nothing is written then). Permission is the caller's (``cases.services``)."""
    check = check_notice(year, lines)
    if not check.ok:
        raise CalendarNoticeInvalid(" ".join(message for _line, message in check.errors), detail=check.errors)
    local = set(WorkingDay.objects.filter(date__year=year, is_local=True).values_list("date", flat=True))
    WorkingDay.objects.filter(date__year=year, is_local=False).delete()
    WorkingDay.objects.bulk_create(
        WorkingDay(date=d.date, is_working=d.is_working, note=d.name[:100])
        for d in check.days
        if d.date not in local
    )
    entry, _created = CalendarYear.objects.select_for_update().get_or_create(year=year)
    entry.source = CalendarSource.NOTICE
    entry.entered_by = entered_by
    entry.entered_at = timezone.now()
    entry.save()
    reference.changed()  # bulk_create sends no signals
    return entry


def _lines_from(days: Iterable[tuple[dt.date, bool, str]]) -> list[HolidayLine]:
    """Days (date, is working, holiday name) as notice lines: each run of consecutive days off is a line
    per holiday name, or one line naming them all when their days interleave (2025's Mid-Autumn Festival
    fell on 6 October, inside the National Day holiday); each make-up working day goes to the nearest line
    of its holiday."""
    ordered = sorted(days)
    runs: list[list[tuple[dt.date, str]]] = []
    for day, working, name in ordered:
        if working:
            continue
        if runs and (day - runs[-1][-1][0]).days == 1:
            runs[-1].append((day, name))
        else:
            runs.append([(day, name)])
    spans: list[tuple[list[str], dt.date, dt.date]] = []  # names in order of their first day, first, last
    for run in runs:
        segments: list[list[tuple[dt.date, str]]] = []
        for day, name in run:
            if segments and segments[-1][-1][1] == name:
                segments[-1].append((day, name))
            else:
                segments.append([(day, name)])
        names = [segment[0][1] for segment in segments]
        if len(names) != len(set(names)):
            spans.append((list(dict.fromkeys(names)), run[0][0], run[-1][0]))
        else:
            spans.extend(([segment[0][1]], segment[0][0], segment[-1][0]) for segment in segments)
    make_up: list[list[dt.date]] = [[] for _span in spans]
    for day, working, name in ordered:
        if not working or not spans:
            continue
        own = [i for i, span in enumerate(spans) if name in span[0]] or list(range(len(spans)))
        nearest = min(own, key=lambda i: min(abs((spans[i][1] - day).days), abs((spans[i][2] - day).days)))
        make_up[nearest].append(day)
    return [
        HolidayLine(
            name="、".join(holiday_name(n) for n in names),
            first=first,
            last=last,
            make_up=tuple(make_up[i]),
        )
        for i, (names, first, last) in enumerate(spans)
    ]


def notice_lines_of(year: int) -> list[HolidayLine]:
    """The year's official schedule as notice lines, for correcting it: as entered or seeded, else as the
    chinese-calendar package knows it, else none. Local overrides are not part of the notice."""
    if year in reference.entered_years():
        rows = WorkingDay.objects.filter(date__year=year, is_local=False)
        return _lines_from(rows.values_list("date", "is_working", "note"))
    schedule = official_schedule(year) or {}
    return _lines_from((day, working, name) for day, (working, name) in schedule.items())


_DAY_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?$"),
    re.compile(r"^(?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?$"),
)
_DAY_SEPARATORS = re.compile(r"[\s,，、;；]+")


def parse_days(text: str, year: int) -> tuple[list[dt.date], list[str]]:
    """Dates written as ``2027-02-14``, ``2027年2月14日``, ``2-14`` or ``2月14日`` (the last two in ``year``),
    separated by spaces, commas or 、. Returns the dates and the pieces that are not dates."""
    days: list[dt.date] = []
    bad: list[str] = []
    for piece in _DAY_SEPARATORS.split(text.strip()):
        if not piece:
            continue
        normal = piece.translate(_FULL_WIDTH)
        for pattern in _DAY_PATTERNS:
            found = pattern.match(normal)
            if found:
                year_written = found.groupdict().get("y")
                try:
                    days.append(dt.date(int(year_written or year), int(found["m"]), int(found["d"])))
                except ValueError:
                    bad.append(piece)
                break
        else:
            bad.append(piece)
    return days, bad


_FULL_WIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")
