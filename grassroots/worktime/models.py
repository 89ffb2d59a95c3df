"""The working calendar's stored days and years, the units of working time, and the version that tells processes
their copy is stale. The tables keep the names they had when the calendar lived in the cases app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LimitUnit(models.TextChoices):
    """How a time limit counts: working hours, working days, or hours round the clock."""

    HOURS = "hours", _("working hours")
    DAYS = "days", _("working days")
    CLOCK_HOURS = "clock_hours", _("hours round the clock")  # emergencies do not wait for office hours


class WorkingDay(models.Model):
    """An exception to the weekend rule: a weekday holiday (is_working False) or a make-up working day on a
    weekend (is_working True). Seeded from chinese-calendar; administrators add local overrides."""

    date = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    is_local = models.BooleanField(_("local override"), default=False)

    class Meta:
        db_table = "cases_workingday"
        verbose_name = _("calendar day")
        verbose_name_plural = _("working calendar")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'working' if self.is_working else 'rest'}"


class CalendarSource(models.TextChoices):
    PACKAGE = "chinese-calendar", _("the chinese-calendar package")
    NOTICE = "notice", _("State Council notice entered by an administrator")


class CalendarYear(models.Model):
    """A year whose official holiday schedule has been entered. Years without a row fall back to
    weekends only, and every staff page warns about the current and the coming year until it has one."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("source"), max_length=100, choices=CalendarSource.choices, default=CalendarSource.PACKAGE
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )

    class Meta:
        db_table = "cases_calendaryear"
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)


class ReferenceVersion(models.Model):
    """A single counter row bumped whenever the service types, their limits or the working calendar change
    (``worktime.reference.changed()``). Each process keeps its copy of them keyed by this version and reads them
    again when the stored version differs, so several worker processes stay correct without a shared
    cache (``grassroots.versioned``, as for ``areas.BoundaryVersion``)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "cases_referenceversion"
        verbose_name = _("reference data version")
