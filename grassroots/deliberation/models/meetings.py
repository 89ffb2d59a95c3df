"""Meetings of a committee: agenda, attendance, minutes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .committees import PATTERN_OPS, Committee, Membership
from .records import Channel


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class Meeting(models.Model):
    """A meeting of a committee: when, where, its agenda of topics, who was expected and who came (each
    member signs in from their own account, or the paper sign-in sheet is photographed), the minutes, and
    the decisions taken at it. An offline meeting is recorded afterwards with the photo."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    area_code = models.CharField(max_length=15, editable=False)
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    recorded_offline = models.BooleanField(_("recorded afterwards from paper"), default=False)
    minutes = models.TextField(_("minutes"), blank=True)
    sign_in_sheet = models.FileField(_("photo of the sign-in sheet"), max_length=200, blank=True)
    topics = models.ManyToManyField("Topic", through="MeetingItem", related_name="meetings")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    held_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_recorded_at = models.DateTimeField(_("minutes recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["area_code"], name="meeting_area", opclasses=PATTERN_OPS)]

    def __str__(self):
        return self.title


class MeetingItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    topic = models.ForeignKey("Topic", on_delete=models.PROTECT, related_name="meeting_items")
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "topic"], name="meeting_item_once")]


class Attendance(models.Model):
    """Who was expected at a meeting and who came. ``signed_at`` is the member's own sign-in from their
    account; ``marked_by`` is whoever marked a member present from the paper sheet afterwards."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="attendance")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    present = models.BooleanField(_("present"), default=False)
    signed_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    signed_channel = models.CharField(_("from"), max_length=8, choices=Channel.choices, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["membership__seat", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="attendance_once")]
