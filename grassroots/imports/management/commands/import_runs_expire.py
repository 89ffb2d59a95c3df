"""manage.py import_runs_expire: drop the files of import previews never confirmed within a day."""

from django.core.management.base import BaseCommand

from grassroots.imports.services import import_runs_expire


class Command(BaseCommand):
    help = (
        "Mark import previews (areas, boundaries, rosters, hotline sheets) older than a day that were never "
        "confirmed as expired and drop their files; the reports stay. The periodic jobs run it hourly."
    )

    def handle(self, *args, **options):
        expired = import_runs_expire()
        self.stdout.write(f"expired {expired} import preview(s)")
