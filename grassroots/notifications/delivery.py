"""The delivery task: sends notifications through their channels, off the request path.

It lives here rather than in ``tasks.py`` because services enqueue it (services may not import the
``tasks`` layer). Run by whichever django-tasks backend settings.TASKS names: the database backend
(``manage.py db_worker``) by default, RQ on Redis for several machines.
"""

from __future__ import annotations

import logging

from django_tasks import task

from grassroots import clock

from .channels import SENDERS
from .models import Notification

log = logging.getLogger("grassroots.notifications")


@task()
def deliver(notification_ids: list[int]) -> int:
    """Send each not yet delivered notification through its channels; returns how many were handled.

    Idempotent: a notification already delivered is skipped, so a retried task sends nothing twice.
    A failing channel is logged in ``delivery_log`` and does not stop the others.
    """
    handled = 0
    pending = Notification.objects.filter(pk__in=notification_ids, delivered_at__isnull=True).select_related(
        "recipient"
    )
    for notification in pending:
        results = []
        for channel in notification.channels:
            sender = SENDERS.get(channel)
            if sender is None:
                results.append({"channel": channel, "ok": False, "detail": "unknown channel"})
                continue
            try:
                results.append(sender(notification).as_log())
            except Exception as exc:  # one channel failing must not lose the others
                log.warning("delivery of notification %s via %s failed: %s", notification.pk, channel, exc)
                results.append({"channel": channel, "ok": False, "detail": type(exc).__name__})
        Notification.objects.filter(pk=notification.pk, delivered_at__isnull=True).update(
            delivered_at=clock.now(), delivery_log=results
        )
        handled += 1
    return handled
