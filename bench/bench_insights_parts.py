"""One part of bench_insights.py at a time, in a fresh process, against a database it has already built
(``bench_insights.py --prepare-only``): for re-measuring one figure without regenerating a million cases.

    .venv/bin/python bench/bench_insights_parts.py DATABASE_URL rebuild [--check]
    .venv/bin/python bench/bench_insights_parts.py DATABASE_URL dash
    .venv/bin/python bench/bench_insights_parts.py DATABASE_URL hot
    .venv/bin/python bench/bench_insights_parts.py DATABASE_URL transitions

``transitions`` accepts reported cases of the county (bench_insights.measure_transitions): each run uses up 120
of them. Every figure is printed with the load average before and after (docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path


def _load() -> str:
    return Path("/proc/loadavg").read_text().strip()


def _timed(label: str, fn, *, repeat: int = 10, warm: int = 2) -> None:
    for _ in range(warm):
        fn()
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    print(
        f"{label}: median {statistics.median(wall) * 1000:.1f} ms "
        f"(CPU {statistics.median(cpu) * 1000:.1f} ms), fastest {min(wall) * 1000:.1f} ms"
    )


def main() -> None:
    if len(sys.argv) < 3 or sys.argv[2] not in {"rebuild", "dash", "hot", "transitions"}:
        sys.exit(__doc__)
    os.environ["DATABASE_URL"] = sys.argv[1]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    os.environ.setdefault("AXES_ENABLED", "0")
    root = Path(__file__).resolve().parent
    sys.path[:0] = [str(root), str(root.parent)]
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from grassroots import clock
    from grassroots.accounts.models import User
    from grassroots.cases import metrics
    from grassroots.insights import selectors, services

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    part = sys.argv[2]
    print("load before:", _load())
    if part == "rebuild":
        started = time.perf_counter()
        written = services.facts_rebuild()
        print(f"rebuild {time.perf_counter() - started:.1f} s {written}")
        if "--check" in sys.argv:
            started = time.perf_counter()
            print(f"check {time.perf_counter() - started:.1f} s {services.facts_differences()}")
    elif part == "dash":
        now = clock.now()
        year = metrics.Period.parse(f"{(now - dt.timedelta(days=364)).date()}..{now.date()}")
        _timed("dashboard data, city x year", lambda: selectors.dashboard_for(area_code="1508", period=year))
        _timed(
            "dashboard data, county x year", lambda: selectors.dashboard_for(area_code="150825", period=year)
        )
        _timed("headline, county x year", lambda: selectors.figures_for(area_code="150825", period=year))
    elif part == "hot":
        for label, code, username in (("county", "150825", "county"), ("city", "1508", "leader")):
            user = User.objects.get(username=username)
            _timed(
                f"hotspots, {label} x 30 days",
                lambda user=user, code=code: selectors.hotspots_for(
                    user=user, area_code=code, method=selectors.HotspotMethod(), today=clock.today()
                ),
                repeat=5,
                warm=1,
            )
        leader = Client()
        leader.force_login(User.objects.get(username="leader"))

        def page() -> None:
            assert leader.get("/insights/1508/hotspots/").status_code == 200

        _timed("hotspot page, city x 30 days", page, repeat=5, warm=1)
    else:
        import bench_insights

        staff = Client()
        staff.force_login(User.objects.get(username="county"))
        bench_insights.measure_transitions(staff)
    print("load after:", _load())


if __name__ == "__main__":
    main()
