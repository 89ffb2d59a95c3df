"""Reads of the insights pages and API: figures from the pre-aggregated rows, scope from accounts.scoping.

Every rate is ``cases.metrics.figures_from`` applied to counts summed from ``AreaDay`` rows — the formulas of
cases/metrics.py, never a second copy. The area an insights read is for is checked by the caller with
:func:`may_see` (the one scoping function, ``accounts.scoping``); the live lists (overdue and urged cases now)
go through the cases queue selector, which is itself scoped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Sum

from grassroots.accounts.scoping import get_in_scope_or_404, is_unrestricted, scope_codes, scoped
from grassroots.areas.codes import Level, level_of
from grassroots.cases.metrics import (
    COUNTED,
    Counts,
    Figures,
    Period,
    Row,
    basically_counts_default,
    figures_from,
)
from grassroots.cases.models import Case, Category, State
from grassroots.cases.selectors import QueueFilters, area_names, case_queue_for

from ..models import AreaDay, Bulletin, DailyFact, content_hash
from .hotspots import HOTSPOT_CASES_SHOWN as HOTSPOT_CASES_SHOWN
from .hotspots import HOTSPOT_LIMITS as HOTSPOT_LIMITS
from .hotspots import HOTSPOTS_SHOWN as HOTSPOTS_SHOWN
from .hotspots import Hotspot as Hotspot
from .hotspots import HotspotKind as HotspotKind
from .hotspots import HotspotMethod as HotspotMethod
from .hotspots import hotspot_cases_for as hotspot_cases_for
from .hotspots import hotspot_key as hotspot_key
from .hotspots import hotspots_for as hotspots_for
from .scope import VIEWERS as VIEWERS
from .scope import may_see as may_see

_SUMS = {name: Sum(name) for name in COUNTED}


def home_areas_for(*, user) -> list[str]:
    """The areas a user's dashboards start from: the areas of their grants (every top area for a superuser)."""
    if is_unrestricted(user):
        from grassroots.areas.models import Area

        return list(Area.objects.filter(level=Level.PROVINCE).order_by("code").values_list("code", flat=True))
    return scope_codes(user, roles=VIEWERS)


def previous_period(period: Period) -> Period:
    """The period just before: the year, quarter or month before, else as many days before."""
    key = period.key
    if len(key) == 4:
        return Period.year(period.start.year - 1)
    if "-Q" in key.upper():
        q = (period.start.month - 1) // 3 + 1
        return (
            Period.quarter(period.start.year - 1, 4) if q == 1 else Period.quarter(period.start.year, q - 1)
        )
    if len(key) == 7:
        first = period.start - dt.timedelta(days=1)
        return Period.month(first.year, first.month)
    days = (period.end - period.start).days
    start = period.start - dt.timedelta(days=days)
    last = period.start - dt.timedelta(days=1)
    return Period(start, period.start, f"{start.isoformat()}..{last.isoformat()}")


def _counts(row: Mapping[str, Any]) -> Counts:
    return Counts.from_row(dict(row))


def _basically(value: bool | None) -> bool:
    return basically_counts_default() if value is None else value


def _rows_of(area_code: str):
    """The pre-aggregated rows of an area by day: a grid's own facts, any other area's ``AreaDay`` rows (a
    grid keeps no area rows: they would repeat its facts, a third of the rows a rebuild writes)."""
    if level_of(area_code) == Level.GRID:
        return DailyFact.objects.filter(area_code=area_code)
    return AreaDay.objects.filter(area_code=area_code)


def top_types() -> dict[int, int]:
    """Each service type's top-level type (itself for a top-level one)."""
    parents = dict(Category.objects.values_list("pk", "parent_id"))

    def top(pk: int) -> int:
        seen = set()
        while parents.get(pk) is not None and pk not in seen:
            seen.add(pk)
            pk = parents[pk]
        return pk

    return {pk: top(pk) for pk in parents}


def figures_for(*, area_code: str, period: Period, basically_counts: bool | None = None) -> Figures:
    """The figures of the subtree of ``area_code`` over ``period``: one aggregate over its ``AreaDay`` rows."""
    row = _rows_of(area_code).filter(day__gte=period.start, day__lt=period.end).aggregate(**_SUMS)
    return figures_from(_counts(row), basically_counts=_basically(basically_counts))


@dataclass(frozen=True)
class Point:
    """One step of a trend: the week (from its Monday) or the month, and its figures."""

    key: str
    start: dt.date
    figures: Figures


