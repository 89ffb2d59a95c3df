"""The deadline scan: marks overdue cases once per step, reminds assignees near the handling deadline and
tells supervisors of overdue ones."""

from dataclasses import dataclass

from django.db import transaction

from grassroots import clock
from grassroots.worktime import calendar

from .. import alerts, events
from ..models import (
    Case,
    EventAction,
    State,
)


@dataclass
class ScanResult:
    response_overdue: int = 0
    handling_warned: int = 0
    handling_overdue: int = 0


def _scan_event(case: Case, action: str, marker: str, now, detail: dict) -> bool:
    """Set ``marker`` once (a conditional UPDATE, so two scans at once cannot both win) and record it."""
    if Case.objects.filter(pk=case.pk, **{f"{marker}__isnull": True}).update(**{marker: now}) != 1:
        return False
    setattr(case, marker, now)
    events.record(case, action, at=now, internal=True, changes={"detail": detail})
    return True


def deadlines_scan(*, now=None, batch: int = 500) -> ScanResult:
    """Mark overdue cases, remind assignees near the handling deadline and tell supervisors of overdue ones.

    Run periodically (``manage.py cases_scan_deadlines`` from a timer). Idempotent: each reminder is sent
    once per case, guarded by its marker column; shelved cases are skipped (their clock stands still).
    """
    now = now or clock.now()
    result = ScanResult()
    base = Case.objects.select_related("assignee_user")

    # A case past a step's deadline is marked once per step: <step>_due_at, <step>_overdue_at, ScanResult.<step>_overdue
    for state, step, action in (
        (State.REPORTED, "response", EventAction.RESPONSE_OVERDUE),
        (State.DISPATCHED, "handling", EventAction.HANDLING_OVERDUE),
    ):
        due, marker, counter = f"{step}_due_at", f"{step}_overdue_at", f"{step}_overdue"
        late = base.filter(state=state, **{f"{due}__lt": now, f"{marker}__isnull": True})
        for case in late.iterator(chunk_size=batch):
            with transaction.atomic():
                if _scan_event(case, action, marker, now, {"due": getattr(case, due).isoformat()}):
                    alerts.deadline_reminder(case, overdue=True, step=step)
                    setattr(result, counter, getattr(result, counter) + 1)

    cal = calendar.Calendar()
    near = base.filter(
        state=State.DISPATCHED,
        handling_due_at__gte=now,
        handling_warned_at__isnull=True,
        handling_started_at__isnull=False,
    )
    for case in near.iterator(chunk_size=batch):
        if case.handling_started_at is None or case.handling_due_at is None:
            continue  # (the query above leaves them out)
        colour, used = calendar.traffic_light(
            case.handling_started_at, case.handling_due_at, now, calendar=cal
        )
        if colour == calendar.GREEN:
            continue
        with transaction.atomic():
            if _scan_event(
                case, EventAction.HANDLING_WARNING, "handling_warned_at", now, {"used": round(used, 3)}
            ):
                alerts.deadline_reminder(case, overdue=False, step="handling")
                result.handling_warned += 1
    return result
