"""The delivery tasks: send notifications through their channels, off the request path, with retries, rate
limits and a delivery log.

They live here rather than in ``tasks.py`` because services enqueue them (services may not import the
``tasks`` layer). Run by whichever django-tasks backend settings.TASKS names: the database backend
(``manage.py db_worker``) by default, RQ on Redis for several machines.

- :func:`deliver` takes the notifications just made and sends each through its channels: email at once;
  SMS and WeChat through one :func:`attempt` each.
- :func:`attempt` writes one :class:`~grassroots.notifications.models.DeliveryAttempt` (the delivery log)
  for every try: sent, failed and queued again (:func:`send_again`, after ``NOTIFICATIONS_RETRY_SECONDS``),
  given up (refused by the gateway, or the last of ``NOTIFICATIONS_SEND_ATTEMPTS``), held back because the
  person had ``NOTIFICATIONS_SMS_PER_PERSON_HOUR`` / ``…_DAY`` messages already, deferred a minute because
  the gateway's rate ``NOTIFICATIONS_SMS_PER_MINUTE`` is reached, or skipped (no mobile, WeChat not
  connected). The inbox keeps every notification whatever happens to its messages.

Sending twice is avoided: a notification already delivered is skipped by :func:`deliver`, and
:func:`send_again` does nothing once an attempt of the channel was sent.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django_tasks import task

from grassroots import clock
from grassroots.masking import mask_phone

from .channels import send_email
from .gateways import GatewayError, sms_gateway
from .models import AttemptStatus, Channel, DeliveryAttempt, Notification
from .selectors import sent_since, was_sent
from .texts import fit, words_of
from .wechat import wechat_gateway, wechat_openid_for

log = logging.getLogger("grassroots.notifications")


def _setting(name: str, default):
    return getattr(settings, name, default)


def retry_delays() -> list[int]:
    """Seconds to wait before each next attempt (the last value repeats)."""
    return list(_setting("NOTIFICATIONS_RETRY_SECONDS", [60, 300, 1800])) or [60]


def max_attempts() -> int:
    return int(_setting("NOTIFICATIONS_SEND_ATTEMPTS", 4))


def sms_text(notification):
    """The SMS a notification makes: the inbox's words in the configured template, within the length."""
    title, body = words_of(notification)
    return fit(
        title,
        body,
        param_names=dict(_setting("NOTIFICATIONS_SMS_TEMPLATE_PARAMS", {"title": "title", "body": "body"})),
        template=_setting("NOTIFICATIONS_SMS_TEMPLATE_TEXT", "${title}：${body}"),
        signature=_setting("NOTIFICATIONS_SMS_SIGN_NAME", ""),
        max_segments=int(_setting("NOTIFICATIONS_SMS_MAX_SEGMENTS", 1)),
        param_max_chars=int(_setting("NOTIFICATIONS_SMS_PARAM_MAX_CHARS", 0)) or None,
    )


def _log(notification, channel: str, gateway: str, number: int, status: str, **fields) -> DeliveryAttempt:
    fields.setdefault("at", clock.now())
    return DeliveryAttempt.objects.create(
        notification=notification,
        recipient_id=notification.recipient_id,
        channel=channel,
        gateway=gateway,
        attempt=number,
        status=status,
        **fields,
    )


def _queue_again(
    notification_id: int, channel: str, number: int, seconds: int, now: dt.datetime
) -> dt.datetime:
    """Enqueue :func:`send_again` for attempt ``number`` in ``seconds`` (at once where the task backend
    cannot wait, like the immediate backend of tests), after the current transaction commits."""
    due = now + dt.timedelta(seconds=seconds)

    def enqueue():
        if seconds > 0 and send_again.get_backend().supports_defer:
            send_again.using(run_after=due).enqueue(notification_id, channel, number)
        else:
            send_again.enqueue(notification_id, channel, number)

    transaction.on_commit(enqueue)
    return due


def _rate_check(notification, channel: str) -> str:
    """ "" when the message may go now; else ``rate_limited`` (the person had enough) or ``deferred``."""
    if channel != Channel.SMS:
        return ""
    now = clock.now()
    per_hour = int(_setting("NOTIFICATIONS_SMS_PER_PERSON_HOUR", 5))
    per_day = int(_setting("NOTIFICATIONS_SMS_PER_PERSON_DAY", 20))
    recipient = notification.recipient
    if (
        per_hour
        and sent_since(channel=channel, since=now - dt.timedelta(hours=1), recipient=recipient) >= per_hour
    ):
        return AttemptStatus.RATE_LIMITED
    if (
        per_day
        and sent_since(channel=channel, since=now - dt.timedelta(days=1), recipient=recipient) >= per_day
    ):
        return AttemptStatus.RATE_LIMITED
    per_minute = int(_setting("NOTIFICATIONS_SMS_PER_MINUTE", 300))
    if per_minute and sent_since(channel=channel, since=now - dt.timedelta(minutes=1)) >= per_minute:
        return AttemptStatus.DEFERRED
    return ""


def _gateway_and_address(notification: Notification, channel: str):
    """The channel's gateway, the recipient's address on it ("" when they have none) and that address as the
    log shows it."""
    if channel == Channel.SMS:
        address = notification.recipient.phone or ""
        return sms_gateway(), address, mask_phone(address) if address else ""
    gateway = wechat_gateway()
    address = wechat_openid_for(notification.recipient) if gateway.needs_connection else "logging"
    return gateway, address, f"openid …{address[-4:]}" if gateway.needs_connection and address else ""


