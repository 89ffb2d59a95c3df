"""The scheduler of the periodic jobs (jobs.JOBS) on APScheduler: one cron trigger per row, each occurrence
run through services.job_run, which takes the job's lock and its run row first, so several schedulers (one
per machine) run each occurrence once.

A run is keyed by the time it was due, as APScheduler computed it from the cron expression (the latest one
when several were missed: coalesced), not by the moment it starts: schedulers on several machines, whatever
their delay, name an occurrence alike, so its run row's uniqueness holds between them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Iterable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.db import close_old_connections, connections

from grassroots import clock

from .jobs import JOBS, PeriodicJob
from .services import job_run

logger = logging.getLogger("grassroots.periodic")


def trigger_for(job: PeriodicJob) -> CronTrigger:
    return CronTrigger.from_crontab(job.schedule, timezone=settings.TIME_ZONE)


def scheduler_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobRunner:
    """What the scheduler calls for one job and one occurrence: the command, under the lock."""

    def __init__(self, job: PeriodicJob, holder: str):
        self.job, self.holder = job, holder

    def __call__(self, scheduled_for: dt.datetime | None = None) -> None:
        job_run(job=self.job, scheduled_for=scheduled_for or clock.now(), holder=self.holder)

    def __repr__(self) -> str:
        return f"JobRunner({self.job.name})"


class OccurrenceExecutor(ThreadPoolExecutor):
    """APScheduler's thread pool, handing each job the time it was due (``run_times[-1]``: the latest, when
    missed ones are coalesced) instead of calling it without arguments."""

    def _do_submit_job(self, job, run_times):
        scheduled_for = run_times[-1]

        def run() -> None:
            close_old_connections()
            try:
                job.func(scheduled_for)
            except Exception:  # job_run records its command's failures; this is anything else
                logger.exception("periodic job %s for %s could not run", job.name, scheduled_for)
            finally:
                connections.close_all()  # this pool thread's: it may wait hours for its next job

        future = self._pool.submit(run)
        future.add_done_callback(lambda _future: self._run_job_success(job.id, []))


def scheduler_build(
    scheduler_class: type[BaseScheduler] = BlockingScheduler,
    *,
    jobs: Iterable[PeriodicJob] = JOBS,
    threads: int = 4,
) -> BaseScheduler:
    """A scheduler with one cron job per row of the table. Occurrences missed while it was busy or down
    are run once when it gets to them (coalesce, no misfire limit); a job never overlaps itself in one
    scheduler (max_instances=1), nor across schedulers (the lock)."""
    holder = scheduler_id()
    scheduler = scheduler_class(
        timezone=settings.TIME_ZONE,
        executors={"default": OccurrenceExecutor(threads)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    for job in jobs:
        scheduler.add_job(JobRunner(job, holder), trigger_for(job), id=job.name, name=job.name)
    logger.info(
        "periodic jobs scheduled by %s: %s", holder, ", ".join(f"{j.name} ({j.schedule})" for j in jobs)
    )
    return scheduler
