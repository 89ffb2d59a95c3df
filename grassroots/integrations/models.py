"""API keys of outside systems (integrators) and the counters that rate-limit them.

A key belongs to a named system (a county's own case system, a mini-program, the 12345 hotline bridge) and is
issued on one area: it holds one role there through its own system account (``ApiKey.account``, a login that
cannot log in), so every read and write made with the key is scoped by the same functions as a person's grants
(``accounts.scoping``). Only the key's SHA-256 digest is stored; the secret is shown once, when issued.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import Role, User

# The roles a key may hold on its area: the desks that take in and follow cases. Never an administrator's
# (a key reaches no admin) and never a resident's (a key files for many people, not as one).
KEY_ROLES = (
    Role.COUNTY_STAFF,
    Role.TOWNSHIP_STAFF,
    Role.VILLAGE_STAFF,
    Role.DEPARTMENT_HANDLER,
    Role.SUPERVISOR,
)


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
