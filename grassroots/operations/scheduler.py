"""The scheduler of the periodic jobs (jobs.JOBS) on APScheduler: one cron trigger per row, each occurrence
run through services.job_run, which takes the job's lock and its run row first, so several schedulers (one
per machine) run each occurrence once.

The occurrence a run belongs to is the latest time of the job's schedule not after now (``occurrence``):
schedulers on machines whose clocks differ by a little compute the same time, so the run row's uniqueness
holds between them; a run started late (the pool was busy) belongs to the latest time it was due.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from django.conf import settings

from grassroots import clock

from .jobs import JOBS, PeriodicJob
from .services import job_run

logger = logging.getLogger("grassroots.periodic")


def trigger_for(job: PeriodicJob) -> CronTrigger:
    return CronTrigger.from_crontab(job.schedule, timezone=settings.TIME_ZONE)


def occurrence(trigger: CronTrigger, now: dt.datetime) -> dt.datetime | None:
    """The latest fire time of ``trigger`` not after ``now`` (None if it never fired before ``now``)."""
    nxt = trigger.get_next_fire_time(None, now)
    if nxt is not None and nxt == now:
        return nxt
    after = trigger.get_next_fire_time(nxt, nxt + dt.timedelta(microseconds=1)) if nxt else None
    lookback = (after - nxt) if nxt and after else dt.timedelta(days=1)
    for _attempt in range(12):  # a schedule may skip days (weekdays only): widen the window until it fires
        latest = None
        t = trigger.get_next_fire_time(None, now - lookback)
        while t is not None and t <= now:
            latest = t
            t = trigger.get_next_fire_time(t, t + dt.timedelta(microseconds=1))
        if latest is not None:
            return latest
        lookback *= 2
    return None


def scheduler_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobRunner:
    """What the scheduler calls for one job: the occurrence now due, run under the lock."""

    def __init__(self, job: PeriodicJob, holder: str, now: Callable[[], dt.datetime]):
        self.job, self.holder, self.now = job, holder, now
        self.trigger = trigger_for(job)

    def __call__(self) -> None:
        scheduled_for = occurrence(self.trigger, self.now())
        if scheduled_for is not None:
            job_run(job=self.job, scheduled_for=scheduled_for, holder=self.holder)

    def __repr__(self) -> str:
        return f"JobRunner({self.job.name})"


def scheduler_build(
    scheduler_class: type[BaseScheduler] = BlockingScheduler,
    *,
    jobs: Iterable[PeriodicJob] = JOBS,
    now: Callable[[], dt.datetime] = clock.now,
    threads: int = 4,
) -> BaseScheduler:
    """A scheduler with one cron job per row of the table. Occurrences missed while it was busy or down
    are run once when it gets to them (coalesce, no misfire limit); a job never overlaps itself in one
    scheduler (max_instances=1), nor across schedulers (the lock)."""
    holder = scheduler_id()
    scheduler = scheduler_class(
        timezone=settings.TIME_ZONE,
        executors={"default": ThreadPoolExecutor(threads)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    for job in jobs:
        scheduler.add_job(JobRunner(job, holder, now), trigger_for(job), id=job.name, name=job.name)
    logger.info(
        "periodic jobs scheduled by %s: %s", holder, ", ".join(f"{j.name} ({j.schedule})" for j in jobs)
    )
    return scheduler
