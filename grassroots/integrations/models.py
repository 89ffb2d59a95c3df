"""API keys of outside systems (integrators) and the counters that rate-limit them.

A key belongs to a named system (a county's own case system, a mini-program, the 12345 hotline bridge) and is
issued on one area: it holds one role there through its own system account (``ApiKey.account``, a login that
cannot log in), so every read and write made with the key is scoped by the same functions as a person's grants
(``accounts.scoping``). Only the key's SHA-256 digest is stored; the secret is shown once, when issued.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots import fieldcrypt
from grassroots.accounts.models import Role, User

# The roles a key may hold on its area: the desks that take in and follow the cases of an area. Never an
# administrator's (a key reaches no admin), a resident's (a key files for many people, not as one) or a
# department handler's (who sees only the cases given to them, not an area's).
KEY_ROLES = (Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF, Role.VILLAGE_STAFF, Role.SUPERVISOR)


class ApiKey(models.Model):
    """A key issued to an outside system for an area. Revoked keys are kept (the audit log points at them)."""

    name = models.CharField(_("system"), max_length=100, help_text=_("the outside system that holds the key"))
    account = models.OneToOneField(
        User,
        on_delete=models.PROTECT,
        related_name="api_key",
        verbose_name=_("system account"),
        editable=False,
    )
    role = models.CharField(
        _("role"), max_length=24, choices=[(r.value, r.label) for r in KEY_ROLES], default=Role.COUNTY_STAFF
    )
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    # Denormalised from ``area`` so that the admin's scoping needs no join.
    area_code = models.CharField(_("area code"), max_length=15, editable=False, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    rate_per_minute = models.PositiveIntegerField(
        _("requests per minute"), default=120, help_text=_("more in one minute are refused (429)")
    )
    issued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("revoked by")
    )
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.name} · {self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiKeyWindow(models.Model):
    """How many requests a key made in one minute (fixed windows; the old ones are dropped as new ones open).
    Kept in the database so that every app server counts the same requests."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "started_at"], name="api_key_window_unique")]


class Open311Submission(models.Model):
    """What an Open311 ``POST requests`` brought beside the report itself: the key that filed it, the token
    answered with it (``GET tokens/{token}``) and the photo link it named (``media_url``, shown back as sent).
    The report is the case, made by the one intake pipeline."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="open311_submission", verbose_name=_("case")
    )
    key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="+", verbose_name=_("API key"))
    reply_token = models.CharField(_("token"), max_length=36, unique=True)
    media_url = models.URLField(_("photo link"), max_length=500, blank=True)
    account_id = models.CharField(_("account in the outside system"), max_length=100, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")


class SubscriptionVersion(models.Model):
    """A single counter row bumped whenever a webhook subscription is made, changed, enabled, disabled or
    deleted: each process keeps which kinds of event any active subscription wants, keyed by it
    (``services/webhooks.py``, ``grassroots.versioned``)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook subscriptions version")


class WebhookSubscription(models.Model):
    """An outside system's address to be told, by signed POSTs, of the case, notice and topic events of its
    key's area. The signing secret is kept encrypted (it must be read to sign) and shown once."""

    key = models.ForeignKey(
        ApiKey, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("API key")
    )
    # The key's area, denormalised for the admin's scoping and for matching events without a join.
    area_code = models.CharField(_("area code"), max_length=15, editable=False, db_index=True)
    url = models.URLField(_("address"), max_length=500)
    on_case = models.BooleanField(_("case events"), default=True)
    on_notice = models.BooleanField(_("notice events"), default=False)
    on_topic = models.BooleanField(_("topic events"), default=False)
    secret = fieldcrypt.EncryptedTextField(_("signing secret"), editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(
        _("failed attempts in a row"), default=0, editable=False
    )
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True, editable=False)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["is_active", "area_code"], name="webhook_active_area")]

    def __str__(self):
        return f"{self.key.name} → {self.url}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    DELIVERED = "delivered", _("delivered")
    GIVEN_UP = "given_up", _("given up")


class WebhookDelivery(models.Model):
    """One event to send to one subscription, with its payload as signed; its attempts are the log."""

    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    event_type = models.CharField(_("event"), max_length=48)
    # The event's own id ("case-event:42"): one delivery per event and subscription, however often told.
    event_ref = models.CharField(_("event reference"), max_length=48)
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_ref"], name="webhook_delivery_once")
        ]

    def __str__(self):
        return f"{self.event_type} · {self.event_ref}"


class WebhookAttempt(models.Model):
    """One try to deliver: when, what the receiver answered (or why there was no answer), how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    failure = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("milliseconds"), default=0)
    succeeded = models.BooleanField(_("succeeded"), default=False)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "number"]

    def __str__(self):
        return f"#{self.number} · {self.status_code or self.failure}"
