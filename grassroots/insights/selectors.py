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

from grassroots.accounts.scoping import get_in_scope_or_404, in_scope, is_unrestricted, scope_codes, scoped
from grassroots.areas.codes import Level, level_of
from grassroots.cases import workflow
from grassroots.cases.metrics import (
    COUNTED,
    Counts,
    Figures,
    Period,
    Row,
    basically_counts_default,
    figures_from,
)
from grassroots.cases.models import Case, Category, Source, State
from grassroots.cases.selectors import QueueFilters, area_names, case_queue_for

from .models import AreaDay, Bulletin, DailyFact, content_hash

VIEWERS = workflow.VIEWERS
_SUMS = {name: Sum(name) for name in COUNTED}


def may_see(*, user, code: str) -> bool:
    """Staff and leaders whose scope holds the whole area (a grid worker: their grid)."""
    return in_scope(user, code, roles=VIEWERS)


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


# --- hotspots and recurrence (未诉先办) --------------------------------------------------------------------------


class HotspotKind:
    """How a hotspot was found (the page states each method with its parameters)."""

    CLUSTER = "cluster"  # reports of one service type close together (DBSCAN over the points)
    DENSITY = "density"  # a grid's reports of one service type far above its own norm
    REOPENED = "reopened"  # cases of one service type in one grid reopened again and again

    ALL = (CLUSTER, DENSITY, REOPENED)


