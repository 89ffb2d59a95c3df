"""manage.py periodic_jobs: run the periodic jobs of grassroots/operations/jobs.py until SIGTERM/SIGINT.

``scripts/serve`` starts one per machine; several may run against one database (each occurrence runs once).
``--list`` prints the table and each job's next time instead.
"""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand

from grassroots import clock
from grassroots.operations.jobs import JOBS
from grassroots.operations.scheduler import scheduler_build, trigger_for


class Command(BaseCommand):
    help = "Run the periodic jobs (deadline scan, digest, purges, insights rebuild) on their schedules."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="print the jobs and their next times")

    def handle(self, *args, list: bool, **options):
        if list:
            now = clock.now()
            for job in JOBS:
                nxt = trigger_for(job).get_next_fire_time(None, now)
                self.stdout.write(
                    f"{job.name:28} {job.schedule:14} lock {job.lock}  next {nxt:%Y-%m-%d %H:%M %Z}"
                )
            return
        scheduler = scheduler_build()

        def stop(signum, frame):
            # Stop taking occurrences; a job that is running finishes (its lock is freed then, or expires).
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        scheduler.start()  # blocks until shutdown
