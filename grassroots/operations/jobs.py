"""THE table of periodic jobs: what runs, when, and how long its lock may be held.

Each row is a management command run by the scheduler (``manage.py periodic_jobs``, started by
``scripts/serve``) at the times of its cron expression, read in ``settings.TIME_ZONE``. Each occurrence runs
once however many schedulers are running (one per app machine is normal): a scheduler runs it only when it
takes the job's lock row and writes the occurrence's run row (services.job_claim). ``lock`` is the longest a
run may hold the lock: a scheduler that died mid-run frees the job when it passes, so make it longer than the
slowest run you expect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings


def _no_arguments() -> list[str]:
    return []


def _digest_arguments() -> list[str]:
    # The digest's link to the inbox: the site's address as people open it, when it is configured.
    site = settings.NOTIFICATIONS_SITE_URL.rstrip("/")
    return ["--inbox-url", f"{site}/inbox/"] if site else []


@dataclass(frozen=True)
class PeriodicJob:
    name: str  # the management command
    schedule: str  # cron: minute hour day-of-month month day-of-week
    lock: dt.timedelta
    arguments: Callable[[], list[str]] = field(default=_no_arguments)
    what: str = ""


JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob(
        "cases_scan_deadlines", "*/5 * * * *", dt.timedelta(minutes=10),
        what="overdue marks, reminders near a deadline, supervisors told of overdue cases",
    ),
    PeriodicJob(
        "outbox_sweep", "*/5 * * * *", dt.timedelta(minutes=10),
        what="notifications and webhook tries whose task was lost after their commit, enqueued again",
    ),
    PeriodicJob(
        "import_runs_expire", "15 * * * *", dt.timedelta(minutes=10),
        what="import previews never confirmed within a day lose their files",
    ),
    PeriodicJob(
        "patrol_tracks_purge", "30 2 * * *", dt.timedelta(hours=1),
        what="patrol positions older than PATROL_TRACK_RETENTION_DAYS",
    ),
    PeriodicJob(
        "photos_purge_orphans", "45 2 * * *", dt.timedelta(hours=1),
        what="photo files that no row names (their change was rolled back), once PHOTOS_ORPHAN_AFTER_HOURS old",
    ),
    PeriodicJob(
        "insights_rebuild", "0 3 * * *", dt.timedelta(hours=2),
        what="the insights figures recomputed from the cases and proven equal to the live figures",
    ),
    PeriodicJob(
        "notifications_send_digest", "0 7 * * *", dt.timedelta(hours=1), _digest_arguments,
        what="the morning email digest of unread notifications",
    ),
)  # fmt: skip


def job_named(name: str) -> PeriodicJob:
    for job in JOBS:
        if job.name == name:
            return job
    raise KeyError(name)
