"""Every write of the operations app: taking a periodic job's lock for one occurrence, recording the run.

A job runs for a scheduled time only when a scheduler (1) takes the job's lock row with one conditional
UPDATE — free, or its time run out — and (2) writes the run row of that time, unique per (job, time), in the
same transaction. (1) keeps two schedulers from running the same job at once, (2) keeps a second scheduler
that fired for the same time a moment later from running it again. Both are plain rows, so it works alike on
SQLite and PostgreSQL, on one machine or on several sharing the database.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Q

from grassroots import clock

from .jobs import PeriodicJob
from .models import JobLock, JobRun

logger = logging.getLogger("grassroots.periodic")

OUTPUT_KEPT_CHARS = 4000
# Run rows are kept this long (the deadline scan alone writes 288 a day), then deleted as each job finishes.
RUNS_KEPT = dt.timedelta(days=30)


class _AlreadyRun(Exception):
    pass


def job_claim(*, job: PeriodicJob, scheduled_for: dt.datetime, holder: str) -> JobRun | None:
    """Take ``job``'s lock and record its run for ``scheduled_for``; None when another scheduler holds the
    lock or has run (or is running) that occurrence already — the caller then does nothing."""
    now = clock.now()
    JobLock.objects.get_or_create(job=job.name)
    try:
        with transaction.atomic():
            taken = (
                JobLock.objects.filter(job=job.name)
                .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
                .update(holder=holder, locked_until=now + job.lock)
            )
            if not taken:
                return None
            try:
                with transaction.atomic():
                    return JobRun.objects.create(
                        job=job.name, scheduled_for=scheduled_for, holder=holder, started_at=now
                    )
            except IntegrityError:
                raise _AlreadyRun from None  # rolls the lock back too
    except _AlreadyRun:
        return None


def job_finish(*, run: JobRun, succeeded: bool, output: str) -> None:
    """Record the run's end, free the job's lock (if this run's scheduler still holds it) and forget the
    job's runs scheduled more than :data:`RUNS_KEPT` before this one."""
    now = clock.now()
    with transaction.atomic():
        JobRun.objects.filter(pk=run.pk).update(
            finished_at=now,
            outcome=JobRun.Outcome.SUCCEEDED if succeeded else JobRun.Outcome.FAILED,
            output=output[-OUTPUT_KEPT_CHARS:],
        )
        JobLock.objects.filter(job=run.job, holder=run.holder).update(locked_until=None, holder="")
        JobRun.objects.filter(job=run.job, scheduled_for__lt=run.scheduled_for - RUNS_KEPT).delete()


def job_run(*, job: PeriodicJob, scheduled_for: dt.datetime, holder: str) -> JobRun | None:
    """Run ``job``'s command for the occurrence ``scheduled_for`` unless another scheduler has it; returns
    the run record (None when skipped). A failing command is recorded and logged, never raised: the
    scheduler goes on with the next occurrence."""
    run = job_claim(job=job, scheduled_for=scheduled_for, holder=holder)
    if run is None:
        logger.info("periodic job %s for %s: taken by another scheduler", job.name, scheduled_for)
        return None
    out = io.StringIO()
    try:
        call_command(job.name, *job.arguments(), stdout=out, stderr=out)
    except Exception as exc:
        logger.exception("periodic job %s for %s failed", job.name, scheduled_for)
        job_finish(run=run, succeeded=False, output=f"{out.getvalue()}\n{type(exc).__name__}: {exc}")
    else:
        logger.info("periodic job %s for %s: %s", job.name, scheduled_for, out.getvalue().strip())
        job_finish(run=run, succeeded=True, output=out.getvalue())
    return run
