"""Reads of the inbox (a user sees only their own notifications), of how each person's notifications reach
them, and of the delivery log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import RoleGrant, User
from grassroots.accounts.scoping import STAFF_ROLES, has_role
from grassroots.areas.codes import ancestor_codes

from .models import AttemptStatus, Channel, Delivery, DeliveryAttempt, DeliveryPreference, Notification, Topic
from .wechat import wechat_needs_connection, wechat_openid_for


def inbox_for(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def inbox_threads_for(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The inbox one line per object: the newest notification about each case, topic or notice (those about
    nothing stand alone), newest first. :func:`thread_counts` tells how many each line gathers."""
    own = inbox_for(user=user, unread_only=unread_only)
    newest = (
        own.exclude(target_type="").values("target_type", "target_id").annotate(last=Max("pk")).values("last")
    )
    return own.filter(Q(target_type="") | Q(pk__in=newest)).order_by("-created_at", "-pk")


def thread_counts(*, user, rows) -> dict[int, tuple[int, int]]:
    """For each row of :func:`inbox_threads_for`: (notifications about its object, unread among them)."""
    targets = {(n.target_type, n.target_id) for n in rows if n.target_type}
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    if targets:
        q = Q()
        for kind, pk in targets:
            q |= Q(target_type=kind, target_id=pk)
        for row in (
            Notification.objects.filter(recipient=user)
            .filter(q)
            .values("target_type", "target_id")
            .annotate(n=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
        ):
            counts[(row["target_type"], row["target_id"])] = (row["n"], row["unread"])
    return {
        n.pk: counts.get((n.target_type, n.target_id), (1, 0 if n.read_at else 1))
        if n.target_type
        else (1, 0 if n.read_at else 1)
        for n in rows
    }


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


def never_attempted(*, made_before: dt.datetime, made_since: dt.datetime) -> QuerySet[Notification]:
    """Notifications made between ``made_since`` and ``made_before`` that have channels but were neither
    delivered nor attempted on any of them: their delivery task was lost, or is very late (oldest first)."""
    attempted = DeliveryAttempt.objects.filter(notification=OuterRef("pk"))
    return (
        Notification.objects.filter(
            delivered_at__isnull=True, created_at__lt=made_before, created_at__gte=made_since
        )
        .exclude(channels=[])
        .exclude(Exists(attempted))
        .order_by("pk")
    )


def retries_not_made(*, due_before: dt.datetime, made_since: dt.datetime) -> QuerySet[DeliveryAttempt]:
    """Attempts made since ``made_since`` that failed or waited, whose next attempt was due before
    ``due_before`` and after which nothing is logged for the channel: the retry's task was lost, or is very
    late (oldest first)."""
    later = DeliveryAttempt.objects.filter(
        notification_id=OuterRef("notification_id"),
        channel=OuterRef("channel"),
        attempt__gt=OuterRef("attempt"),
    )
    return (
        DeliveryAttempt.objects.filter(
            status__in=[AttemptStatus.FAILED, AttemptStatus.DEFERRED],
            at__gte=made_since,
            next_at__lt=due_before,
        )
        .exclude(Exists(later))
        .order_by("pk")
    )


def nearest_holders(code: str, roles: Iterable[str], *, allowed=None, besides: Iterable = ()) -> list[User]:
    """Who is told of work in area ``code``: the active users holding one of ``roles`` on ``code`` or an area
    above it, at the nearest level that has any (the deepest granted area; a township hears only when its
    village has nobody), for whom ``allowed(user)`` holds, ``besides`` (the actor, the person concerned) left
    out. Oldest grants first within a level."""
    left_out = {getattr(u, "pk", None) for u in besides if u is not None}
    grants = (
        RoleGrant.objects.filter(role__in=list(roles), area_code__in=ancestor_codes(code))
        .select_related("user")
        .order_by("-area_code", "pk")
    )
    by_depth: dict[int, list[User]] = {}
    for grant in grants:
        user = grant.user
        if not user.is_active or user.pk in left_out or user in by_depth.get(len(grant.area_code), []):
            continue
        by_depth.setdefault(len(grant.area_code), []).append(user)
    for depth in sorted(by_depth, reverse=True):
        found = [u for u in by_depth[depth] if allowed is None or allowed(u)]
        if found:
            return found
    return []
