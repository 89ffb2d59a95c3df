"""manage.py notifications_send_digest: the daily email digest of unread notifications (run by a timer)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from grassroots import clock
from grassroots.notifications.digest import digest_send


class Command(BaseCommand):
    help = (
        "Email everyone the digest of their unread notifications of the last --hours hours (default 24) that "
        "were not sent to them otherwise. Each notification goes into one digest at most; run it once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24)
        parser.add_argument(
            "--inbox-url", default="", help="the inbox address to put in the email, e.g. https://host/inbox/"
        )

    def handle(self, *args, hours, inbox_url, **options):
        if hours < 1:
            raise CommandError("--hours must be at least 1")
        outcome = digest_send(since=clock.now() - dt.timedelta(hours=hours), inbox_url=inbox_url)
        self.stdout.write(f"digest: {outcome.notifications} notification(s) to {outcome.people} people")
