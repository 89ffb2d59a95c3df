"""Webhook subscriptions and their deliveries.

An outside system's key may have subscriptions: an address, the kinds of event it wants (case, notice,
topic) and a signing secret (shown once). Each event of the key's area that a subscription wants becomes one
:class:`~grassroots.integrations.models.WebhookDelivery` (once per event), sent by the task
:func:`webhook_deliver` through the task queue: a JSON body signed with HMAC-SHA256 over timestamp and body
(:mod:`grassroots.integrations.signing`), each try logged as a ``WebhookAttempt``. A failed try is tried again
after ``WEBHOOKS_RETRY_SECONDS`` (the last value repeats) until ``WEBHOOKS_ATTEMPTS`` tries; a subscription
whose last ``WEBHOOKS_DISABLE_AFTER`` tries in a row all failed is disabled (audited) until an administrator
enables it again.

The events come from the writers of each timeline (``cases.events``, ``disclosure.lifecycle``,
``deliberation.timeline``), whose listeners (registered in ``IntegrationsConfig.ready``) look for
subscriptions once the writer's transaction has committed: an event that was rolled back is never sent, and
the writer's own transaction does no extra work. Which kinds of event any active subscription wants is kept
per process (:data:`_subscribed`, keyed by the ``SubscriptionVersion`` row that every change of a
subscription bumps), so that an event nobody subscribed to costs no query at all; a process sees another's
new subscription within ``WEBHOOKS_CHECK_SECONDS``. What a payload carries is what the Open311 answers show:
the texts masked, no reporter named, no staff-only row.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from grassroots import clock, oncommit
from grassroots.accounts import rules
from grassroots.accounts.models import User
from grassroots.accounts.services import audit_record
from grassroots.masking import mask_numbers_in_text
from grassroots.messages import Message
from grassroots.versioned import VersionedCopy, bump, stored_version

from .. import signing, statuses
from ..errors import IntegrationError
from ..models import (
    ApiKey,
    DeliveryState,
    SubscriptionVersion,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

log = logging.getLogger("grassroots.integrations")

KINDS = ("case", "notice", "topic")


def _setting(name: str, default):
    return getattr(settings, name, default)


def retry_delays() -> list[int]:
    return list(_setting("WEBHOOKS_RETRY_SECONDS", [30, 120, 600, 3600, 21600])) or [60]


def max_attempts() -> int:
    return int(_setting("WEBHOOKS_ATTEMPTS", 6))


def disable_after() -> int:
    return int(_setting("WEBHOOKS_DISABLE_AFTER", 15))


# --- subscriptions ------------------------------------------------------------------------------------------


def _kinds_subscribed(_key) -> frozenset[str]:
    """The kinds of event at least one active subscription wants (a revoked key's still count: the
    fan-out looks closer)."""
    rows = (
        WebhookSubscription.objects.filter(is_active=True).values_list(*(f"on_{k}" for k in KINDS)).distinct()
    )
    return frozenset(kind for row in rows for kind, wanted in zip(KINDS, row, strict=True) if wanted)


_subscribed: VersionedCopy[frozenset[str]] = VersionedCopy(
    read_key=lambda: stored_version(SubscriptionVersion),
    load=_kinds_subscribed,
    check_seconds=lambda: float(_setting("WEBHOOKS_CHECK_SECONDS", 1.0)),
)


def subscriptions_changed(**_signal_kwargs) -> None:
    """A subscription was made, changed or deleted: bump the version (in the writer's transaction) and drop
    this process's answer now and after the commit. Saving or deleting a ``WebhookSubscription`` calls it
    (signals, connected in ``apps.ready``); a writer through ``QuerySet.update`` of ``is_active`` or the
    ``on_*`` fields calls it itself."""
    bump(SubscriptionVersion)
    _subscribed.reset()
    transaction.on_commit(_subscribed.reset)


def _checked_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or len(url) > 500:
        raise IntegrationError(
            _("The address must be an http or https URL of at most 500 characters."), detail={"field": "url"}
        )
    return url


@transaction.atomic
def webhook_subscribe(
    *,
    actor: User | None,
    key: ApiKey,
    url: str,
    on_case: bool = True,
    on_notice: bool = False,
    on_topic: bool = False,
    request=None,
) -> tuple[WebhookSubscription, str]:
    """Subscribe ``url`` to the events of ``key``'s area. Returns the subscription and its signing secret,
    which is not shown again. ``actor``: an administrator of the key's area, the key's own account (the
    system subscribing itself), or None (the command line)."""
    if actor is not None and actor.pk != key.account_id:
        rules.require(actor, rules.can_manage_area, key.area_code)
    if key.revoked_at is not None:
        raise IntegrationError(_("This key is revoked; issue a new one."), detail={"field": "key"})
    if not (on_case or on_notice or on_topic):
        raise IntegrationError(_("Choose at least one kind of event."), detail={"field": "events"})
    secret = "whsec_" + secrets.token_urlsafe(32)
    subscription = WebhookSubscription.objects.create(
        key=key, area_code=key.area_code, url=_checked_url(url), on_case=on_case, on_notice=on_notice,
        on_topic=on_topic, secret=secret, created_by=actor,
    )  # fmt: skip
    audit_record(
        actor=actor, action="webhook.subscribe", target=subscription, request=request,
        detail={"key": key.prefix, "url": subscription.url, "events": kinds_of(subscription)},
    )  # fmt: skip
    return subscription, secret


def kinds_of(subscription: WebhookSubscription) -> list[str]:
    return [kind for kind in KINDS if getattr(subscription, f"on_{kind}")]


@transaction.atomic
def webhook_set_active(
    *, actor: User | None, subscription: WebhookSubscription, active: bool, reason: str = "", request=None
) -> None:
    """Enable (the failure count starts again) or disable a subscription; audited."""
    if actor is not None and actor.pk != subscription.key.account_id:
        rules.require(actor, rules.can_manage_area, subscription.area_code)
    subscription.is_active = active
    subscription.consecutive_failures = 0 if active else subscription.consecutive_failures
    subscription.disabled_at = None if active else clock.now()
    subscription.disabled_reason = "" if active else (reason or "")[:200]
    subscription.save(update_fields=["is_active", "consecutive_failures", "disabled_at", "disabled_reason"])
    if active:  # what waited while it was disabled goes out now
        waiting = subscription.deliveries.filter(state=DeliveryState.PENDING).values_list("pk", "attempts")
        for pk, attempts in waiting:
            _enqueue(pk, number=attempts + 1, seconds=0)
    audit_record(
        actor=actor, action="webhook.enable" if active else "webhook.disable", target=subscription,
        reason=reason, request=request,
    )  # fmt: skip


# --- events → deliveries ------------------------------------------------------------------------------------


def _iso(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


# An event as the listeners hand it over: (kind, its reference, the area codes it lies in, type, payload builder)
_Event = tuple[str, str, tuple[str, ...], str, Callable[[], dict]]


def _schedule(kind: str, event_ref: str, area_codes: tuple[str, ...], event_type: str, build) -> None:
    oncommit.after_commit(_fan_out_all, (kind, event_ref, area_codes, event_type, build))


def _fan_out_all(events: list[_Event]) -> None:
    """After the writer committed: its events (one, or all of an ``oncommit.batched`` block) against the active
    subscriptions, read once. No query when no active subscription wants any of the events' kinds."""
    subscribed = _subscribed.get()
    events = [event for event in events if event[0] in subscribed]
    if not events:
        return
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(is_active=True).select_related("key")
        if s.key.revoked_at is None
    ]
    if not subscriptions:
        return
    for kind, event_ref, area_codes, event_type, build in events:
        _fan_out(kind, event_ref, area_codes, event_type, build, subscriptions)