@dataclass(frozen=True)
class Dashboard:
    area_code: str
    period: Period
    previous: Period
    figures: Figures
    previous_figures: Figures
    weeks: list[Point]
    months: list[Point]
    children: list[Row]
    types: list[Row]

    def change(self, key: str):
        """The rate's change in percentage points against the previous period (None without both)."""
        now, before = self.figures[key].percent, self.previous_figures[key].percent
        if now is None or before is None:
            return None
        return now - before


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def dashboard_for(*, area_code: str, period: Period, basically_counts: bool | None = None) -> Dashboard:
    """Everything a dashboard shows of the figures, from three grouped reads of ``AreaDay``, each summed in the
    database: the area's rows by day over the period and the one before (the headline, the change, the
    trends by week and month, folded here from at most two periods' days), its rows by top-level type over the
    period (the service types) and its children's rows by area (the ranking)."""
    counted = _basically(basically_counts)
    before = previous_period(period)
    total, earlier, weeks, months = _by_day(area_code, period, before)
    return Dashboard(
        area_code=area_code,
        period=period,
        previous=before,
        figures=figures_from(total, basically_counts=counted),
        previous_figures=figures_from(earlier, basically_counts=counted),
        weeks=[
            Point(f"{w.isoformat()}", w, figures_from(c, basically_counts=counted))
            for w, c in sorted(weeks.items())
        ],
        months=[
            Point(f"{m:%Y-%m}", m, figures_from(c, basically_counts=counted))
            for m, c in sorted(months.items())
        ],
        children=_children(area_code, period, counted),
        types=_types(area_code, period, counted),
    )


def _by_day(area_code: str, period: Period, before: Period):
    """The area's counts over the period and the one before, and by week and by month over the period (folded
    as plain integers: a year of days is some 700 rows, and adding ``Counts`` cost more than reading them)."""
    by_day = (
        _rows_of(area_code)
        .filter(day__gte=min(before.start, period.start), day__lt=max(before.end, period.end))
        .values("day")
        .annotate(**_SUMS)
        .order_by()
        .values_list("day", *COUNTED)
    )
    width = len(COUNTED)
    total, earlier = [0] * width, [0] * width
    weeks: dict[dt.date, list[int]] = {}
    months: dict[dt.date, list[int]] = {}

    def fold(into: list[int], values) -> None:
        for i, value in enumerate(values):
            into[i] += value

    for day, *sums in by_day:
        values = [int(v or 0) for v in sums]
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        if before.start <= day < before.end:
            fold(earlier, values)
        if not period.start <= day < period.end:
            continue
        fold(total, values)
        fold(weeks.setdefault(_monday(day), [0] * width), values)
        fold(months.setdefault(day.replace(day=1), [0] * width), values)

    def counts(values: list[int]) -> Counts:
        return Counts(**dict(zip(COUNTED, values, strict=True)))

    return (
        counts(total),
        counts(earlier),
        {w: counts(v) for w, v in weeks.items()},
        {m: counts(v) for m, v in months.items()},
    )


def _children(area_code: str, period: Period, counted: bool) -> list[Row]:
    """The areas right below, each with its figures over the period (the ranking)."""
    if level_of(area_code) == Level.GRID:
        return []
    if level_of(area_code) == Level.VILLAGE:
        # the grids' figures are their facts (no area rows are kept for a grid)
        from grassroots.areas.models import Area

        grids = list(
            Area.objects.filter(code__startswith=area_code, level=Level.GRID).values_list("code", flat=True)
        )
        below: QuerySet = DailyFact.objects.filter(area_code__in=grids)
    else:
        below = AreaDay.objects.filter(parent_code=area_code)
    rows = (
        below.filter(day__gte=period.start, day__lt=period.end)
        .values("area_code")
        .annotate(**_SUMS)
        .order_by("area_code")
    )
    child_counts = [(row["area_code"], _counts(row)) for row in rows]
    names = area_names(codes=[code for code, _ in child_counts])
    return [
        Row(code, figures_from(c, basically_counts=counted), label=names.get(code, code))
        for code, c in child_counts
    ]


def _types(area_code: str, period: Period, counted: bool) -> list[Row]:
    """The top-level service types with reports in the area over the period, most reported first."""
    by_type: dict[int, Counts] = {}
    if level_of(area_code) == Level.GRID:
        tops = top_types()
        for row in (
            DailyFact.objects.filter(area_code=area_code, day__gte=period.start, day__lt=period.end)
            .values("category_id")
            .annotate(**_SUMS)
            .order_by()
        ):
            top = tops.get(row["category_id"], row["category_id"])
            by_type[top] = by_type.get(top, Counts()) + _counts(row)
    else:
        by_type = {
            row["top_type_id"]: _counts(row)
            for row in AreaDay.objects.filter(area_code=area_code, day__gte=period.start, day__lt=period.end)
            .values("top_type_id")
            .annotate(**_SUMS)
            .order_by()
        }
    if not by_type:
        return []
    found = {
        pk: (code, name)
        for pk, code, name in Category.objects.filter(pk__in=by_type).values_list("pk", "code", "name")
    }
    return sorted(
        (
            Row(
                found.get(pk, (str(pk), ""))[0],
                figures_from(c, basically_counts=counted),
                label=found.get(pk, (str(pk), ""))[1],
            )
            for pk, c in by_type.items()
        ),
        key=lambda r: (-r.figures.counts.reported, r.key),
    )


