"""Per-process copies of the working calendar: its overrides a year at a time and the years whose official
schedule has been entered. Deadlines and publication windows read them for every report; they change a few
times a year.

Correctness across processes: a copy is keyed by the shared :class:`~grassroots.worktime.models.ReferenceVersion`
row, which :func:`changed` bumps (the cases app's copy of its service types is keyed by the same row). Saving
or deleting a ``WorkingDay`` or ``CalendarYear`` calls it (signals, connected in ``apps.ready``), and so do the
writers in bulk (``calendar.seed_year``, ``calendar.enter_notice``). A process drops its copy at once when it
makes the change itself, and within ``settings.CASES_REFERENCE_CHECK_SECONDS`` (default 1) when another
process does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from grassroots.versioned import VersionedCopy, bump, stored_version

from .models import CalendarYear, ReferenceVersion, WorkingDay


@dataclass
class _Copy:
    key: object
    years: dict[int, dict[dt.date, bool]] = field(default_factory=dict)
    entered: frozenset[int] | None = None  # years whose official schedule has been entered


def _stored_key():
    return stored_version(ReferenceVersion)


_copies: VersionedCopy[_Copy] = VersionedCopy(
    read_key=_stored_key,
    load=_Copy,
    check_seconds=lambda: float(getattr(settings, "CASES_REFERENCE_CHECK_SECONDS", 1.0)),
)


def key():
    """The version this process's copy is keyed by, checked against the stored one as often as the copy is (other
    copies keyed by the same version read it here: one query for all of them)."""
    return _copies.get().key


def reset() -> None:
    """Forget this process's copy (tests: each test has its own database)."""
    _copies.reset()


def changed(**_signal_kwargs) -> None:
    """The calendar (or other reference data keyed by the same version) changed: bump the shared version (in the
    writer's transaction) and drop this process's copy now and again after the commit."""
    bump(ReferenceVersion)
    reset()
    transaction.on_commit(reset)


def working_days(year: int) -> dict[dt.date, bool]:
    """The calendar's overrides of a year: date → is a working day (read-only)."""
    current = _copies.get()
    days = current.years.get(year)
    if days is None:
        days = dict(WorkingDay.objects.filter(date__year=year).values_list("date", "is_working"))
        current.years[year] = days
    return days


def entered_years() -> frozenset[int]:
    """The years whose official holiday schedule has been entered (a ``CalendarYear`` row each)."""
    current = _copies.get()
    entered = current.entered
    if entered is None:
        entered = frozenset(CalendarYear.objects.values_list("year", flat=True))
        current.entered = entered
    return entered
