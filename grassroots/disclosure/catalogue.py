"""When a catalogue item is due (DESIGN.md section 4: ordinary matters at least quarterly, finance monthly,
major matters at once).

A periodic item must be published at least once in every period (calendar month or quarter). After a
publication in March, a monthly item is **ok** for the rest of March, **due** during April and **overdue** from
1 May; an item never published is due from the period in which the requirement began. Items
published "at once" have no period: they are never due by the calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .models import Frequency


class Status:
    OK = "ok"
    DUE = "due"
    OVERDUE = "overdue"
    ON_EVENT = "on_event"


def _months(frequency: str) -> int:
    return 1 if frequency == Frequency.MONTHLY else 3


def period_start(day: dt.date, frequency: str) -> dt.date:
    months = _months(frequency)
    month = (day.month - 1) // months * months + 1
    return dt.date(day.year, month, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Due:
    status: str
    due_on: dt.date | None  # the last day on which the next publication is on time


def due_status(*, frequency: str, since: dt.date, last_published_on: dt.date | None, today: dt.date) -> Due:
    if frequency == Frequency.AT_ONCE:
        return Due(Status.ON_EVENT, None)
    months = _months(frequency)
    # The first period that still needs a publication: the one after the last publication, or the one
    # in which the requirement began.
    if last_published_on is not None and last_published_on >= since:
        needed = _add_months(period_start(last_published_on, frequency), months)
    else:
        needed = period_start(since, frequency)
    due_on = _add_months(needed, months) - dt.timedelta(days=1)
    if today > due_on:
        return Due(Status.OVERDUE, due_on)
    if today >= needed:
        return Due(Status.DUE, due_on)
    return Due(Status.OK, due_on)
