"""Every write to notifications: create them (``notify``), mark them read, and a person's delivery choice."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grassroots import clock, oncommit
from grassroots.accounts.models import User
from grassroots.errors import DomainError, NotPermitted
from grassroots.messages import Message

from .delivery import deliver
from .models import Channel, Delivery, DeliveryPreference, Notification, Topic, WeChatBinding
from .selectors import channels_for, deliveries_for, missing_address
from .wechat import wechat_gateway


class NotificationError(DomainError):
    code = "notification_error"


_muted: ContextVar[frozenset[int]] = ContextVar("notifications_muted", default=frozenset())


@contextlib.contextmanager
def muted(*users):
    """Inside the block, ``notify`` puts nothing in these users' inboxes. For one act that makes several
    changes, each of which would tell them (an objection's answer takes its case through four steps), when
    the caller tells them once, in its own words, afterwards."""
    token = _muted.set(_muted.get() | {u.pk for u in users if u is not None})
    try:
        yield
    finally:
        _muted.reset(token)


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
    title: str | Message,
    body: str | Message = "",
    target=None,
    channels: Iterable[str] = (),
    topic: str = Topic.GENERAL,
) -> list[Notification]:
    """Put a notification in each recipient's inbox and deliver it through ``channels`` after commit.

    ``recipients`` are users (None and duplicates are skipped); ``target`` is any model instance the
    notification is about (stored by label and id). Titles and bodies are plain text: templates escape them.
    Each recipient's own choice (or default, ``selectors.delivery_for``) adds its channel: an email, an SMS
    or a WeChat message at once; ``topic`` says whether it is a change to their own report, which residents
    registered by phone get by SMS unless they chose otherwise. A notification without a channel waits in
    the inbox (and, for those who want it, the daily digest, ``digest.py``). Delivery is enqueued for the
    commit (``oncommit.enqueue_with_commit``: with the database queue in this very transaction), so a
    rolled-back change sends nothing; a delivery lost between a commit and the enqueue (another queue, a
    process killed in between) is enqueued again by ``manage.py outbox_sweep``.
    """
    wanted = [str(c) for c in channels if str(c) != Channel.IN_APP]
    unknown = set(wanted) - set(Channel.values)
    if unknown:
        raise ValueError(f"unknown channels: {sorted(unknown)}")
    if topic not in Topic.values:
        raise ValueError(f"unknown topic: {topic}")
    seen: set[int] = set()
    muted_ids = _muted.get()
    users = []
    for user in recipients:
        if user is None or user.pk in seen or user.pk in muted_ids or not getattr(user, "is_active", True):
            continue
        seen.add(user.pk)
        users.append(user)
    deliveries = deliveries_for(users) if users else {}
    title_text, title_data = _written(title)
    body_text, body_data = _written(body)
    rows = [
        Notification(
            recipient=user,
            title=title_text[:200],
            body=body_text,
            title_message=title_data,
            body_message=body_data,
            topic=topic,
            channels=_joined(wanted, channels_for(deliveries[user.pk], topic)),
            **_target_fields(target),
        )
        for user in users
    ]
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.channels]
    if ids:
        oncommit.enqueue_with_commit(deliver, ids)
    return created


def _written(text) -> tuple[str, dict]:
    """A title or body as stored: the default language's words, and the message itself when it is one."""
    if isinstance(text, Message):
        return text.in_language(settings.LANGUAGE_CODE), text.as_data()
    return str(text), {}


def _joined(asked: list[str], chosen: list[str]) -> list[str]:
    return asked + [c for c in chosen if c not in asked]


def notification_mark_read(*, actor: User, notification: Notification) -> None:
    """Mark one of the actor's own notifications read, with every other about the same object (someone
    else's: nothing happens)."""
    Notification.objects.filter(pk=notification.pk, recipient=actor, read_at__isnull=True).update(
        read_at=clock.now()
    )
    if notification.recipient_id == actor.pk and notification.target_type:
        Notification.objects.filter(
            recipient=actor,
            read_at__isnull=True,
            target_type=notification.target_type,
            target_id=notification.target_id,
        ).update(read_at=clock.now())


def mark_read_about(*, actor: User, target) -> int:
    """The actor opened ``target`` (a case, a topic, a notice): everything their inbox says about it is read."""
    if not getattr(actor, "is_authenticated", False) or target is None:
        return 0
    return Notification.objects.filter(
        recipient=actor, read_at__isnull=True, target_type=target._meta.label_lower, target_id=str(target.pk)
    ).update(read_at=clock.now())


def notification_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=clock.now())


@transaction.atomic
def delivery_preference_set(*, actor: User | None, user, delivery: str) -> DeliveryPreference:
    """Record how ``user`` wants their notifications besides the inbox (a value of ``Delivery``).

    Only the person themselves chooses: anyone else is refused. SMS needs a mobile on record, WeChat a
    connected WeChat when a WeChat gateway is configured (an email choice without an address leaves the
    inbox only, as the settings page says). Applies to notifications made from now on; those already waiting for the digest
    still go out in it.
    """
    if actor is None or not actor.is_authenticated or actor.pk != user.pk:
        raise NotPermitted(_("You can only change how your own notifications reach you."))
    if delivery not in Delivery.values:
        raise NotificationError(
            _("Choose how notifications reach you: %(choices)s.")
            % {"choices": " / ".join(f"{value} ({label})" for value, label in Delivery.choices)},
            code="invalid_delivery",
            status=422,
        )
    missing = missing_address(user, delivery)
    if missing:
        raise NotificationError(missing, code="no_address", status=422)
    preference, _created = DeliveryPreference.objects.update_or_create(
        user=user, defaults={"delivery": delivery}
    )
    return preference


# --- a person's WeChat --------------------------------------------------------------------------------------


@transaction.atomic
def wechat_connect(*, actor: User | None, code: str) -> WeChatBinding:
    """Connect the actor's WeChat: exchange the code WeChat sent back for their OpenID and keep it. An
    OpenID already connected to another account is refused (one WeChat, one person)."""
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Log in to connect your WeChat."))
    openid = wechat_gateway().openid_for_code(code)
    taken = WeChatBinding.objects.filter(openid=openid).exclude(user=actor).exists()
    if taken:
        raise NotificationError(
            _("This WeChat is connected to another account; disconnect it there first."), code="wechat_taken"
        )
    binding, _created = WeChatBinding.objects.update_or_create(user=actor, defaults={"openid": openid})
    return binding


@transaction.atomic
def wechat_disconnect(*, actor: User) -> None:
    """Forget the actor's WeChat; a choice of WeChat falls back to the default (nothing would arrive)."""
    WeChatBinding.objects.filter(user=actor).delete()
    DeliveryPreference.objects.filter(user=actor, delivery=Delivery.WECHAT).delete()