def _fan_out(
    kind: str,
    event_ref: str,
    area_codes: tuple[str, ...],
    event_type: str,
    build: Callable[[], dict],
    subscriptions: list[WebhookSubscription],
):
    """One delivery per active subscription of ``kind`` whose area holds the event, each sent through the task
    queue."""
    wanted = [
        s
        for s in subscriptions
        if getattr(s, f"on_{kind}") and any(code.startswith(s.area_code) for code in area_codes if code)
    ]
    if not wanted:
        return
    body = {"id": event_ref, "type": event_type, **build()}
    for subscription in wanted:
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    subscription=subscription, event_type=event_type, event_ref=event_ref, payload=body
                )
                _enqueue(delivery.pk, number=1, seconds=0)
        except IntegrityError:  # told twice of one event
            continue


def _enqueue(delivery_id: int, *, number: int, seconds: int) -> None:
    """Enqueue try ``number`` of a delivery in ``seconds`` (at once where the queue cannot wait), for the
    commit: with the database queue in the same transaction as the delivery's row, so that none is left
    pending without its task; with another queue on commit (``webhooks_sweep`` finds what is lost then)."""
    due = clock.now() + dt.timedelta(seconds=seconds) if seconds > 0 else None
    oncommit.enqueue_with_commit(webhook_deliver, delivery_id, number, run_after=due)


