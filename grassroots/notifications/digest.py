"""The daily digest: one email per person with what reached their inbox and was not sent to them otherwise.

Those who chose the digest (and, without a choice, staff and people without a mobile on record) get their
notifications in the inbox only (``notify`` without the email channel) and, once a day, this digest of the
unread ones. A notification goes into one digest at most:
it is then marked delivered (``delivered_at`` set, ``delivery_log`` saying "digest"), so running the command
twice sends nothing twice. Read notifications are left out: the person has seen them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grassroots import clock

from .models import Channel, Notification
from .selectors import digest_recipients_q

DIGEST_LOG = {"channel": Channel.EMAIL, "ok": True, "detail": "digest"}
MAX_ITEMS = 50  # in one email; the rest wait in the inbox, where the email points


@dataclass(frozen=True)
class DigestOutcome:
    people: int
    notifications: int


def _pending(since: dt.datetime):
    """Unread notifications since ``since`` that no channel has delivered and none was asked for, of people
    with an email address who want the digest (by choice or by default, ``selectors.digest_recipients_q``)."""
    return (
        Notification.objects.filter(
            created_at__gte=since, read_at__isnull=True, delivered_at__isnull=True, channels=[]
        )
        .exclude(recipient__email="")
        .filter(digest_recipients_q())
    )


def _body(items: list[Notification], more: int, inbox_url: str) -> str:
    lines = [
        ngettext("You have %(n)d new notification:", "You have %(n)d new notifications:", len(items) + more)
        % {"n": len(items) + more},
        "",
    ]
    for n in items:
        lines.append(f"• {timezone.localtime(n.created_at):%m-%d %H:%M}  {n.title}")
        if n.body:
            lines.append(f"  {n.body[:300]}")
    if more:
        lines += ["", _("… and %(n)d more in your inbox.") % {"n": more}]
    if inbox_url:
        lines += ["", _("Open your inbox: %(url)s") % {"url": inbox_url}]
    return "\n".join(lines)


def digest_send(*, since: dt.datetime, inbox_url: str = "") -> DigestOutcome:
    """Email each person the digest of their pending notifications since ``since``; returns the counts.

    Each person's email and marking are one transaction: a failing mail server leaves that person's
    notifications pending for the next run and does not stop the others.
    """
    recipients = _pending(since).values_list("recipient", flat=True).distinct().order_by("recipient")
    people = sent = 0
    for recipient_id in list(recipients):
        with transaction.atomic():
            pending = list(
                _pending(since)
                .filter(recipient_id=recipient_id)
                .select_for_update(of=("self",))  # the outer join to the preference is not locked
                .select_related("recipient")
                .order_by("-created_at", "-id")
            )
            if not pending:
                continue
            shown, more = pending[:MAX_ITEMS], max(0, len(pending) - MAX_ITEMS)
            user = pending[0].recipient
            try:
                send_mail(
                    subject=ngettext(
                        "Grassroots: %(n)d new notification",
                        "Grassroots: %(n)d new notifications",
                        len(pending),
                    )
                    % {"n": len(pending)},
                    message=_body(shown, more, inbox_url),
                    from_email=None,
                    recipient_list=[user.email],
                    fail_silently=False,
                )
            except Exception:  # the mail server is down: try again next run
                transaction.set_rollback(True)
                continue
            Notification.objects.filter(pk__in=[n.pk for n in pending]).update(
                delivered_at=clock.now(), delivery_log=[DIGEST_LOG]
            )
            people += 1
            sent += len(pending)
    return DigestOutcome(people, sent)
