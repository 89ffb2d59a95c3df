"""In-app notifications (the inbox) and the record of their delivery through other channels.

A notification points at what it is about by generic fields (``target_type`` = model label, ``target_id``,
``area_code``) so that this low app never imports the apps that notify (cases, disclosure ...).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("in-app inbox")
    EMAIL = "email", _("email")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat template message")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    # What the notification is about, without a foreign key into a higher app.
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    area_code = models.CharField(_("area code"), max_length=15, blank=True)
    # Channels to deliver through besides the inbox (values of Channel; empty: the inbox only).
    channels = models.JSONField(_("channels"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    # One entry per channel tried: {"channel": ..., "ok": bool, "detail": ...}.
    delivery_log = models.JSONField(_("delivery log"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
            models.Index(fields=["target_type", "target_id"]),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.TextChoices):
    """How a person wants their notifications beyond the inbox."""

    # One email for every notification, sent as it happens (the delivery task, after commit).
    IMMEDIATE = "immediate", _("immediately, one email each")
    # The inbox only, and once a day one email with the unread ones (manage.py notifications_send_digest).
    DIGEST = "digest", _("in a daily digest")


class DeliveryPreference(models.Model):
    """A person's own choice between immediate notifications and the daily digest.

    No row means the default, the digest: nobody is emailed for every notification without asking for it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="delivery_preference",
        verbose_name=_("user"),
    )
    delivery = models.CharField(
        _("delivery"), max_length=16, choices=Delivery.choices, default=Delivery.DIGEST
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("delivery preference")
        verbose_name_plural = _("delivery preferences")

    def __str__(self):
        return f"{self.user}: {self.delivery}"
