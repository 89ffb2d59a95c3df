"""The reads behind readiness and metrics: the task queue, the cases by state, the periodic job runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, Max, Min

from grassroots import clock
from grassroots.cases.models import Case, State
from grassroots.cases.selectors import overdue_q

from .models import JobRun


@dataclass(frozen=True)
class QueueState:
    backend: str
    queued: int  # tasks waiting whose time has come
    oldest_seconds: float  # how long the oldest of them has waited (0: none waiting)
    failed: int  # failed tasks the backend still keeps


def _task_backend() -> dict[str, Any]:
    return cast(dict[str, Any], settings.TASKS["default"])


def _rq_queue_state(now: dt.datetime) -> QueueState:
    import django_rq
    from rq.registry import FailedJobRegistry

    queued, oldest, failed = 0, 0.0, 0
    for name in _task_backend().get("QUEUES", ["default"]):
        queue = django_rq.get_queue(name)
        queued += queue.count
        failed += FailedJobRegistry(queue=queue).count
        first = queue.get_jobs(0, 1)
        if first and first[0].enqueued_at:
            enqueued = first[0].enqueued_at.replace(tzinfo=dt.UTC)
            oldest = max(oldest, (now - enqueued).total_seconds())
    return QueueState("rq", queued, oldest, failed)


def task_queue_state() -> QueueState:
    """The default task backend's queue now. The immediate backend (tests) has none."""
    now = clock.now()
    backend = _task_backend()["BACKEND"]
    if backend.endswith("RQBackend"):
        return _rq_queue_state(now)
    if not backend.endswith("DatabaseBackend"):
        return QueueState("immediate", 0, 0.0, 0)
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    # A task to run at once carries run_after = the latest date (it has waited since it was enqueued); one
    # to run later carries its time (it has waited since that time passed).
    due = waiting.filter(run_after__lte=now).aggregate(n=Count("pk"), first=Min("run_after"))
    at_once = waiting.filter(run_after=get_date_max()).aggregate(n=Count("pk"), first=Min("enqueued_at"))
    oldest = min((t for t in (due["first"], at_once["first"]) if t is not None), default=None)
    return QueueState(
        "database",
        due["n"] + at_once["n"],
        (now - oldest).total_seconds() if oldest else 0.0,
        DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count(),
    )


def cases_by_state() -> dict[str, int]:
    counts = dict.fromkeys(State.values, 0)
    counts.update(Case.objects.values_list("state").annotate(n=Count("pk")).order_by())
    return counts


def cases_overdue() -> int:
    return Case.objects.filter(overdue_q(clock.now())).count()


@dataclass(frozen=True)
class JobFigures:
    job: str
    runs: dict[str, int]  # outcome -> runs kept
    last_success: dt.datetime | None


def periodic_job_figures() -> list[JobFigures]:
    from .jobs import JOBS

    runs: dict[str, dict[str, int]] = {job.name: dict.fromkeys(JobRun.Outcome.values, 0) for job in JOBS}
    for job, outcome, n in JobRun.objects.values_list("job", "outcome").annotate(n=Count("pk")).order_by():
        runs.setdefault(job, dict.fromkeys(JobRun.Outcome.values, 0))[outcome] = n
    last = dict(
        JobRun.objects.filter(outcome=JobRun.Outcome.SUCCEEDED)
        .values_list("job")
        .annotate(at=Max("finished_at"))
        .order_by()
    )
    return [JobFigures(job, by_outcome, last.get(job)) for job, by_outcome in runs.items()]
