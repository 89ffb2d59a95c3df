"""Hotspots and recurrence (未诉先办): reports of one service type close together, places far above their
grid's norm, cases reopened again and again — read for a scope, with the cases behind each. The method and its
parameters are shown on the page; see docs/metrics.md."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Sum

from grassroots.accounts.scoping import OutOfScope, scoped
from grassroots.cases.models import Case, CaseEvent, Category, EventAction, Source, State
from grassroots.cases.selectors import _local_midnight, area_names
from grassroots.geo import metres_per_degree
from grassroots.workforce.models import PatrolTask

from ..models import DailyFact
from .scope import VIEWERS, may_see

# --------------------------------------------------------------------------


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
    text = f"{kind}:{int(category_id)}:{','.join(str(int(i)) for i in sorted(set(case_ids)))}"
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _clusters(
    points: list[tuple[int, float, float]], *, radius_m: float, min_reports: int
) -> list[list[int]]:
    """DBSCAN (Ester et al., 1996) over points of one service type: a point with at least ``min_reports``
    points (itself included) within ``radius_m`` is a core point; core points within ``radius_m`` of each other
    join one cluster, and every other point within ``radius_m`` of a core point joins its cluster. Distances on
    a local flat projection (metres east and north of the points' mean latitude), exact to a fraction of a
    per cent across a city. Neighbours are found through square cells of ``radius_m``. Returns the clusters as
    lists of indexes into ``points``."""
    if len(points) < min_reports:
        return []
    kx, ky = metres_per_degree(sum(p[2] for p in points) / len(points))
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
    lon = sum(r[1] for r in rows) / len(rows)
    lat = sum(r[2] for r in rows) / len(rows)
    kx, ky = metres_per_degree(lat)
    spread = max(math.hypot((r[1] - lon) * kx, (r[2] - lat) * ky) for r in rows)
    return lon, lat, spread


def _window_cases(*, user, area_code: str, start: dt.date):
    """The reports of the window in the area, as the user may see them: not merged into another, not
    cancelled, scoped by where they were routed."""
    return scoped(
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
    newest_case = Case.objects.aggregate(pk=Max("pk"))["pk"]
    newest_event = CaseEvent.objects.aggregate(pk=Max("pk"))["pk"]
    parameters = ":".join(
        str(getattr(method, name)) for name in ("radius_m", "days", "min_reports", "min_reopened")
    )
    return f"insights:hotspots:1:{area_code}:{today.isoformat()}:{parameters}:{newest_case}:{newest_event}"


def _hotspots_from_cases(*, user, area_code: str, method: HotspotMethod, today: dt.date) -> list[Hotspot]:
    """The clusters and the reopenings of the window (the largest :data:`HOTSPOTS_SHOWN`), without their
    cases' details."""
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
    reopened = (
        scoped(
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
