"""In-app notifications (the inbox) and the record of their delivery through other channels.

A notification points at what it is about by generic fields (``target_type`` = model label, ``target_id``,
``area_code``) so that this low app never imports the apps that notify (cases, disclosure ...).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.appendonly import AppendOnlyModel
from grassroots.messages import Message


class Channel(models.TextChoices):
    IN_APP = "in_app", _("in-app inbox")
    EMAIL = "email", _("email")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat template message")


class Topic(models.TextChoices):
    """What a notification is about, as far as the way it travels depends on it."""

    GENERAL = "general", _("general")
    # A change to something the recipient reported themself: a resident registered by phone hears of it
    # by SMS unless they chose otherwise.
    OWN_REPORT = "own_report", _("a change to the recipient's own report")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    # Title and body kept as messages and their values (grassroots.messages), when the system wrote them:
    # the inbox shows them in the reader's language; ``title`` and ``body`` hold the default language's words
    # (for SMS, email, search and what was written before).
    title_message = models.JSONField(_("title as written"), default=dict, blank=True)
    body_message = models.JSONField(_("body as written"), default=dict, blank=True)
    # What the notification is about, without a foreign key into a higher app.
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    area_code = models.CharField(_("area code"), max_length=15, blank=True)
    topic = models.CharField(
        pgettext_lazy("notification", "topic"), max_length=16, choices=Topic.choices, default=Topic.GENERAL
    )
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
    def shown_title(self) -> str:
        return Message.from_data(self.title_message).text() if self.title_message else self.title

    @property
    def shown_body(self) -> str:
        return Message.from_data(self.body_message).text() if self.body_message else self.body

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.TextChoices):
    """How a person wants their notifications beyond the inbox (one choice)."""

    # The inbox only.
    INBOX = "inbox", _("only in my inbox")
    # The inbox, and once a day one email with the unread ones (manage.py notifications_send_digest).
    DIGEST = "digest", _("in a daily email digest")
    # One email for every notification, sent as it happens (the delivery task, after commit).
    IMMEDIATE = "immediate", _("by email, each at once")
    # An SMS for each change to something I reported; the rest in the inbox.
    SMS_OWN_REPORTS = "sms_own_reports", _("by SMS for changes to my own reports, the rest in my inbox")
    # An SMS for every notification.
    SMS = "sms", _("by SMS, each at once")
    # A WeChat message for every notification.
    WECHAT = "wechat", _("by WeChat, each at once")


class DeliveryPreference(models.Model):
    """A person's own choice of how notifications reach them besides the inbox.

    No row means the default (``selectors.delivery_for``): a resident registered by phone (a mobile on
    record, no staff role) gets an SMS for changes to their own reports; everyone else the daily digest.
    Nobody is emailed or texted for every notification without asking for it.
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


class WeChatBinding(models.Model):
    """A person's WeChat, as the official account knows it (their OpenID), learnt when they opened the
    connect link in WeChat. Template messages go to it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wechat", verbose_name=_("user")
    )
    openid = models.CharField(_("OpenID"), max_length=64, unique=True)
    connected_at = models.DateTimeField(_("connected at"), auto_now_add=True)

    class Meta:
        verbose_name = _("WeChat connection")
        verbose_name_plural = _("WeChat connections")

    def __str__(self):
        return f"{self.user}: …{self.openid[-4:]}"


class AttemptStatus(models.TextChoices):
    SENT = "sent", _("sent")  # the gateway took it (or, with the logging gateway, it was logged)
    FAILED = "failed", _("failed, will try again")  # a retriable failure; the next attempt is queued
    GAVE_UP = "gave_up", _("failed, given up")  # refused by the gateway, or the last attempt failed
    RATE_LIMITED = "rate_limited", _("not sent: too many for this person")  # the inbox still has it
    DEFERRED = "deferred", _("waiting for the gateway's rate")  # queued again a minute later
    SKIPPED = "skipped", _("not sent: nowhere to send it")  # no mobile on record, WeChat not connected


class DeliveryAttempt(AppendOnlyModel):
    """One attempt to deliver a notification through SMS or WeChat: the delivery log. Written once (a
    retry is a new row); the recipient's number appears masked only."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("notification")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    gateway = models.CharField(_("gateway"), max_length=32)
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    status = models.CharField(_("status"), max_length=16, choices=AttemptStatus.choices)
    to_masked = models.CharField(pgettext_lazy("recipient", "to"), max_length=32, blank=True)
    segments = models.PositiveSmallIntegerField(_("SMS parts"), default=0)
    message_id = models.CharField(_("gateway's message id"), max_length=64, blank=True)
    code = models.CharField(_("gateway's code"), max_length=64, blank=True)
    # what the gateway answered (its error message, numbers masked), or why nothing was sent
    gateway_message = models.CharField(_("gateway's message"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)
    next_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["recipient", "channel", "status", "at"], name="attempt_rate")]

    def __str__(self):
        return f"{self.channel} #{self.attempt} {self.status}"