@dataclass(frozen=True)
class HotspotMethod:
    """The parameters of the detection, each bounded (:data:`HOTSPOT_LIMITS`)."""

    radius_m: int = 200  # N: reports within this distance of each other are neighbours
    days: int = 30  # M: the window, ending today
    min_reports: int = 3  # a cluster's core point has this many reports within radius_m (itself included)
    norm_factor: int = 2  # a grid's reports in the window at least this many times its norm
    norm_windows: int = 12  # the norm: the mean of this many windows before
    min_reopened: int = 2  # reopenings in the window, per grid and service type

    def window(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The first and last day of the window (local days, both inclusive)."""
        return today - dt.timedelta(days=self.days - 1), today


HOTSPOT_LIMITS = {
    "radius_m": (50, 2000),
    "days": (7, 180),
    "min_reports": (2, 50),
    "norm_factor": (2, 10),
    "min_reopened": (1, 20),
}
HOTSPOTS_SHOWN = 60  # hotspots listed, largest first
HOTSPOT_CASES_SHOWN = 12  # cases listed under each


@dataclass
class Hotspot:
    kind: str
    category_id: int
    area_code: str  # the grid (or place of report) most of its cases were routed to
    case_ids: list[int]
    count: int  # reports (cluster, density) or reopenings (reopened)
    lon: float | None = None  # the cases' centre, when they have points
    lat: float | None = None
    spread_m: float | None = None  # the farthest case from the centre
    norm: float | None = None  # density: the grid's mean per window before
    category_code: str = ""
    category_name: str = ""
    area_name: str = ""
    cases: list[Case] | None = None  # the cases shown (at most HOTSPOT_CASES_SHOWN, newest first)
    proactive_case: Case | None = None  # the proactive case opened for it, if any (by anyone)
    patrol_due: dt.date | None = None  # the patrol task set for it, if any: its date

    @property
    def key(self) -> str:
        """Stable for the same cases: names the hotspot in forms and idempotency keys."""
        return hotspot_key(self.kind, self.category_id, self.case_ids)


def hotspot_key(kind: str, category_id: int, case_ids) -> str:
    import hashlib

    text = f"{kind}:{int(category_id)}:{','.join(str(int(i)) for i in sorted(set(case_ids)))}"
    return hashlib.sha256(text.encode()).hexdigest()[:40]


_EARTH_M_PER_DEGREE = 111_320.0


def _clusters(
    points: list[tuple[int, float, float]], *, radius_m: float, min_reports: int
) -> list[list[int]]:
    """DBSCAN (Ester et al., 1996) over points of one service type: a point with at least ``min_reports``
    points (itself included) within ``radius_m`` is a core point; core points within ``radius_m`` of each other
    join one cluster, and every other point within ``radius_m`` of a core point joins its cluster. Distances on
    a local flat projection (metres east and north of the points' mean latitude), exact to a fraction of a
    per cent across a city. Neighbours are found through square cells of ``radius_m``. Returns the clusters as
    lists of indexes into ``points``."""
    import math

    if len(points) < min_reports:
        return []
    lat0 = sum(p[2] for p in points) / len(points)
    kx = _EARTH_M_PER_DEGREE * math.cos(math.radians(lat0))
    ky = 110_574.0
    xy = [(p[1] * kx, p[2] * ky) for p in points]
    cells: dict[tuple[int, int], list[int]] = {}
    for i, (x, y) in enumerate(xy):
        cells.setdefault((int(x // radius_m), int(y // radius_m)), []).append(i)
    r2 = radius_m * radius_m
    around = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    # a point can be a core only when the nine cells around it hold min_reports points: in a sparse city most
    # hold one or two, and their distances are never computed (a point near a core is found from the core)
    crowded = {
        (cx, cy)
        for cx, cy in cells
        if sum(len(cells.get((cx + dx, cy + dy), ())) for dx, dy in around) >= min_reports
    }
    neighbours: list[list[int]] = [[] for _ in xy]
    for cx, cy in crowded:
        for i in cells[(cx, cy)]:
            x, y = xy[i]
            near = neighbours[i]
            for dx, dy in around:
                for j in cells.get((cx + dx, cy + dy), ()):
                    ox, oy = xy[j]
                    if (ox - x) ** 2 + (oy - y) ** 2 <= r2:
                        near.append(j)
    core = [len(n) >= min_reports for n in neighbours]
    parent = list(range(len(points)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, near in enumerate(neighbours):
        if core[i]:
            for j in near:
                if core[j]:
                    a, b = root(i), root(j)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    owner: dict[int, int] = {}
    for i, near in enumerate(neighbours):
        if core[i]:
            groups.setdefault(root(i), []).append(i)
            for j in near:
                if not core[j] and j not in owner:
                    owner[j] = root(i)  # a border point joins the cluster of the first core that reaches it
    for j, group in sorted(owner.items()):
        groups[group].append(j)
    return sorted(groups.values(), key=lambda g: (-len(g), min(g)))


def _centre(rows: list[tuple[int, float, float]]) -> tuple[float, float, float]:
    """The mean point of ``rows`` and the distance in metres of the farthest from it."""
    import math

    lon = sum(r[1] for r in rows) / len(rows)
    lat = sum(r[2] for r in rows) / len(rows)
    kx = _EARTH_M_PER_DEGREE * math.cos(math.radians(lat))
    spread = max(math.hypot((r[1] - lon) * kx, (r[2] - lat) * 110_574.0) for r in rows)
    return lon, lat, spread


def _window_cases(*, user, area_code: str, start: dt.date):
    """The reports of the window in the area, as the user may see them: not merged into another, not
    cancelled, scoped by where they were routed."""
    from grassroots.accounts.scoping import scoped as scoped_by
    from grassroots.cases.selectors import _local_midnight

    return scoped_by(
        Case.objects.filter(
            origin_code__startswith=area_code,
            reported_at__gte=_local_midnight(start),
            merged_into__isnull=True,
        )
        .exclude(state=State.CANCELLED)
        .exclude(source=Source.PROACTIVE),
        user,
        field="origin_code",
        roles=VIEWERS,
    )


def _most_common(values) -> str:
    from collections import Counter

    counted = Counter(v for v in values if v)
    return counted.most_common(1)[0][0] if counted else ""


HOTSPOT_CACHE_SECONDS = 24 * 3600  # at most a day: the key holds the day anyway


def hotspots_for(*, user, area_code: str, method: HotspotMethod, today: dt.date) -> list[Hotspot]:
    """The hotspots of ``area_code`` (the caller checked :func:`may_see`) by the three methods of
    :class:`HotspotKind`, largest first (at most :data:`HOTSPOTS_SHOWN`), each with the newest of its cases.

    - cluster: the reports of the window with a point, by service type, clustered by :func:`_clusters`;
    - density: per place of report and service type, the reports of the window against the mean of the
      ``norm_windows`` windows before (from the daily figures), when at least ``min_reports`` and at least
      ``norm_factor`` times that mean;
    - reopened: per place of report and service type, the reopenings in the window, when at least
      ``min_reopened``.

    The clusters and reopenings come from the cases (the costly part: a city's window holds tens of thousands
    of points) and are kept in Django's cache under :func:`_hotspot_cache_key`, which names the area, the
    day, the method and the newest case and timeline row: any report or change of a case writes a timeline
    row, so a changed case is a new key. They are the same for everyone who may see the whole area, whatever
    else their scope holds; for anyone else (the callers check :func:`may_see`, but each read is scoped
    anyway) they are computed and not kept. The density hotspots are read from the daily figures each
    time (kept current by the task queue, after the timeline row), and whether a hotspot has been acted on,
    with its cases, is read each time too."""
    from django.core.cache import cache

    if not may_see(user=user, code=area_code):
        # not the whole area's answer (each of its reads is scoped): neither read from the cache nor kept
        from_cases = _hotspots_from_cases(user=user, area_code=area_code, method=method, today=today)
    else:
        key = _hotspot_cache_key(area_code=area_code, method=method, today=today)
        from_cases = cache.get(key)
        if from_cases is None:
            from_cases = _hotspots_from_cases(user=user, area_code=area_code, method=method, today=today)
            cache.set(key, from_cases, HOTSPOT_CACHE_SECONDS)
    found = from_cases + _density_hotspots(area_code=area_code, method=method, today=today)
    found.sort(key=_hotspot_order)
    shown = found[:HOTSPOTS_SHOWN]
    start, _last = method.window(today)
    _fill_cases(user=user, area_code=area_code, start=start, hotspots=shown)
    return shown


def _hotspot_order(h: Hotspot):
    return (-h.count, HotspotKind.ALL.index(h.kind), h.area_code, h.category_id)


def _hotspot_cache_key(*, area_code: str, method: HotspotMethod, today: dt.date) -> str:
    """What the clusters and reopenings of an area depend on: the area, the day (the window ends today), the
    method's parameters, and the newest case and timeline row (every change of a case writes one)."""
    from django.db.models import Max

    from grassroots.cases.models import CaseEvent

    newest_case = Case.objects.aggregate(pk=Max("pk"))["pk"]
    newest_event = CaseEvent.objects.aggregate(pk=Max("pk"))["pk"]
    parameters = ":".join(
        str(getattr(method, name)) for name in ("radius_m", "days", "min_reports", "min_reopened")
    )
    return f"insights:hotspots:1:{area_code}:{today.isoformat()}:{parameters}:{newest_case}:{newest_event}"


def _hotspots_from_cases(*, user, area_code: str, method: HotspotMethod, today: dt.date) -> list[Hotspot]:
    """The clusters and the reopenings of the window (the largest :data:`HOTSPOTS_SHOWN`), without their
    cases' details."""
    from django.db.models import Count

    from grassroots.cases.models import CaseEvent, EventAction

    start, _last = method.window(today)
    found: list[Hotspot] = []

    # clusters of points
    rows = list(
        _window_cases(user=user, area_code=area_code, start=start)
        .filter(lon__isnull=False, lat__isnull=False)
        .order_by()
        .values_list("pk", "category_id", "lon", "lat", "origin_code")
    )
    by_type: dict[int, list[tuple[int, float, float]]] = {}
    origin: dict[int, str] = {}
    for pk, category_id, lon, lat, code in rows:
        by_type.setdefault(category_id, []).append((pk, lon, lat))
        origin[pk] = code
    for category_id, points in by_type.items():
        for group in _clusters(points, radius_m=method.radius_m, min_reports=method.min_reports):
            members = [points[i] for i in group]
            lon, lat, spread = _centre(members)
            ids = [m[0] for m in members]
            found.append(
                Hotspot(
                    HotspotKind.CLUSTER,
                    category_id,
                    _most_common(origin[i] for i in ids),
                    ids,
                    len(ids),
                    lon=lon,
                    lat=lat,
                    spread_m=spread,
                )
            )

    # reopenings
    from grassroots.accounts.scoping import scoped as scoped_by
    from grassroots.cases.selectors import _local_midnight

    reopened = (
        scoped_by(
            CaseEvent.objects.filter(
                action=EventAction.REOPEN,
                at__gte=_local_midnight(start),
                case__origin_code__startswith=area_code,
                case__merged_into__isnull=True,
            ).exclude(case__source=Source.PROACTIVE),
            user,
            field="case__origin_code",
            roles=VIEWERS,
        )
        .values("case__origin_code", "case__category_id")
        .annotate(times=Count("pk"))
        .filter(times__gte=method.min_reopened)
        .order_by()
    )
    for row in reopened:
        found.append(
            Hotspot(
                HotspotKind.REOPENED, row["case__category_id"], row["case__origin_code"], [], row["times"]
            )
        )

    found.sort(key=_hotspot_order)
    return found[:HOTSPOTS_SHOWN]


def _density_hotspots(*, area_code: str, method: HotspotMethod, today: dt.date) -> list[Hotspot]:
    """Places and service types whose reports in the window are far above their own norm (daily figures)."""
    from .models import DailyFact

    start, last = method.window(today)
    found: list[Hotspot] = []
    # density against the place's own norm, from the daily figures: first the places and types with enough
    # reports in the window (a short range of days, through the day index), then the norm of those alone
    base_start = start - dt.timedelta(days=method.days * method.norm_windows)
    facts = DailyFact.objects.filter(area_code__startswith=area_code).exclude(source=Source.PROACTIVE)
    recent = {
        (row["area_code"], row["category_id"]): row["now"]
        for row in facts.filter(day__gte=start, day__lte=last)
        .values("area_code", "category_id")
        .annotate(now=Sum("reported"))
        .filter(now__gte=method.min_reports)
        .order_by()
    }
    before: dict[tuple[str, int], int] = {}
    if recent:
        # the places by name alone (they lie under the area): with the prefix as well, SQLite read the year
        # through the day index instead of each place's through its own
        for row in (
            DailyFact.objects.exclude(source=Source.PROACTIVE)
            .filter(
                area_code__in=sorted({a for a, _c in recent}),
                category_id__in=sorted({c for _a, c in recent}),
                day__gte=base_start,
                day__lt=start,
            )
            .values("area_code", "category_id")
            .annotate(before=Sum("reported"))
            .order_by()
        ):
            before[(row["area_code"], row["category_id"])] = row["before"] or 0
    for (code, category_id), now_count in sorted(recent.items()):
        norm = before.get((code, category_id), 0) / method.norm_windows
        if now_count >= method.norm_factor * norm:
            found.append(Hotspot(HotspotKind.DENSITY, category_id, code, [], now_count, norm=norm))
    return found


def _fill_cases(*, user, area_code: str, start: dt.date, hotspots: list[Hotspot]) -> None:
    """The names and the cases behind each hotspot: a cluster's own cases; a density hotspot's reports of the
    window; a reopened hotspot's cases reopened in the window. Cases from one read per kind."""
    from grassroots.cases.models import CaseEvent, EventAction

    window = _window_cases(user=user, area_code=area_code, start=start)
    by_place = {(h.area_code, h.category_id) for h in hotspots if h.kind == HotspotKind.DENSITY}
    if by_place:
        places = sorted({p for p, _c in by_place})
        for pk, code, category_id in (
            window.filter(origin_code__in=places).order_by().values_list("pk", "origin_code", "category_id")
        ):
            for h in hotspots:
                if h.kind == HotspotKind.DENSITY and h.area_code == code and h.category_id == category_id:
                    h.case_ids.append(pk)
    reopened = [h for h in hotspots if h.kind == HotspotKind.REOPENED]
    if reopened:
        from grassroots.cases.selectors import _local_midnight

        events = scoped(
            CaseEvent.objects.filter(
                action=EventAction.REOPEN,
                at__gte=_local_midnight(start),
                case__origin_code__in=sorted({h.area_code for h in reopened}),
            ),
            user,
            field="case__origin_code",
            roles=VIEWERS,
        ).values_list("case_id", "case__origin_code", "case__category_id")
        for case_id, code, category_id in events:
            for h in reopened:
                if h.area_code == code and h.category_id == category_id and case_id not in h.case_ids:
                    h.case_ids.append(case_id)
    wanted = {pk for h in hotspots for pk in h.case_ids}
    cases = (
        {
            c.pk: c
            for c in scoped(
                Case.objects.filter(pk__in=wanted), user, field="origin_code", roles=VIEWERS
            ).select_related("category")
        }
        if wanted
        else {}
    )
    categories = {
        pk: (code, name)
        for pk, code, name in Category.objects.filter(pk__in={h.category_id for h in hotspots}).values_list(
            "pk", "code", "name"
        )
    }
    names = area_names(codes=sorted({h.area_code for h in hotspots}))
    acted = {"hotspot-" + h.key: h for h in hotspots}
    if acted:
        from grassroots.workforce.models import PatrolTask

        for case in Case.objects.filter(source=Source.PROACTIVE, idempotency_key__in=list(acted)).only(
            "pk", "reported_at", "idempotency_key"
        ):
            acted[case.idempotency_key].proactive_case = case
        for key, due in PatrolTask.objects.filter(idempotency_key__in=list(acted)).values_list(
            "idempotency_key", "due_on"
        ):
            acted[key].patrol_due = due
    for h in hotspots:
        h.category_code, h.category_name = categories.get(h.category_id, (str(h.category_id), ""))
        h.area_name = names.get(h.area_code, h.area_code)
        h.cases = sorted(
            (cases[pk] for pk in h.case_ids if pk in cases), key=lambda c: c.reported_at, reverse=True
        )[:HOTSPOT_CASES_SHOWN]


def hotspot_cases_for(*, user, case_ids, category_id: int) -> list[Case]:
    """The cases a staff member names for a hotspot they act on: each one theirs to see and of the one service
    type, else :class:`~grassroots.accounts.scoping.OutOfScope` (whether a case exists outside the scope is
    not told)."""
    from grassroots.accounts.scoping import OutOfScope

    ids = sorted({int(i) for i in case_ids})
    cases = list(
        scoped(
            Case.objects.filter(pk__in=ids, category_id=category_id), user, field="origin_code", roles=VIEWERS
        )
        .select_related("category")
        .order_by("reported_at", "pk")
    )
    if not ids or len(cases) != len(ids):
        raise OutOfScope
    return cases