def case_event_recorded(event) -> None:
    """``cases.events`` listener: the case's public timeline rows (never a staff-only one)."""
    if event.internal:
        return
    case = event.case

    def build() -> dict:
        closed_as = (
            "merged"
            if event.action == "merge"
            else (case.close_reason if event.new_state == "closed" else "")
        )
        row = statuses.row_for(event.new_state, closed_as)
        words = Message.from_data(event.message_data).text() if event.message_data else event.message
        return {
            "created_at": _iso(event.at),
            "data": {
                "service_request_id": case.reference,
                "action": event.action,
                "old_state": event.old_state,
                "new_state": event.new_state,
                "status": row.open311,
                "extended_status": row.extended,
                "service_code": case.category.code,
                "area_code": event.area_code,
                "message": mask_numbers_in_text(str(words)),
            },
        }

    codes = (event.area_code, case.area_code, case.origin_code)
    _schedule("case", f"case-event:{event.pk}", codes, f"case.{event.action}", build)


def notice_event_recorded(event) -> None:
    """``disclosure.lifecycle`` listener: each step of a notice's life."""
    notice = event.notice

    def build() -> dict:
        return {
            "created_at": _iso(event.at),
            "data": {
                "notice_id": notice.pk,
                "action": event.action,
                "old_state": event.old_state,
                "new_state": event.new_state,
                "kind": notice.kind,
                "section": notice.section,
                "area_code": notice.area_code,
            },
        }

    codes = (notice.area_code,)
    _schedule("notice", f"notice-event:{event.pk}", codes, f"notice.{event.action}", build)


def topic_event_recorded(event) -> None:
    """``deliberation.timeline`` listener: each row of a topic's timeline (what happened, not what was said)."""
    topic = event.topic

    def build() -> dict:
        return {
            "created_at": _iso(event.at),
            "data": {
                "topic_id": topic.pk,
                "title": mask_numbers_in_text(topic.title),
                "kind": event.kind,
                "step": event.step,
                "to_step": event.to_step,
                "round": event.round,
                "area_code": event.area_code,
            },
        }

    codes = (event.area_code,)
    _schedule("topic", f"topic-event:{event.pk}", codes, f"topic.{event.kind}", build)


# --- sending ------------------------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is the receiver's failure to answer, not a new address to POST the event to."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST; (the HTTP status, or None when there was no answer; the error in words, or "")."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310  (http/https only)
    try:
        with _OPENER.open(request, timeout=float(_setting("WEBHOOKS_TIMEOUT_SECONDS", 10))) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:300]


def _claim(delivery: WebhookDelivery, number: int) -> bool:
    """Take try ``number`` of ``delivery`` for this task: one conditional UPDATE counts the try as made
    (``attempts``) unless another task took it first, and marks when it is overdue should this process stop
    before logging its outcome (``next_attempt_at``, then ``webhooks_sweep`` enqueues the next try)."""
    overdue = clock.now() + dt.timedelta(seconds=float(_setting("WEBHOOKS_TIMEOUT_SECONDS", 10)) + 60)
    taken = WebhookDelivery.objects.filter(
        pk=delivery.pk, state=DeliveryState.PENDING, attempts=number - 1
    ).update(attempts=number, next_attempt_at=overdue)
    return bool(taken)


