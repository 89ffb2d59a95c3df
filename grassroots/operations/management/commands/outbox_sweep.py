"""manage.py outbox_sweep: enqueue again the notifications and webhook tries whose task was lost."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand

from grassroots.integrations.services.webhooks import webhooks_sweep
from grassroots.notifications.delivery import deliveries_sweep


class Command(BaseCommand):
    help = (
        "Enqueue again what a task lost between a commit and its enqueue was to send: notifications with "
        "channels never attempted, retries of SMS and WeChat that never ran, and webhook tries never made, "
        "once OUTBOX_SWEEP_AFTER_SECONDS late and within OUTBOX_SWEEP_WITHIN_HOURS. Nothing is sent twice. "
        "The periodic jobs run it every 5 minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--after-seconds", type=int, default=None, help="override how late counts as lost"
        )
        parser.add_argument("--within-hours", type=int, default=None, help="override how far back to look")

    def handle(self, *args, after_seconds=None, within_hours=None, **options):
        after = dt.timedelta(
            seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS if after_seconds is None else after_seconds
        )
        within = dt.timedelta(
            hours=settings.OUTBOX_SWEEP_WITHIN_HOURS if within_hours is None else within_hours
        )
        counts = {
            **deliveries_sweep(after=after, within=within),
            **webhooks_sweep(after=after, within=within),
        }
        self.stdout.write(
            "enqueued again: {notifications} notification(s), {retries} retry(ies), {webhooks} webhook "
            "try(ies); {webhooks_given_up} webhook delivery(ies) given up".format(**counts)
        )
