"""Response and handling deadlines of a case, from its category × urgency and the working calendar.

The response clock starts when the case is reported (accept within the response limit); the handling clock
starts at the first dispatch (handle within the handling limit; rework does not restart it; an approved
extension adds to it). While a case is shelved its clock stands still: on unshelving, the open deadline
moves on by the working time spent shelved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from grassroots.worktime import calendar

from . import reference
from .models import Case, Category, LimitUnit, State, Urgency


@dataclass(frozen=True)
class Limits:
    response_amount: int
    response_unit: str
    handling_amount: int
    handling_unit: str


# DESIGN.md section 4 typical limits; settings.CASES_DEFAULT_LIMITS may replace any of them.
DEFAULT_LIMITS: dict[str, Limits] = {
    Urgency.NORMAL: Limits(1, LimitUnit.DAYS, 7, LimitUnit.DAYS),
    Urgency.URGENT: Limits(4, LimitUnit.HOURS, 3, LimitUnit.DAYS),
    Urgency.EMERGENCY: Limits(1, LimitUnit.CLOCK_HOURS, 2, LimitUnit.CLOCK_HOURS),
}


def _default(urgency: str) -> Limits:
    configured = getattr(settings, "CASES_DEFAULT_LIMITS", {}) or {}
    if urgency in configured:
        return Limits(*configured[urgency])
    return DEFAULT_LIMITS.get(urgency, DEFAULT_LIMITS[Urgency.NORMAL])


def limits_for(category: Category, urgency: str) -> Limits:
    """The category's limits for ``urgency``, else the nearest ancestor's, else the defaults."""
    # the service type's parents from the per-process copy (an inactive one's from the database)
    chain = reference.lineage(category.pk) or []
    node, steps = (None, 0) if chain else (category, 0)
    while node is not None and steps < 10:
        chain.append(node.pk)
        node = node.parent if node.parent_id else None
        steps += 1
    for pk in chain:
        row = reference.limit(pk, urgency)
        if row is not None:
            return Limits(row.response_amount, row.response_unit, row.handling_amount, row.handling_unit)
    return _default(urgency)


def _add(start: dt.datetime, amount: int, unit: str, cal: calendar.Calendar) -> dt.datetime:
    try:
        return calendar.add_working(start, amount, unit, calendar=cal)
    except Exception:  # a deadline must never crash: fall back to clock time
        return start + (dt.timedelta(days=amount) if unit == LimitUnit.DAYS else dt.timedelta(hours=amount))


def response_due(category: Category, urgency: str, start: dt.datetime, *, cal=None) -> dt.datetime:
    limits = limits_for(category, urgency)
    return _add(start, limits.response_amount, limits.response_unit, cal or calendar.Calendar())


def handling_due(category: Category, urgency: str, start: dt.datetime, *, cal=None) -> dt.datetime:
    limits = limits_for(category, urgency)
    return _add(start, limits.handling_amount, limits.handling_unit, cal or calendar.Calendar())


def extend(due: dt.datetime, amount: int, unit: str) -> dt.datetime:
    return _add(due, amount, unit, calendar.Calendar())


def shift_by_working_seconds(due: dt.datetime | None, seconds: float) -> dt.datetime | None:
    if due is None or seconds <= 0:
        return due
    try:
        return calendar.add_working_seconds(due, seconds)
    except Exception:
        return due + dt.timedelta(seconds=seconds)


def shelved_working_seconds(shelved_at: dt.datetime, until: dt.datetime) -> int:
    try:
        return int(calendar.working_seconds_between(shelved_at, until))
    except Exception:
        return int(max((until - shelved_at).total_seconds(), 0))


@dataclass(frozen=True)
class Light:
    step: str  # "response" or "handling"
    colour: str  # green / yellow / red
    used: float  # share of the limit used (1.0 = at the deadline)
    due_at: dt.datetime
    # years between the step's start and its deadline whose holidays have not been entered: the deadline
    # counted weekends only there, and the page says so
    unentered_years: tuple[int, ...] = ()


def case_lights(case: Case, now: dt.datetime, *, cal: calendar.Calendar | None = None) -> list[Light]:
    """The traffic light of each running step of a case (none when it is closed or cancelled).

    While shelved, the clock stands at the moment of shelving.
    """
    cal = cal or calendar.Calendar()
    at = case.shelved_at if case.state == State.SHELVED and case.shelved_at else now
    waiting = case.previous_state if case.state == State.SHELVED else case.state
    lights = []
    if waiting == State.REPORTED and case.response_due_at:
        colour, used = calendar.traffic_light(case.reported_at, case.response_due_at, at, calendar=cal)
        missing = calendar.unentered_years_between(case.reported_at, case.response_due_at)
        lights.append(Light("response", colour, used, case.response_due_at, tuple(missing)))
    if waiting == State.DISPATCHED and case.handling_due_at and case.handling_started_at:
        start = case.handling_started_at
        colour, used = calendar.traffic_light(start, case.handling_due_at, at, calendar=cal)
        missing = calendar.unentered_years_between(start, case.handling_due_at)
        lights.append(Light("handling", colour, used, case.handling_due_at, tuple(missing)))
    return lights
