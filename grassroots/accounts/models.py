"""Users, the roles they hold on areas, and the append-only audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots import fieldcrypt
from grassroots.masking import mask_phone


class User(AbstractUser):
    """A person who logs in. The phone number is personal data: encrypted, with a keyed hash for login."""

    display_name = models.CharField(pgettext_lazy("person", "name"), max_length=100, blank=True)
    phone = fieldcrypt.EncryptedTextField(_("mobile phone"), blank=True, default="")
    phone_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    is_synthetic = models.BooleanField(_("synthetic demo account"), default=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Role(models.TextChoices):
    RESIDENT = "resident", _("resident")  # 居民
    GRID_WORKER = "grid_worker", _("grid worker")  # 网格员
    VILLAGE_STAFF = "village_staff", _("village / community staff")  # 村(社区)两委
    TOWNSHIP_STAFF = "township_staff", _("township / street staff")  # 乡镇/街道
    COUNTY_STAFF = "county_staff", _("county / banner staff")  # 县/旗
    DEPARTMENT_HANDLER = "department_handler", _("department handler")  # 职能部门
    SUPERVISOR = "supervisor", _("supervisor")  # 指挥中心/监督员
    LEADER = "leader", pgettext_lazy("role", "leader")  # 领导
    ADMINISTRATOR = "administrator", _("administrator")  # 系统管理员


class RoleGrant(models.Model):
    """(user, role, area): the user holds ``role`` over the subtree of ``area_code``."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="role_grants", verbose_name=_("area")
    )
    # Denormalised from ``area`` so that scoping needs no join; kept by the service that grants.
    area_code = models.CharField(_("area code"), max_length=15, editable=False)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [models.UniqueConstraint(fields=["user", "role", "area"], name="role_grant_unique")]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.area_code}"


class AuditLog(models.Model):
    """Who did what, to what, when, why and from where. Append-only (enforced by database triggers)."""

    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor")
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    area_code = models.CharField(_("area code"), max_length=15, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"]), models.Index(fields=["area_code"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit records are append-only")


class ApiToken(models.Model):
    """A bearer token for the JSON API (mobile clients, integrations). Only its hash is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