@task()
def webhook_deliver(delivery_id: int, number: int | None = None) -> str:
    """Try ``number`` of a delivery (None: the next one; what tasks queued before the tries were numbered
    carry): sign, POST, log the attempt; on failure schedule the next try or give up, and disable the
    subscription after too many failed tries in a row. Returns the delivery's state.

    A try is made once however many tasks carry it (a slow worker's and the sweep's): the first to take it
    (:func:`_claim`) posts, the others return at once. The claim commits before the POST, so no lock is held
    while the receiver answers. Receivers still treat a repeated ``id`` as handled: a try whose answer is
    lost (a timeout, a process stopped mid-POST) is tried again."""
    delivery = (
        WebhookDelivery.objects.select_related("subscription", "subscription__key")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.state != DeliveryState.PENDING:
        return delivery.state if delivery is not None else "missing"
    subscription = delivery.subscription
    if not subscription.is_active or subscription.key.revoked_at is not None:
        return delivery.state  # kept pending: sent again only if someone re-queues it after enabling
    number = number or delivery.attempts + 1
    if not _claim(delivery, number):
        log.info("webhook delivery %s, try %d: taken by another task", delivery.pk, number)
        return delivery.state
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Grassroots-Webhooks/1",
        "X-Grassroots-Event": delivery.event_type,
        "X-Grassroots-Delivery": str(delivery.pk),
        signing.HEADER: signing.header_value(subscription.secret, body),
    }
    started = time.monotonic()
    status, error = _post(subscription.url, body, headers)
    took = int((time.monotonic() - started) * 1000)
    ok = status is not None and 200 <= status < 300
    now = clock.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery, number=number, at=now, status_code=status, failure=error if not ok else "",
            duration_ms=took, succeeded=ok,
        )  # fmt: skip
        delivery.attempts = number
        if ok:
            delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryState.DELIVERED,
                now,
                None,
            )
            WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
        else:
            WebhookSubscription.objects.filter(pk=subscription.pk).update(
                consecutive_failures=F("consecutive_failures") + 1
            )
            failures = WebhookSubscription.objects.values_list("consecutive_failures", flat=True).get(
                pk=subscription.pk
            )
            if failures >= disable_after():
                _disable_for_failures(subscription, failures)
                delivery.state, delivery.next_attempt_at = DeliveryState.GIVEN_UP, None
            elif number >= max_attempts():
                delivery.state, delivery.next_attempt_at = DeliveryState.GIVEN_UP, None
            else:
                delays = retry_delays()
                seconds = delays[min(number - 1, len(delays) - 1)]
                delivery.next_attempt_at = now + dt.timedelta(seconds=seconds)
                _enqueue(delivery.pk, number=number + 1, seconds=seconds)
        delivery.save(update_fields=["attempts", "state", "delivered_at", "next_attempt_at"])
    log.info(
        "webhook %s to %s: attempt %d %s", delivery.event_type, subscription.url, number, status or error
    )
    return delivery.state


def webhooks_sweep(*, after: dt.timedelta, within: dt.timedelta) -> dict[str, int]:
    """Enqueue again the tries whose task was lost (``manage.py outbox_sweep``, every few minutes): pending
    deliveries of active subscriptions, made less than ``within`` ago, whose first try is more than ``after``
    overdue (never tried) or whose next one is (a retry's task lost, or a try whose process stopped before
    logging it: :func:`_claim`). A delivery that has had all its tries is given up instead. A task that was
    only late and runs after all does not try twice (:func:`_claim`). Returns how many were enqueued and
    given up."""
    now = clock.now()
    cutoff = now - after
    stranded = (
        WebhookDelivery.objects.filter(
            state=DeliveryState.PENDING,
            created_at__gte=now - within,
            subscription__is_active=True,
            subscription__key__revoked_at__isnull=True,
        )
        .filter(Q(next_attempt_at__isnull=True, created_at__lt=cutoff) | Q(next_attempt_at__lt=cutoff))
        .order_by("pk")
        .values_list("pk", "attempts")
    )
    rows = list(stranded)
    spent = [pk for pk, attempts in rows if attempts >= max_attempts()]
    if spent:
        WebhookDelivery.objects.filter(pk__in=spent, state=DeliveryState.PENDING).update(
            state=DeliveryState.GIVEN_UP, next_attempt_at=None
        )
    again = [(pk, attempts + 1) for pk, attempts in rows if attempts < max_attempts()]
    for pk, number in again:
        webhook_deliver.enqueue(pk, number)
    if rows:
        log.warning("outbox sweep: %d webhook tries enqueued again, %d given up", len(again), len(spent))
    return {"webhooks": len(again), "webhooks_given_up": len(spent)}


def _disable_for_failures(subscription: WebhookSubscription, failures: int) -> None:
    reason = f"{failures} failed attempts in a row"
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        is_active=False, disabled_at=clock.now(), disabled_reason=reason
    )
    subscriptions_changed()
    audit_record(actor=None, action="webhook.disable", target=subscription, reason=reason)
