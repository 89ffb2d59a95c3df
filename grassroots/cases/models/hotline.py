"""The 12345 hotline exchange (12345 政务服务便民热线): the work orders the city's hotline hands over, each kept
beside the case it became, and how each city's daily sheet names its columns."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HotlineChannel(models.TextChoices):
    """How a work order reached the platform."""

    SHEET = "sheet", _("daily sheet")  # the hotline's Excel export, uploaded by the desk
    API = "api", _("JSON API")  # pushed by the hotline's system


class HotlineSheetLayout(models.Model):
    """How one city's hotline names the columns of its daily sheet and its types of request.

    ``columns`` maps a field of a work order (``services.hotline.FIELDS``) to the header the city's sheet gives
    it; a field left out keeps its usual header. ``category_words`` maps the hotline's 诉求类型 to one of our
    service types; a type not mapped becomes ``default_category`` (or the row is refused when there is none).
    """

    city_code = models.CharField(_("city code"), max_length=4, unique=True)
    columns = models.JSONField(_("column headers"), default=dict, blank=True)
    category_words = models.JSONField(_("types of request"), default=dict, blank=True)
    default_category = models.CharField(_("service type for other types"), max_length=16, blank=True)
    crs = models.CharField(_("coordinate system of the sheet's points"), max_length=8, default="wgs84")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("hotline sheet layout")
        verbose_name_plural = _("hotline sheet layouts")

    def __str__(self):
        return self.city_code


class HotlineOrder(models.Model):
    """A hotline work order (工单) and the case it became: the order number is the hotline's, unique in its
    city, so that the same order sent again (the same sheet imported twice, a retried push) makes nothing new.

    ``fingerprint`` is the SHA-256 of the order as first received: an order sent again with other content is
    reported as changed and never applied silently. ``area_code`` is where the case was routed (its
    ``origin_code``): scoping reads it without joining the case.
    """

    city_code = models.CharField(_("city code"), max_length=4)
    number = models.CharField(_("work order number"), max_length=64)
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="hotline_order", verbose_name=_("case")
    )
    area_code = models.CharField(_("area code"), max_length=15)
    channel = models.CharField(_("received by"), max_length=8, choices=HotlineChannel.choices)
    hotline_type = models.CharField(_("hotline's type of request"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("call received at"))
    due_at = models.DateTimeField(_("hotline's time limit"), null=True, blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("taken in at"), auto_now_add=True)

    class Meta:
        verbose_name = _("hotline work order")
        verbose_name_plural = _("hotline work orders")
        constraints = [
            models.UniqueConstraint(fields=["city_code", "number"], name="hotline_order_number_unique"),
        ]
        indexes = [
            models.Index(fields=["area_code"], name="hotline_order_area", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["received_at"], name="hotline_order_received"),
        ]

    def __str__(self):
        return self.number
