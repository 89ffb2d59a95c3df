"""Delivery channels behind one interface: email, SMS and WeChat template messages.

A channel takes one :class:`~grassroots.notifications.models.Notification` and sends it to its recipient,
returning a short result. SMS and WeChat go through a *backend* named in settings
(``NOTIFICATIONS_SMS_BACKEND``, ``NOTIFICATIONS_WECHAT_BACKEND``: dotted paths to a class with
``send(*, to, title, body) -> str``); the default backend only logs, so a deployment without a contract
with an SMS gateway still works and shows what would have been sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from grassroots.masking import mask_phone

from .models import Channel

log = logging.getLogger("grassroots.notifications")


@dataclass(frozen=True)
class Sent:
    channel: str
    ok: bool
    detail: str = ""

    def as_log(self) -> dict:
        return {"channel": self.channel, "ok": self.ok, "detail": self.detail}


class LoggingBackend:
    """Writes the message to the log instead of sending it (phone numbers masked)."""

    def __init__(self, channel: str):
        self.channel = channel

    def send(self, *, to: str, title: str, body: str) -> str:
        log.info("%s to %s: %s — %s", self.channel, mask_phone(to), title, body)
        return "logged"


def _backend(setting: str, channel: str):
    path = getattr(settings, setting, "")
    if not path:
        return LoggingBackend(channel)
    return import_string(path)()


def send_email(notification) -> Sent:
    address = getattr(notification.recipient, "email", "")
    if not address:
        return Sent(Channel.EMAIL, False, "no address")
    send_mail(
        subject=notification.title,
        message=notification.body,
        from_email=None,
        recipient_list=[address],
        fail_silently=False,
    )
    return Sent(Channel.EMAIL, True)


def send_sms(notification) -> Sent:
    phone = getattr(notification.recipient, "phone", "")
    if not phone:
        return Sent(Channel.SMS, False, "no phone")
    detail = _backend("NOTIFICATIONS_SMS_BACKEND", Channel.SMS).send(
        to=phone, title=notification.title, body=notification.body
    )
    return Sent(Channel.SMS, True, detail)


def send_wechat(notification) -> Sent:
    phone = getattr(notification.recipient, "phone", "")
    detail = _backend("NOTIFICATIONS_WECHAT_BACKEND", Channel.WECHAT).send(
        to=phone, title=notification.title, body=notification.body
    )
    return Sent(Channel.WECHAT, True, detail)


SENDERS = {Channel.EMAIL: send_email, Channel.SMS: send_sms, Channel.WECHAT: send_wechat}
