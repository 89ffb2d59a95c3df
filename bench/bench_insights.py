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

    # --- the rebuild -----------------------------------------------------------------------------------------
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
    print(
        f"rows read: city {AreaDay.objects.filter(area_code=CITY).count():,} own + "
        f"{AreaDay.objects.filter(parent_code=CITY).count():,} children; "
        f"fact rows {DailyFact.objects.count():,}"
    )
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
