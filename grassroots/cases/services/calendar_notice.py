"""Entering a year's State Council holiday notice into the working calendar."""

from django.db import transaction

from grassroots.accounts.models import User
from grassroots.accounts.rules import require
from grassroots.accounts.services import audit_record
from grassroots.worktime import calendar

from .. import rules
from ..models import (
    CalendarYear,
)


def calendar_notice_enter(
    *, actor: User, year: int, lines: list[calendar.HolidayLine], request=None
) -> CalendarYear:
    """Enter (or correct) a year's State Council holiday notice: the year's official days are replaced by
    these lines, local overrides stay, deadlines and publication windows count with them from now on.
    Raises :class:`calendar.CalendarNoticeInvalid` with every problem found, writing nothing."""
    require(actor, rules.can_enter_calendar)
    with transaction.atomic():
        entry = calendar.enter_notice(year=year, lines=lines, entered_by=actor)
        audit_record(
            actor=actor,
            action="calendar.notice_enter",
            target=entry,
            request=request,
            detail={
                "lines": [
                    {
                        "name": line.name,
                        "first": line.first.isoformat(),
                        "last": line.last.isoformat(),
                        "make_up": [d.isoformat() for d in line.make_up],
                    }
                    for line in lines
                ]
            },
        )
    return entry
