"""Reads of grid workers and their assignments."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from grassroots import clock
from grassroots.accounts.scoping import scoped

from .models import Assignment, AssignmentRole, GridWorker, WorkerKind

_ROLE_ORDER = Case(
    When(role=AssignmentRole.LEADER, then=Value(0)),
    When(role=AssignmentRole.WORKER, then=Value(1)),
    When(role=AssignmentRole.INSTRUCTOR, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
# Among the workers of a grid, the full-time one answers first, then part-time, then red grid workers.
_KIND_ORDER = Case(
    When(worker__kind=WorkerKind.FULL_TIME, then=Value(0)),
    When(worker__kind=WorkerKind.PART_TIME, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def active_on(day: dt.date) -> Q:
    """Assignments in force on ``day`` (started on or before it, not yet ended)."""
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def responsible_workers_for(grid_code: str, *, on: dt.date | None = None) -> list[GridWorker]:
    """The workers answerable for a grid on a day (today by default): grid leader first, then its grid
    workers (full-time, part-time, red), then instructors; each worker once.

    Unscoped on purpose: case routing calls it as the system, not on behalf of a user. Never hand its
    result to a user without scoping it.
    """
    day = on or clock.today()
    assignments = (
        Assignment.objects.filter(area_code=grid_code)
        .filter(active_on(day))
        .select_related("worker")
        .order_by(_ROLE_ORDER, _KIND_ORDER, "started_on", "worker__name", "worker_id")
    )
    workers: dict[int, GridWorker] = {}
    for assignment in assignments:
        workers.setdefault(assignment.worker_id, assignment.worker)
    return list(workers.values())


def assignment_list_for_grid(*, user, grid_code: str, include_ended: bool = False) -> QuerySet[Assignment]:
    """Who serves the grid (today's assignments in the order of :func:`responsible_workers_for`; with ``include_ended`` also the past ones
    after them), each with its worker loaded. Empty when the grid is outside the user's scope.
    """
    today = clock.today()
    assignments = scoped(Assignment.objects.filter(area_code=grid_code), user).select_related("worker")
    if not include_ended:
        return assignments.filter(active_on(today)).order_by(
            _ROLE_ORDER, _KIND_ORDER, "started_on", "worker__name"
        )
    current = Case(When(active_on(today), then=Value(0)), default=Value(1), output_field=IntegerField())
    return assignments.order_by(
        current, _ROLE_ORDER, _KIND_ORDER, F("ended_on").desc(nulls_first=True), "started_on", "worker__name"
    )
