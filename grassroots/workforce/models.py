"""Grid workers and their assignments to grids (the minimal part the foundation needs for routing).

The full workforce (party organisations, member check-in, teams, patrols) builds on these two models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots import fieldcrypt
from grassroots.masking import mask_phone


class WorkerKind(models.TextChoices):
    FULL_TIME = "full_time", _("full-time grid worker")  # 专职网格员
    PART_TIME = "part_time", _("part-time grid worker")  # 兼职网格员
    RED = (
        "red",
        _("red grid worker"),
    )  # 红色网格员: retired cadres and party members who register with the branch


class GridWorker(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grid_worker",
        verbose_name=_("login"),
    )
    name = models.CharField(_("name"), max_length=100)
    phone = fieldcrypt.EncryptedTextField(_("mobile phone"), blank=True, default="")
    phone_hash = models.CharField(max_length=64, null=True, blank=True, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=WorkerKind.choices)
    is_party_member = models.BooleanField(_("party member"), default=False)
    # The area the worker belongs to (their grid, or the village for instructors): scoping key.
    area_code = models.CharField(_("area code"), max_length=15, db_index=True)
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("grid worker")
        verbose_name_plural = _("grid workers")
        ordering = ["area_code", "name"]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class AssignmentRole(models.TextChoices):
    LEADER = "leader", _("grid leader")  # 网格长
    WORKER = "worker", _("grid worker")  # 网格员
    INSTRUCTOR = "instructor", _("grid instructor")  # 网格指导员


class Assignment(models.Model):
    """A worker serves a grid in a role from ``started_on`` until ``ended_on`` (exclusive; open when null)."""

    worker = models.ForeignKey(
        GridWorker, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("worker")
    )
    grid = models.ForeignKey(
        "areas.Grid", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("grid")
    )
    area_code = models.CharField(_("area code"), max_length=15, db_index=True, editable=False)
    role = models.CharField(_("role"), max_length=16, choices=AssignmentRole.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("grid assignment")
        verbose_name_plural = _("grid assignments")
        ordering = ["area_code", "role", "started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("started_on")),
                name="assignment_range",
            ),
            # One open assignment per worker, grid and role (services also refuse closed overlaps).
            models.UniqueConstraint(
                fields=["worker", "grid", "role"],
                condition=Q(ended_on__isnull=True),
                name="assignment_one_open",
            ),
        ]
        indexes = [models.Index(fields=["grid", "ended_on"])]

    def __str__(self):
        return f"{self.worker} · {self.get_role_display()} · {self.area_code}"
