"""Email, the channel sent at once by the delivery task (SMS and WeChat go through ``gateways.py`` and
``wechat.py``, with retries and the delivery log, see ``delivery.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.mail import send_mail

from .models import Channel


@dataclass(frozen=True)
class Sent:
    channel: str
    ok: bool
    detail: str = ""

    def as_log(self) -> dict:
        return {"channel": self.channel, "ok": self.ok, "detail": self.detail}


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
