"""Run the periodic jobs' scheduler (grassroots.operations.scheduler, the real table and commands) on a fast
clock, for tests/operations/test_periodic.py: ``python -m tests.operations.fast_clock_scheduler START_ISO
SPEED SECONDS``.

Once set up it prints "ready" and reads WALL_START (Unix time) from its input: the simulated time is START
until the wall clock reaches WALL_START (so that two such processes agree), then runs SPEED times as fast;
after SECONDS of it the scheduler stops. APScheduler
reads ``datetime.now`` for its due jobs and sleeps for the returned wait: both are moved onto the fast clock.
At the end one JSON line says how many occurrences this process ran and how many it found taken.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import time

import django


def main() -> None:
    start, speed, seconds = dt.datetime.fromisoformat(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    wall_start = float("inf")
    django.setup()
    import apscheduler.schedulers.base as base
    from apscheduler.schedulers.blocking import BlockingScheduler

    from grassroots.operations import scheduler as scheduling

    def fast_now() -> dt.datetime:
        if time.time() < wall_start:
            return start
        return start + dt.timedelta(seconds=max(0.0, time.time() - wall_start) * speed)

    class FastDatetime(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return fast_now().astimezone(tz)

    base.datetime = FastDatetime  # the scheduler's "now"

    class FastScheduler(BlockingScheduler):
        def _process_jobs(self):
            wait = super()._process_jobs()
            return None if wait is None else wait / speed

    counts = {"ran": 0, "taken": 0}
    real_job_run = scheduling.job_run

    def counted_job_run(**kwargs):
        run = real_job_run(**kwargs)
        counts["ran" if run is not None else "taken"] += 1
        return run

    scheduling.job_run = counted_job_run
    scheduler = scheduling.scheduler_build(FastScheduler)
    print("ready", flush=True)
    wall_start = float(sys.stdin.readline())
    stop_at = wall_start + seconds
    threading.Timer(max(0.0, stop_at - time.time()), scheduler.shutdown).start()
    scheduler.start()
    print(json.dumps(counts), flush=True)


if __name__ == "__main__":
    main()
