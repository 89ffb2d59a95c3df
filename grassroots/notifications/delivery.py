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

Nothing is sent twice, even when two tasks for one notification run at once (the sweep's and a worker's that
was merely slow, or a queue that hands a task out twice): :func:`deliver` sends a notification inside one
transaction that holds its row (``select_for_update``) and first checks that it is not delivered yet, and
:func:`attempt` checks under the same lock that its attempt of the channel was not made (nor the channel
sent) by another task. The second task waits for the first to commit, then finds its work done. On
PostgreSQL the lock is the notification's row: whoever marks that notification read in that moment waits for
the gateway's answer (at most its timeout). On SQLite it is the database's write lock (every transaction
begins IMMEDIATE), so other writers wait while a message is handed to a gateway, as SMS and WeChat always
made them: SQLite suits one small machine. What stays possible on either is the gateway taking a message
and the process dying before its commit: the sweep then sends it again.

Tasks are enqueued with ``oncommit.enqueue_with_commit``: with the database queue in the writer's own
transaction, else on commit; ``manage.py outbox_sweep`` enqueues again what a process lost in between
(:func:`deliveries_sweep`).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django_tasks import task

from grassroots import clock, oncommit
from grassroots.masking import mask_phone

from .channels import send_email
from .gateways import GatewayError, sms_gateway
from .models import AttemptStatus, Channel, DeliveryAttempt, Notification
from .selectors import never_attempted, retries_not_made, sent_since
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
    cannot wait, like the immediate backend of tests), for the current transaction's commit."""
    due = now + dt.timedelta(seconds=seconds)
    oncommit.enqueue_with_commit(
        send_again, notification_id, channel, number, run_after=due if seconds > 0 else None
    )
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


def _still_to_try(notification_id: int, channel: str, number: int) -> bool:
    """Take the notification's row and tell whether attempt ``number`` of ``channel`` is still to be made:
    neither it nor a later one is in the log, and the channel was not sent. Another task trying the same
    attempt holds the row until it commits; this one then finds its row in the log."""
    list(Notification.objects.select_for_update().filter(pk=notification_id).values_list("pk"))
    done = DeliveryAttempt.objects.filter(notification_id=notification_id, channel=channel).filter(
        Q(attempt__gte=number) | Q(status=AttemptStatus.SENT)
    )
    return not done.exists()


def attempt(notification: Notification, channel: str, number: int = 1) -> dict | None:
    """One try at sending ``notification`` through SMS or WeChat, logged; returns the notification's
    ``delivery_log`` entry for the channel, or None when another task made this attempt (or sent the
    channel) first. A retriable failure queues the next try."""
    now = clock.now()
    with transaction.atomic():
        if not _still_to_try(notification.pk, channel, number):
            log.info("%s attempt %s for notification %s: made already", channel, number, notification.pk)
            return None
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


def _undelivered(notification_id: int) -> Notification | None:
    """The notification with its row held until the transaction ends, if it is not delivered yet."""
    return (
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient")
        .filter(pk=notification_id, delivered_at__isnull=True)
        .first()
    )


def _send_through_channels(notification: Notification) -> list[dict]:
    results = []
    for channel in notification.channels:
        try:
            if channel == Channel.EMAIL:
                results.append(send_email(notification).as_log())
            elif channel in (Channel.SMS, Channel.WECHAT):
                entry = attempt(notification, channel, 1)
                if entry is not None:
                    results.append(entry)
            else:
                results.append({"channel": channel, "ok": False, "detail": "unknown channel"})
        except Exception as exc:  # one channel failing must not lose the others
            log.warning("delivery of notification %s via %s failed: %s", notification.pk, channel, exc)
            results.append({"channel": channel, "ok": False, "detail": type(exc).__name__})
    return results


@task()
def deliver(notification_ids: list[int]) -> int:
    """Send each not yet delivered notification through its channels; returns how many were handled.

    Idempotent, also against itself: each notification is sent in a transaction that holds its row and
    first checks that it is still undelivered, so two tasks for one notification (a retried task, the
    sweep's beside a slow worker's) send it once. A failing channel is logged and does not stop the others;
    the retries it queues run after the commit.
    """
    handled = 0
    for notification_id in notification_ids:
        with transaction.atomic():
            notification = _undelivered(notification_id)
            if notification is None:  # delivered by another task, or gone
                continue
            results = _send_through_channels(notification)
            Notification.objects.filter(pk=notification_id).update(
                delivered_at=clock.now(), delivery_log=results
            )
        handled += 1
    return handled


@task()
def send_again(notification_id: int, channel: str, number: int) -> bool:
    """The next attempt at one channel of a notification (queued by :func:`attempt`). Nothing happens when
    the notification is gone, or this attempt or an earlier one was sent after all (:func:`attempt`)."""
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    entry = attempt(notification, channel, number) if notification is not None else None
    if entry is None:
        return False
    _record(notification_id, entry)
    return entry["ok"]


# --- the sweep ------------------------------------------------------------------------------------------------

SWEEP_BATCH = 100  # notifications per deliver task the sweep enqueues


def deliveries_sweep(
    *, after: dt.timedelta, within: dt.timedelta, batch: int = SWEEP_BATCH
) -> dict[str, int]:
    """Enqueue again what a lost task was to send (``manage.py outbox_sweep``, every few minutes): each
    notification with channels made more than ``after`` ago (and less than ``within``) that was never
    attempted, ``batch`` of them to a :func:`deliver` task; and each retry due more than ``after`` ago that
    never ran, as its :func:`send_again`. A task that was only late and runs after all sends nothing twice
    (see the module's docstring). Returns how many of each were enqueued."""
    now = clock.now()
    before, since = now - after, now - within
    ids = list(never_attempted(made_before=before, made_since=since).values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        deliver.enqueue(ids[start : start + batch])
    retries = list(
        retries_not_made(due_before=before, made_since=since).values_list(
            "notification_id", "channel", "attempt"
        )
    )
    for notification_id, channel, number in retries:
        send_again.enqueue(notification_id, channel, number + 1)
    if ids or retries:
        log.warning("outbox sweep: %d notifications and %d retries enqueued again", len(ids), len(retries))
    return {"notifications": len(ids), "retries": len(retries)}
