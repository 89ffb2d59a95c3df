"""manage.py photos_purge_orphans: delete photo files that no row names (written for a rolled-back change)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand

from grassroots import clock, photos


class Command(BaseCommand):
    help = (
        "Delete the files in the photo folders that no row names and that are older than "
        "PHOTOS_ORPHAN_AFTER_HOURS: photos are written before their change commits, so a change rolled back "
        "leaves its files behind. Looks through the last two months' folders (--all-months: every one). "
        "The periodic jobs run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=None, help="override PHOTOS_ORPHAN_AFTER_HOURS")
        parser.add_argument("--all-months", action="store_true", help="look through every month's folder")
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be deleted, delete nothing"
        )

    def handle(self, *args, hours=None, all_months=False, dry_run=False, **options):
        hours = settings.PHOTOS_ORPHAN_AFTER_HOURS if hours is None else hours
        since = None if all_months else clock.today() - dt.timedelta(days=31)
        purged = photos.orphans_purge(older_than=dt.timedelta(hours=hours), since=since, dry_run=dry_run)
        for name in purged.deleted:
            self.stdout.write(f"{'would delete' if dry_run else 'deleted'} {name}")
        self.stdout.write(
            f"{purged.months} month folder(s), {purged.files} file(s), {purged.unnamed} named by no row, "
            f"{len(purged.deleted)} older than {hours} h {'to delete' if dry_run else 'deleted'}"
        )
