"""Reads of the inbox (a user sees only their own notifications), of how each person's notifications reach
them, and of the delivery log."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import RoleGrant, User
from grassroots.accounts.scoping import STAFF_ROLES, has_role

from .models import AttemptStatus, Channel, Delivery, DeliveryAttempt, DeliveryPreference, Notification, Topic
from .wechat import wechat_needs_connection, wechat_openid_for


def inbox_for(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_count_for(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# --- how notifications reach a person ---------------------------------------------------------------------


def default_delivery(*, has_phone: bool, is_staff: bool) -> str:
    """Without a choice: a resident registered by phone (a mobile on record, no staff role) gets an SMS for
    changes to their own reports; everyone else the daily email digest."""
    return Delivery.SMS_OWN_REPORTS if has_phone and not is_staff else Delivery.DIGEST


def delivery_for(*, user) -> str:
    """The user's own choice (a value of ``Delivery``), or their default."""
    chosen = DeliveryPreference.objects.filter(user=user).values_list("delivery", flat=True).first()
    if chosen:
        return chosen
    return default_delivery(has_phone=bool(user.phone_hash), is_staff=has_role(user, STAFF_ROLES))


def missing_address(user, delivery: str) -> str:
    """Why ``user`` cannot choose ``delivery`` (empty when they can)."""
    if delivery in (Delivery.SMS, Delivery.SMS_OWN_REPORTS) and not user.phone_hash:
        return str(_("SMS needs a mobile number on your account; ask your administrator to add one."))
    if delivery == Delivery.WECHAT and wechat_needs_connection() and not wechat_openid_for(user):
        return str(_("Connect your WeChat first (the link on this page, opened in WeChat)."))
    return ""


def delivery_options_for(*, user) -> dict:
    """What the settings page and the API show: each choice with why it is not open to the user (empty
    when it is), whether the user has chosen at all, and where messages go (masked)."""
    needs_wechat = wechat_needs_connection()
    return {
        "choices": [(value, label, missing_address(user, value)) for value, label in Delivery.choices],
        "is_default": not DeliveryPreference.objects.filter(user=user).exists(),
        "email": user.email,
        "phone_masked": user.phone_masked if user.phone_hash else "",
        "wechat_needs_connection": needs_wechat,
        "wechat_connected": bool(wechat_openid_for(user)) if needs_wechat else False,
    }


def deliveries_for(users) -> dict[int, str]:
    """Each user's choice or default, in one query whatever the number of users."""
    ids = [u.pk for u in users]
    if not ids:
        return {}
    staff = RoleGrant.objects.filter(user=OuterRef("pk"), role__in=STAFF_ROLES)
    rows = (
        User.objects.filter(pk__in=ids)
        .annotate(chosen=F("delivery_preference__delivery"), staff_role=Exists(staff))
        .values_list("pk", "chosen", "staff_role", "phone_hash")
    )
    return {
        pk: chosen or default_delivery(has_phone=bool(phone_hash), is_staff=staff_role)
        for pk, chosen, staff_role, phone_hash in rows
    }


def channels_for(delivery: str, topic: str) -> list[str]:
    """The channels a notification on ``topic`` takes for a person who chose ``delivery`` (the digest is
    not a channel: it collects later what took none)."""
    if delivery == Delivery.IMMEDIATE:
        return [Channel.EMAIL]
    if delivery == Delivery.SMS or (delivery == Delivery.SMS_OWN_REPORTS and topic == Topic.OWN_REPORT):
        return [Channel.SMS]
    if delivery == Delivery.WECHAT:
        return [Channel.WECHAT]
    return []


def digest_recipients_q() -> Q:
    """Notifications whose recipient wants the daily digest: by choice, or by default (no choice, and staff
    or without a mobile on record)."""
    staff = RoleGrant.objects.filter(user=OuterRef("recipient"), role__in=STAFF_ROLES)
    return Q(recipient__delivery_preference__delivery=Delivery.DIGEST) | (
        Q(recipient__delivery_preference__isnull=True)
        & (Q(recipient__phone_hash__isnull=True) | Q(Exists(staff)))
    )


# --- the delivery log -----------------------------------------------------------------------------------------


def sent_since(*, channel: str, since: dt.datetime, recipient=None) -> int:
    """Messages the gateway took since ``since`` on ``channel`` (for one recipient, or for everyone)."""
    qs = DeliveryAttempt.objects.filter(channel=channel, status=AttemptStatus.SENT, at__gte=since)
    if recipient is not None:
        qs = qs.filter(recipient=recipient)
    return qs.count()


def was_sent(*, notification_id: int, channel: str) -> bool:
    return DeliveryAttempt.objects.filter(
        notification_id=notification_id, channel=channel, status=AttemptStatus.SENT
    ).exists()
