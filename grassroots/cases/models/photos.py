"""A case's photos: as reported, before and after handling."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PhotoStage(models.TextChoices):
    REPORT = "report", _("as reported")
    BEFORE = "before", _("before")
    AFTER = "after", _("after")


class CasePhoto(models.Model):
    """A verified, re-encoded photo without metadata, with its thumbnail. GPS and capture time were read
    from the original's EXIF before stripping."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="photos", verbose_name=_("case")
    )
    event = models.ForeignKey(
        "cases.CaseEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="photos",
        verbose_name=_("event"),
    )
    stage = models.CharField(_("stage"), max_length=8, choices=PhotoStage.choices, default=PhotoStage.REPORT)
    image = models.FileField(_("image"), max_length=200)
    thumbnail = models.FileField(_("thumbnail"), max_length=200)
    content_type = models.CharField(max_length=32)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(_("bytes"))
    sha256 = models.CharField(max_length=64, db_index=True)
    original_format = models.CharField(max_length=16)
    gps_lon = models.FloatField(null=True, blank=True)
    gps_lat = models.FloatField(null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area_code = models.CharField(max_length=15)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["case", "stage", "id"]