def _held(notification: Notification, channel: str, gateway, number: int, common: dict, now) -> dict | None:
    """The answer when a rate limit holds the message back (logged, queued again if it may wait)."""
    held = _rate_check(notification, channel)
    if held == AttemptStatus.RATE_LIMITED:
        _log(notification, channel, gateway.name, number, held, gateway_message="per-person limit", **common)
        return {"channel": channel, "ok": False, "detail": "rate limited"}
    if held != AttemptStatus.DEFERRED:
        return None
    # the wait counts as an attempt, so that a gateway rate that never eases ends somewhere
    if number >= max_attempts():
        _log(
            notification, channel, gateway.name, number, AttemptStatus.GAVE_UP,
            gateway_message="gateway rate", **common,
        )  # fmt: skip
        return {"channel": channel, "ok": False, "detail": "gateway rate"}
    due = _queue_again(notification.pk, channel, number + 1, 60, now)
    _log(notification, channel, gateway.name, number, held, next_at=due, **common)
    return {"channel": channel, "ok": False, "detail": "deferred"}


def _failed(notification: Notification, channel: str, gateway, number: int, exc, common: dict, now) -> dict:
    """A gateway refused or failed: queue the next try when it may help, else give up; logged either way."""
    if exc.retriable and number < max_attempts():
        delays = retry_delays()
        delay = delays[min(number - 1, len(delays) - 1)]
        due = _queue_again(notification.pk, channel, number + 1, delay, now)
        status, next_at = AttemptStatus.FAILED, due
    else:
        status, next_at = AttemptStatus.GAVE_UP, None
    log.warning("%s for notification %s, attempt %s: %s", channel, notification.pk, number, exc.code)
    _log(
        notification, channel, gateway.name, number, status,
        code=exc.code[:64], gateway_message=exc.detail, next_at=next_at, **common,
    )  # fmt: skip
    return {"channel": channel, "ok": False, "detail": "retrying" if next_at else exc.code}


def attempt(notification: Notification, channel: str, number: int = 1) -> dict:
    """One try at sending ``notification`` through SMS or WeChat, logged; returns the notification's
    ``delivery_log`` entry for the channel. A retriable failure queues the next try."""
    now = clock.now()
    with transaction.atomic():
        gateway, address, to_masked = _gateway_and_address(notification, channel)
        common = {"to_masked": to_masked, "at": now}
        if not address:
            why = "no mobile on record" if channel == Channel.SMS else "WeChat not connected"
            _log(
                notification,
                channel,
                gateway.name,
                number,
                AttemptStatus.SKIPPED,
                gateway_message=why,
                **common,
            )
            return {"channel": channel, "ok": False, "detail": why}
        held = _held(notification, channel, gateway, number, common, now)
        if held is not None:
            return held
        try:
            if channel == Channel.SMS:
                sms = sms_text(notification)
                common["segments"] = sms.segments
                accepted = gateway.send(to=address, sms=sms, reference=str(notification.pk))
            else:
                title, body = words_of(notification)
                accepted = gateway.send(to=address, title=title, body=body, notification=notification)
        except GatewayError as exc:
            return _failed(notification, channel, gateway, number, exc, common, now)
        _log(
            notification, channel, gateway.name, number, AttemptStatus.SENT,
            message_id=accepted.message_id[:64], code=accepted.code[:64], gateway_message=accepted.detail, **common,
        )  # fmt: skip
        return {"channel": channel, "ok": True, "detail": accepted.code}


def _record(notification_id: int, entry: dict) -> None:
    """Put the channel's latest outcome into the notification's ``delivery_log``."""
    with transaction.atomic():
        row = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if row is None:
            return
        entries = [e for e in row.delivery_log if e.get("channel") != entry["channel"]] + [entry]
        Notification.objects.filter(pk=notification_id).update(delivery_log=entries)


@task()
def deliver(notification_ids: list[int]) -> int:
    """Send each not yet delivered notification through its channels; returns how many were handled.

    Idempotent: a notification already delivered is skipped, so a retried task sends nothing twice.
    A failing channel is logged and does not stop the others.
    """
    handled = 0
    pending = Notification.objects.filter(pk__in=notification_ids, delivered_at__isnull=True).select_related(
        "recipient"
    )
    for notification in pending:
        results = []
        for channel in notification.channels:
            try:
                if channel == Channel.EMAIL:
                    results.append(send_email(notification).as_log())
                elif channel in (Channel.SMS, Channel.WECHAT):
                    results.append(attempt(notification, channel, 1))
                else:
                    results.append({"channel": channel, "ok": False, "detail": "unknown channel"})
            except Exception as exc:  # one channel failing must not lose the others
                log.warning("delivery of notification %s via %s failed: %s", notification.pk, channel, exc)
                results.append({"channel": channel, "ok": False, "detail": type(exc).__name__})
        with transaction.atomic():
            row = Notification.objects.select_for_update().filter(pk=notification.pk).first()
            if row is None or row.delivered_at is not None:
                continue
            # a retry that already ran (the immediate task backend runs it at once) wrote its own outcome
            later = {e.get("channel"): e for e in row.delivery_log}
            Notification.objects.filter(pk=notification.pk).update(
                delivered_at=clock.now(), delivery_log=[later.get(r["channel"], r) for r in results]
            )
        handled += 1
    return handled


@task()
def send_again(notification_id: int, channel: str, number: int) -> bool:
    """The next attempt at one channel of a notification (queued by :func:`attempt`). Nothing happens when
    the notification is gone or an earlier attempt was sent after all."""
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or was_sent(notification_id=notification_id, channel=channel):
        return False
    entry = attempt(notification, channel, number)
    _record(notification_id, entry)
    return entry["ok"]
