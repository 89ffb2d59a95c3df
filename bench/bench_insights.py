"""Insights at city scale: the pre-aggregated figures rebuilt from generated cases, then the dashboards' reads.

What it does, on the database named by ``--database-url`` (SQLite file or PostgreSQL):

1. migrates it and builds the demo city at the seed city's scale (6,013 grids, their workers, the demo logins)
   unless it is already there;
2. generates ``--cases`` cases (default 200,000) over the twelve months before today with the fixed generator
   of bench/bench_cases.py (same seed, same shapes: every state, level and channel, ratings), unless the
   database already holds exactly that many;
3. measures, in the same run and on the same database:
   - ``manage.py insights_rebuild``'s work: every fact and area row again from the cases (``facts_rebuild``),
     then ``facts_differences`` (a fresh computation compared with the stored rows, as ``--check`` does);
   - the refresh of one (grid, day) slice, as the task queue runs it after a case moves;
   - the dashboard data (``insights.selectors.dashboard_for``: the headline and the period before, the trends by
     week and month, the areas below, the service types) of the whole city and of a county over the year, the
     county's headline alone, and the county's dashboard page and API answer;
   - beside them, the live metrics of the same county and city (``cases.metrics``, read from the cases) that
     the figures equal, which the run checks;
   - the hotspots (``insights.selectors.hotspots_for``, the three methods with the default parameters: 200 m,
     30 days) of the county and of the city, and the county's hotspot page.

Timings are medians of warm repetitions (wall clock); the machine is shared, so the load average is printed
beside them. Run from the repository root::

    .venv/bin/python bench/bench_insights.py --database-url postgres://postgres@127.0.0.1:5432/gr_insights
    .venv/bin/python bench/bench_insights.py --database-url sqlite:////tmp/grassroots-insights.sqlite3

Options: ``--cases N`` (default 200,000), ``--seed`` (default bench_cases's). Results go to docs/performance.md
by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_cases  # noqa: E402 - the fixed generator and the timing helpers

CITY = "1508"
COUNTY = bench_cases.COUNTY


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=20250301)
    parser.add_argument(
        "--prepare-only", action="store_true", help="build the city and the cases, then stop (no measurement)"
    )
    parser.add_argument(
        "--skip-rebuild",
        action="store_true",
        help="keep the stored figures (rebuilt by an earlier run): no rebuild, no check",
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    os.environ.setdefault("AXES_ENABLED", "0")
    if args.database_url.startswith("postgres"):
        bench_cases._create_postgres_database(args.database_url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from grassroots import clock
    from grassroots.accounts.models import User
    from grassroots.cases import metrics
    from grassroots.cases.models import Case, CaseEvent, CasePhoto, CaseRating
    from grassroots.demo import steps
    from grassroots.demo.city import CityStep
    from grassroots.demo.grid_workers import GridWorkersStep
    from grassroots.demo.logins import LoginsStep
    from grassroots.demo.models import LoadedStep
    from grassroots.insights import selectors, services
    from grassroots.insights.models import AreaDay, DailyFact

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    version = connection.Database.sqlite_version if vendor == "sqlite" else connection.pg_version
    print(f"database: {vendor} {version}, {os.cpu_count()} CPUs")

    started = time.perf_counter()
    ctx = steps.DemoContext(steps.SCALES["city"], steps.DEFAULT_SEED)
    for step in (CityStep(), GridWorkersStep(), LoginsStep()):
        if not LoadedStep.objects.filter(name=step.name).exists():
            counts = step.run(ctx)
            LoadedStep.objects.create(name=step.name, scale="city", seed=ctx.seed, counts=counts, seconds=0)
    print(f"city ready in {time.perf_counter() - started:.1f} s")

    now = clock.now()
    have = Case.objects.filter(is_synthetic=True, description__startswith="基准测试事件").count()
    if have != args.cases or Case.objects.count() != have:
        for model in (CasePhoto, CaseEvent, CaseRating, Case):
            model.objects.all()._raw_delete(model.objects.db)
        started = time.perf_counter()
        bench_cases.generate_cases(args.cases, args.seed, now)
        print(f"generated {args.cases:,} cases in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
    print(f"cases: {Case.objects.count():,}, ratings: {CaseRating.objects.count():,}")
    if args.prepare_only:
        return

    # --- the rebuild -----------------------------------------------------------------------------------------
    if not args.skip_rebuild:
        started = time.perf_counter()
        written = services.facts_rebuild()
        rebuilt = time.perf_counter() - started
        print(f"rebuild: {rebuilt:.1f} s ({written['facts']:,} fact rows, {written['areas']:,} area rows)")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
        started = time.perf_counter()
        differences = services.facts_differences()
        print(
            f"check (stored rows against a fresh computation): {time.perf_counter() - started:.1f} s, {differences}"
        )
        assert differences == {"facts": 0, "areas": 0}, differences

    # --- one slice, as a task refreshes it --------------------------------------------------------------------
    recent = Case.objects.filter(origin_code__startswith=COUNTY).order_by("-reported_at").first()
    assert recent is not None
    day = services.local_day(recent.reported_at)

    def refresh():
        services.facts_refresh(area_code=recent.origin_code, day=day)

    median, p90 = bench_cases._timed(refresh, repeat=20)
    print(
        f"refresh of one (grid, day) slice and the areas above it: median {median:.1f} ms, p90 {p90:.1f} ms"
    )

    # --- the dashboards' reads ----------------------------------------------------------------------------------
    year = metrics.Period.parse(f"{(now - dt.timedelta(days=364)).date()}..{now.date()}")
    for code in (COUNTY, CITY):
        stored = selectors.figures_for(area_code=code, period=year).counts
        live = metrics.case_metrics(area_code=code, period=year).counts
        assert stored == live, (code, stored, live)
    print(f"the figures of {COUNTY} and {CITY} over the year equal the live metrics")

    staff = Client()
    staff.force_login(User.objects.get(username="county"))

    def get(url):
        def fetch():
            response = staff.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return fetch

    def hotspots(code: str, username: str):
        user = User.objects.get(username=username)
        return selectors.hotspots_for(
            user=user, area_code=code, method=selectors.HotspotMethod(), today=clock.today()
        )

    found = {code: hotspots(code, who) for code, who in ((COUNTY, "county"), (CITY, "leader"))}
    for code, spots in found.items():
        kinds = {k: sum(1 for h in spots if h.kind == k) for k in selectors.HotspotKind.ALL}
        print(f"hotspots of {code} (default method, the {selectors.HOTSPOTS_SHOWN} largest kept): {kinds}")

    runs = [
        ("dashboard data, city × year", lambda: selectors.dashboard_for(area_code=CITY, period=year)),
        ("dashboard data, county × year", lambda: selectors.dashboard_for(area_code=COUNTY, period=year)),
        ("headline figures, county × year", lambda: selectors.figures_for(area_code=COUNTY, period=year)),
        ("dashboard page, county × year", get(f"/insights/{COUNTY}/?period={year.key}")),
        ("dashboard API, county × year", get(f"/api/v1/insights/{COUNTY}?period={year.key}")),
        ("live metrics (cases), county × year", lambda: metrics.case_metrics(area_code=COUNTY, period=year)),
        (
            "live metrics overview (cases), city × year",
            lambda: metrics.case_metrics_overview(area_code=CITY, period=year),
        ),
        ("hotspots page, county × 30 days", get(f"/insights/{COUNTY}/hotspots/")),
        ("hotspots (all three methods), county × 30 days", lambda: hotspots(COUNTY, "county")),
        ("hotspots (all three methods), city × 30 days", lambda: hotspots(CITY, "leader")),
    ]
    for label, fn in runs:
        median, p90 = bench_cases._timed(fn, repeat=10, warm=2)
        print(f"{label}: median {median:.1f} ms, p90 {p90:.1f} ms, CPU {bench_cases.CPU_MS[id(fn)]:.1f} ms")
    measure_transitions(staff)
    measure_bulletins()
    print(
        f"rows read: city {AreaDay.objects.filter(area_code=CITY).count():,} own + "
        f"{AreaDay.objects.filter(parent_code=CITY).count():,} children; "
        f"fact rows {DailyFact.objects.count():,}"
    )
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


TRANSITIONS_EACH = 30  # accepted cases per variant (with and without the facts kept current)


def measure_transitions(staff) -> None:
    """What keeping the facts current adds to a case transition: the county's staff member accepts reported
    cases of the county (``reported → accepted``: the row locked, checked and written with its timeline row,
    the reporter told, the commit), through the service and through the API, alternately with the insights
    listener registered (on commit it enqueues the refresh of the case's (place, day) slice as a task row) and
    without it. The refresh itself runs later in a task worker: timed apart, for the same slices."""
    import statistics

    from grassroots.accounts.models import User
    from grassroots.cases import events
    from grassroots.cases.models import Case, State
    from grassroots.cases.services import case_accept
    from grassroots.insights import services

    actor = User.objects.get(username="county")
    pool = list(
        Case.objects.filter(origin_code__startswith=COUNTY, state=State.REPORTED, merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[: 4 * TRANSITIONS_EACH]
    )
    assert len(pool) == 4 * TRANSITIONS_EACH, "too few reported cases left in the county; generate again"
    listener = services.facts_schedule_for_event

    def by_service(pk: int) -> None:
        case = Case.objects.get(pk=pk)
        case_accept(actor=actor, case=case, expected_version=case.version)

    def by_api(pk: int) -> None:
        version = Case.objects.values_list("version", flat=True).get(pk=pk)
        response = staff.post(
            f"/api/v1/cases/{pk}/actions/accept",
            data={"expected_version": version},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content[:300]

    timings: dict[tuple[str, bool], list[float]] = {}
    slices: set[tuple[str, str]] = set()
    stale: set[tuple[str, str]] = set()
    for i in range(2 * TRANSITIONS_EACH):
        way, act = ("service", by_service) if i % 2 == 0 else ("API", by_api)
        for kept in (i % 4 < 2, i % 4 >= 2):  # alternate which variant goes first
            pk = pool.pop()
            if kept:
                events.on_record(listener)
            else:
                events._LISTENERS.remove(listener)
            try:
                started = time.perf_counter()
                act(pk)
                timings.setdefault((way, kept), []).append(time.perf_counter() - started)
            finally:
                events.on_record(listener)
            case = Case.objects.get(pk=pk)
            (slices if kept else stale).add(
                (case.origin_code, services.local_day(case.reported_at).isoformat())
            )
    for way in ("service", "API"):
        without = statistics.median(timings[(way, False)]) * 1000
        kept = statistics.median(timings[(way, True)]) * 1000
        print(
            f"transition (accept) by {way}: median {without:.1f} ms without the facts kept current, "
            f"{kept:.1f} ms with the refresh queued (+{(kept / without - 1) * 100:.1f} %), "
            f"{TRANSITIONS_EACH} each"
        )
    refresh = []
    for code, day in sorted(slices | stale):
        started = time.perf_counter()
        services.facts_refresh(area_code=code, day=dt.date.fromisoformat(day))
        refresh.append(time.perf_counter() - started)
    print(
        f"the refresh each transition enqueues, run as the task worker runs it: median "
        f"{statistics.median(refresh) * 1000:.1f} ms over {len(refresh)} slices (the cases left unrefreshed "
        f"by the runs without it are refreshed here too, so the check stays at zero)"
    )
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(task_path__endswith="facts_refresh_task").delete()


def measure_bulletins() -> None:
    """The city's monthly bulletin for the last month that is over: issuing it (its figures read from the area
    rows, frozen with their hash; in a transaction rolled back, so that it can be issued again), the A4 page
    and the workbook of one issued bulletin."""
    from django.db import transaction
    from django.test import Client

    from grassroots import clock
    from grassroots.accounts.models import User
    from grassroots.insights import services
    from grassroots.insights.models import Bulletin

    leader = User.objects.get(username="leader")
    last = clock.today().replace(day=1) - dt.timedelta(days=1)
    month = last.strftime("%Y-%m")  # issued once and kept: its page and workbook are timed
    before = (last.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")  # issued and rolled back, again

    class Undo(Exception):
        pass

    def issue():
        try:
            with transaction.atomic():
                services.bulletin_issue(actor=leader, area_code=CITY, month=before)
                raise Undo
        except Undo:
            pass

    issued = Bulletin.objects.filter(area_code=CITY, month=last.replace(day=1)).first()
    if issued is None:
        issued = services.bulletin_issue(actor=leader, area_code=CITY, month=month)
    client = Client()
    client.force_login(leader)

    def get(url):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return fetch

    runs = [
        (f"bulletin issued (in a transaction rolled back), city × {before}", issue),
        (f"bulletin page (A4), city × {month}", get(f"/insights/bulletins/{issued.pk}/")),
        (f"bulletin workbook, city × {month}", get(f"/insights/bulletins/{issued.pk}/xlsx/")),
    ]
    for label, fn in runs:
        median, p90 = bench_cases._timed(fn, repeat=10, warm=2)
        print(f"{label}: median {median:.1f} ms, p90 {p90:.1f} ms, CPU {bench_cases.CPU_MS[id(fn)]:.1f} ms")


if __name__ == "__main__":
    main()
