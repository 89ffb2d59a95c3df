"""Every write to notifications: create them (``notify``) and mark them read."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from grassroots import clock

from .delivery import deliver
from .models import Channel, Notification


def _target_fields(target) -> dict:
    if target is None:
        return {}
    return {
        "target_type": target._meta.label_lower,
        "target_id": str(target.pk),
        "area_code": getattr(target, "area_code", "") or getattr(target, "code", "") or "",
    }


@transaction.atomic
def notify(
    *,
    recipients: Iterable,
    title: str,
    body: str = "",
    target=None,
    channels: Iterable[str] = (),
) -> list[Notification]:
    """Put a notification in each recipient's inbox and deliver it through ``channels`` after commit.

    ``recipients`` are users (None and duplicates are skipped); ``target`` is any model instance the
    notification is about (stored by label and id). Titles and bodies are plain text: templates escape them.
    Delivery is enqueued with ``transaction.on_commit``, so a rolled-back change sends nothing.
    """
    wanted = [str(c) for c in channels if str(c) != Channel.IN_APP]
    unknown = set(wanted) - set(Channel.values)
    if unknown:
        raise ValueError(f"unknown channels: {sorted(unknown)}")
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not getattr(user, "is_active", True):
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient=user,
                title=str(title)[:200],
                body=str(body),
                channels=wanted,
                **_target_fields(target),
            )
        )
    created = Notification.objects.bulk_create(rows)
    if wanted and created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: deliver.enqueue(ids))
    return created


def notification_mark_read(*, actor, notification: Notification) -> None:
    """Mark one of the actor's own notifications read (someone else's: nothing happens)."""
    Notification.objects.filter(pk=notification.pk, recipient=actor, read_at__isnull=True).update(
        read_at=clock.now()
    )


def notification_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=clock.now())
