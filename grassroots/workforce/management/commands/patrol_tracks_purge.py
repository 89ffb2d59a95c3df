"""Delete patrol tracks older than PATROL_TRACK_RETENTION_DAYS. Run it daily (cron or a systemd timer)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from grassroots.workforce.services.patrols import patrol_tracks_purge


class Command(BaseCommand):
    help = "Delete the recorded positions of patrols older than PATROL_TRACK_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="override the configured retention")

    def handle(self, *args, days=None, **options):
        days = settings.PATROL_TRACK_RETENTION_DAYS if days is None else days
        deleted = patrol_tracks_purge(days=days)
        self.stdout.write(f"deleted {deleted} patrol positions older than {days} days")
