"""Reads of the inbox: a user sees only their own notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Delivery, DeliveryPreference, Notification


def inbox_for(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_count_for(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def delivery_for(*, user) -> str:
    """The user's own choice (a value of ``Delivery``); the digest when they have not chosen."""
    chosen = DeliveryPreference.objects.filter(user=user).values_list("delivery", flat=True).first()
    return chosen or Delivery.DIGEST


def immediate_recipient_ids(user_ids) -> set[int]:
    """Of these users, those who want each notification at once."""
    return set(
        DeliveryPreference.objects.filter(user_id__in=user_ids, delivery=Delivery.IMMEDIATE).values_list(
            "user_id", flat=True
        )
    )
