"""Pre-aggregated case figures (the insights dashboards read these, never the cases).

``DailyFact`` holds, for each place of report (a grid, or the area a case was routed to), day, service type,
channel and closing level, the counts that every published rate needs — the same counts, counted by the same
conditions, as ``cases.metrics`` (``metrics.AGGREGATES`` over the cases *reported* that day and
``metrics.RATING_AGGREGATES`` over the ratings *given* that day). ``AreaDay`` sums them for every area of the
tree (each grid and every area above it) per day and top-level service type, so that a city's year is a few
thousand rows, not a million cases.

Both are derived: ``services.facts_refresh`` recomputes one (place, day) slice after every change of a case,
and ``manage.py insights_rebuild`` recomputes everything from the cases and checks it against the live figures.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.appendonly import AppendOnlyModel
from grassroots.cases.models import CoveringIndex

# The counts, one column per name of ``cases.metrics.COUNTED`` (tests/insights check that they are the same).
COUNT_FIELDS = (
    "reported",
    "responded_in_time",
    "due_to_close",
    "closed",
    "closed_on_time",
    "due_to_handle",
    "handled",
    "handled_on_time",
    "failed_verifications",
    "closed_at_grid",
    "closed_at_village_or_below",
    "reopened",
    "self_verified",
    "rated",
    "satisfied",
    "basically",
    "unsatisfied",
    "solved_answered",
    "solved_yes",
    "rated_by_callback",
)


class Counted(models.Model):
    reported = models.PositiveIntegerField(default=0)
    responded_in_time = models.PositiveIntegerField(default=0)
    due_to_close = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    due_to_handle = models.PositiveIntegerField(default=0)
    handled = models.PositiveIntegerField(default=0)
    handled_on_time = models.PositiveIntegerField(default=0)
    failed_verifications = models.PositiveIntegerField(default=0)
    closed_at_grid = models.PositiveIntegerField(default=0)
    closed_at_village_or_below = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    self_verified = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)
    solved_answered = models.PositiveIntegerField(default=0)
    solved_yes = models.PositiveIntegerField(default=0)
    rated_by_callback = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyFact(Counted):
    """The counts of one place of report, day, service type, channel and closing level.

    The case counts are of the cases reported that day (local time) and routed there, by their service type,
    channel and the level they were closed at (0: not closed); the rating counts of the ratings given that day
    for such cases, by the type and channel copied onto the rating (closing level 0).
    """

    area_code = models.CharField(_("place of report"), max_length=15)
    day = models.DateField(_("day"))
    category = models.ForeignKey("cases.Category", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("case channel"), max_length=16)
    closing_level = models.PositiveSmallIntegerField(_("closed at level"), default=0)

    class Meta:
        verbose_name = _("daily case figures")
        verbose_name_plural = _("daily case figures")
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "day", "category", "source", "closing_level"], name="insights_fact_key"
            )
        ]
        indexes = [
            # a day range of every place under an area (the hotspots' window) with what the density method
            # sums, from the index alone: the city's 30 days read 27,000 table pages without it
            CoveringIndex(
                fields=["day", "area_code"],
                name="insights_fact_day",
                covering=["category", "source", "reported"],
            ),
            # the same for a list of places over a year (the density method's norm): their rows lie all over
            # the table (27,000 pages for the city's 530 busiest grids), and the unique key lacks the count
            CoveringIndex(
                fields=["area_code", "day"],
                name="insights_fact_place",
                opclasses=["varchar_pattern_ops", "date_ops"],
                covering=["category", "source", "reported"],
            ),
        ]


class AreaDay(Counted):
    """The counts of one area (any level above the grid) for one day and top-level service type: the sum of
    the ``DailyFact`` rows of its subtree. ``parent_code`` lets an area's children be read by equality."""

    area_code = models.CharField(_("area code"), max_length=15)
    parent_code = models.CharField(_("parent area code"), max_length=15, blank=True)
    day = models.DateField(_("day"))
    top_type = models.ForeignKey("cases.Category", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("daily area figures")
        verbose_name_plural = _("daily area figures")
        constraints = [
            models.UniqueConstraint(fields=["area_code", "day", "top_type"], name="insights_area_day_key")
        ]
        indexes = [models.Index(fields=["parent_code", "day"], name="insights_area_day_parent")]


class Bulletin(AppendOnlyModel):
    """A monthly bulletin (月度通报) of an area, issued once and never changed: the month's figures frozen as a
    canonical JSON document (``content``) with its SHA-256, dated and signed by who issued it. The database
    refuses an UPDATE; a later correction would be a bulletin of its own.

    ``content`` holds numbers and names only (counts, numerators, denominators, percentages as text); labels and
    definitions are the formulas' own, rendered in the reader's language when it is shown or exported.
    """

    area_code = models.CharField(_("area code"), max_length=15)
    month = models.DateField(_("month"), help_text=_("its first day"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    content = models.JSONField(_("content"))
    sha256 = models.CharField(_("SHA-256 of the content"), max_length=64)

    class Meta:
        verbose_name = _("monthly bulletin")
        verbose_name_plural = _("monthly bulletins")
        ordering = ["-month", "area_code"]
        constraints = [models.UniqueConstraint(fields=["area_code", "month"], name="insights_bulletin_once")]

    def __str__(self):
        return f"{self.content.get('area', {}).get('name', self.area_code)} {self.month:%Y-%m}"

    @property
    def area_name(self) -> str:
        return str(self.content.get("area", {}).get("name", self.area_code))

    @property
    def month_key(self) -> str:
        return f"{self.month:%Y-%m}"


def canonical_json(content: dict) -> str:
    """The one text a bulletin's hash is taken of: keys sorted, no spaces, UTF-8 as is."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()
