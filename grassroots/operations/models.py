"""The periodic jobs' lock rows and run records (jobs.py declares the jobs, services.py claims and records)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobLock(models.Model):
    """One row per periodic job: which scheduler holds it and until when. A scheduler takes it with one
    conditional UPDATE (free, or its time run out), so two schedulers, on one machine or several sharing
    the database, never run the same job at once; a holder that died frees it when ``locked_until`` passes."""

    job = models.CharField(_("job"), max_length=64, primary_key=True)
    holder = models.CharField(_("held by"), max_length=120, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("periodic job lock")
        verbose_name_plural = _("periodic job locks")

    def __str__(self):
        return self.job


class JobRun(models.Model):
    """One run of a periodic job for one scheduled time. (job, scheduled_for) is unique: whichever scheduler
    writes the row runs that occurrence, and another scheduler that fired for the same time skips it."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    job = models.CharField(_("job"), max_length=64)
    scheduled_for = models.DateTimeField(_("scheduled for"))
    holder = models.CharField(_("run by"), max_length=120)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.RUNNING)
    output = models.TextField(_("output"), blank=True)

    class Meta:
        verbose_name = _("periodic job run")
        verbose_name_plural = _("periodic job runs")
        ordering = ["-scheduled_for", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "scheduled_for"], name="operations_jobrun_once_per_time")
        ]
        indexes = [models.Index(fields=["job", "-scheduled_for"])]

    def __str__(self):
        return f"{self.job} {self.scheduled_for:%Y-%m-%d %H:%M}"
