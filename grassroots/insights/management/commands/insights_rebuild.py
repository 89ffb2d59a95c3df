"""manage.py insights_rebuild [--check]: the pre-aggregated figures again from the cases, proven equal.

Without ``--check``: every ``DailyFact`` and ``AreaDay`` row is recomputed from the cases and ratings (one
transaction), then the figures of every area with cases, down to ``--depth`` levels below the top, over the
whole time the cases span, are compared with the live figures of ``cases.metrics`` (the cohort and ratings
read from the cases): any difference is printed and the command fails.

With ``--check``: nothing is written; the stored rows are compared with a fresh computation and the figures
with the live ones (a timer can run it nightly).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from grassroots.insights.selectors import compare_with_live
from grassroots.insights.services import facts_differences, facts_rebuild


class Command(BaseCommand):
    help = "Recompute the insights figures from the cases and prove them equal to the live figures."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare only; write nothing")
        parser.add_argument(
            "--depth", type=int, default=3, help="levels of areas compared with the live figures (default 3)"
        )

    def handle(self, *args, check: bool, depth: int, **options):
        started = time.monotonic()
        if check:
            differences = facts_differences()
            self.stdout.write(f"rows differing: {differences['facts']} facts, {differences['areas']} areas")
        else:
            written = facts_rebuild()
            self.stdout.write(
                f"rebuilt {written['facts']} fact rows and {written['areas']} area rows "
                f"in {time.monotonic() - started:.1f} s"
            )
            differences = {"facts": 0, "areas": 0}
        compared, mismatches = compare_with_live(depth=depth)
        for line in mismatches:
            self.stderr.write(line)
        self.stdout.write(
            f"compared {compared} areas with the live figures: {len(mismatches)} differ "
            f"({time.monotonic() - started:.1f} s in all)"
        )
        if mismatches or any(differences.values()):
            raise CommandError("the insights figures differ from the cases")