def cases_needing_attention_for(*, user, area_code: str, limit: int = 20) -> tuple[list[Case], list[Case]]:
    """Now, in the area: the overdue cases (their running clock past its deadline) and the open cases urged
    at least once, most urged first — both through the scoped queue of the cases app."""
    overdue = list(case_queue_for(user=user, filters=QueueFilters(overdue=True, area=area_code))[:limit])
    urged = list(
        case_queue_for(user=user, filters=QueueFilters(state="open", area=area_code))
        .filter(urge_count__gt=0)
        .exclude(state=State.CLOSED)
        .order_by("-urge_count", "-reported_at")[:limit]
    )
    return overdue, urged


def compare_with_live(*, depth: int = 3) -> tuple[int, list[str]]:
    """Compare the figures from the pre-aggregated rows with the live ones (``cases.metrics.case_metrics``,
    read from the cases) for every area with cases down to ``depth`` levels below the top, over the whole span
    of the rows, and for the top areas month by month. Returns (areas compared, one line per difference)."""
    from django.db.models import Max, Min

    from grassroots.cases.metrics import case_metrics

    span = AreaDay.objects.aggregate(first=Min("day"), last=Max("day"))
    if span["first"] is None:
        return 0, []
    first, last = span["first"], span["last"]
    if isinstance(first, str):
        first, last = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    whole = Period(first, last + dt.timedelta(days=1), f"{first.isoformat()}..{last.isoformat()}")
    codes = sorted(set(AreaDay.objects.values_list("area_code", flat=True).distinct()))
    top = min(level_of(code) for code in codes)
    wanted = [code for code in codes if level_of(code) < top + depth]
    checks: list[tuple[str, Period]] = [(code, whole) for code in wanted]
    month = first.replace(day=1)
    while month <= last:
        checks += [(code, Period.month(month.year, month.month)) for code in wanted if level_of(code) == top]
        month = (month + dt.timedelta(days=32)).replace(day=1)
    mismatches = []
    for code, period in checks:
        stored = figures_for(area_code=code, period=period).counts
        live = case_metrics(area_code=code, period=period).counts
        if stored != live:
            differing = [n for n in COUNTED if getattr(stored, n) != getattr(live, n)]
            mismatches.append(
                f"{code} {period.key}: "
                + ", ".join(f"{n} {getattr(stored, n)} ≠ {getattr(live, n)}" for n in differing)
            )
    return len(wanted), mismatches


# --- monthly bulletins -----------------------------------------------------------------------------------------


def bulletins_for(*, user, area_code: str) -> list[Bulletin]:
    """The bulletins issued for ``area_code`` (the caller checked ``may_see``), newest month first."""
    return list(
        scoped(Bulletin.objects.filter(area_code=area_code), user, roles=VIEWERS).select_related("issued_by")
    )


def bulletin_get_for(*, user, pk: int) -> Bulletin:
    """A bulletin of an area in the user's scope, else 404."""
    return get_in_scope_or_404(Bulletin.objects.select_related("issued_by"), user, roles=VIEWERS, pk=pk)


@dataclass(frozen=True)
class BulletinLine:
    """One figure of a bulletin as issued, with the formula's label and definition in the reader's language."""

    key: str
    label: str
    definition: str
    percent: str | None
    numerator: int
    denominator: int
    previous: str | None


def bulletin_lines(bulletin: Bulletin, part: dict | None = None) -> list[BulletinLine]:
    """The rates of a bulletin (or of one of its rows, ``part``) as frozen, beside the month before."""
    content = bulletin.content
    shown = part if part is not None else content["figures"]
    before = content["previous"]["rates"] if part is None else {}
    template = figures_from(Counts(), basically_counts=bool(content.get("basically_counts", True)))
    lines = []
    for rate in template.ordered:
        frozen = shown["rates"].get(rate.key)
        if frozen is None:
            continue
        lines.append(
            BulletinLine(
                rate.key,
                str(rate.label),
                str(rate.definition),
                frozen["percent"],
                frozen["numerator"],
                frozen["denominator"],
                before.get(rate.key, {}).get("percent"),
            )
        )
    return lines


def bulletin_intact(bulletin: Bulletin) -> bool:
    """Whether the stored content still has the hash it was issued with."""
    return content_hash(bulletin.content) == bulletin.sha256
