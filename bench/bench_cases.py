"""Cases at city scale: a million generated cases, then submissions, the staff queue and the metrics.

What it does, on the database named by ``--database-url`` (SQLite file or PostgreSQL):

1. migrates it and builds the demo city at the seed city's scale (6,013 grids, their workers, the demo
   logins) with the demo generator, unless it is already there;
2. generates ``--cases`` cases (default 1,000,000) over the twelve months before today with bulk inserts
   (fixed seed; numpy; ``executemany`` on SQLite, ``COPY`` on PostgreSQL) — not through the services, which
   would take hours — in every state, at every level, from every channel, with consistent times: old cases
   are nearly all closed, recent ones often open. Reused when the database already holds them;
3. measures, in the same run and on the same database:
   - case submissions per second through the JSON API (``POST /api/v1/cases/`` with a bearer token: parse,
     validate, route the point to its grid, name the worker, deadline, case + timeline event + notification),
     against a bare Django endpoint (same middleware and token check, parse the JSON, save the case row with
     the ORM); rounds
     alternate between the two so that both see the same machine load;
   - the staff queue page (``/cases/queue/``) of a county's staff member, warm: default, open cases, overdue,
     a later page, one service type over a month, one level (township) and one channel (hotline);
   - the metrics of a county over the year (one aggregate query; the breakdown by township), the whole
     city, and the whole metrics page (read through the schema's covering index ``case_metrics_cover``).

A database generated before a migration is reused: ``migrate`` at the start applies the new migrations to it
(an index on a million cases takes a minute or so), so it need not be generated again.

Timings are medians of warm repetitions (wall clock) after warm-up requests; the machine is shared, so the
load average is printed beside them.

Run from the repository root::

    .venv/bin/python bench/bench_cases.py --database-url sqlite:////tmp/grassroots-cases.sqlite3
    .venv/bin/python bench/bench_cases.py --database-url postgres://postgres@127.0.0.1:5432/grassroots_cases

Options: ``--cases N`` (default 1,000,000), ``--submissions N`` per endpoint (default 600), ``--seed``.
Results go to docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COUNTY = "150825"  # 乌拉特后旗: the demo county staff login's area


def _create_postgres_database(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    with psycopg.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"],
        port=config["PORT"] or 5432,
        autocommit=True,
    ) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


# --- the bare endpoint and the URLs ---------------------------------------------------------------------------


def bare_report(request):
    """The floor to compare with: the same middleware, the same bearer-token check, the JSON parsed and the
    report saved as a case row with the ORM — no validation, routing, deadlines, timeline, notification or
    detailed answer."""
    from django.http import JsonResponse

    from grassroots import clock
    from grassroots.accounts.selectors import user_for_api_token
    from grassroots.cases.models import Case

    header = request.headers.get("Authorization", "")
    user = (
        user_for_api_token(header.removeprefix("Bearer ").strip()) if header.startswith("Bearer ") else None
    )
    if user is None:
        return JsonResponse({"code": "unauthenticated"}, status=401)
    body = json.loads(request.body)
    case = Case.objects.create(
        kind="problem",
        source="api",
        category_id=BARE_CATEGORY[0],
        description=body["description"],
        lon=body["lon"],
        lat=body["lat"],
        origin_code=body["grid"],
        area_code=body["grid"],
        level=6,
        reporter=user,
        reported_at=clock.now(),
        is_synthetic=True,
    )
    return JsonResponse({"id": case.pk}, status=201)


BARE_CATEGORY: list[int] = []


def _urlconf():
    """A URL module: the project's URLs plus the bare endpoint (CSRF-exempt like the API)."""
    import types

    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    module = types.ModuleType("bench_cases_urls")
    module.urlpatterns = [path("bench/bare/", csrf_exempt(bare_report)), path("", include("grassroots.urls"))]
    sys.modules["bench_cases_urls"] = module
    return "bench_cases_urls"


# --- the generator ---------------------------------------------------------------------------------------------


COLUMNS = [
    "reporter_id", "kind", "source", "category_id", "urgency", "description", "address", "reporter_name", "reporter_phone",
    "reporter_phone_hash", "is_anonymous", "idempotency_key", "lon", "lat", "crs", "accuracy_m", "origin_code",
    "area_code", "level", "routing_method", "routing_explanation", "state", "previous_state", "version",
    "assignee_kind", "assignee_ref", "assignee_name", "rework_count", "reopen_count", "urge_count",
    "last_urge_card", "cancel_reason", "close_reason", "closing_level", "closing_code", "reported_at",
    "accepted_at", "dispatched_at", "handled_at", "closed_at", "cancelled_at", "shelved_at", "response_due_at",
    "handling_due_at", "handling_started_at", "shelved_seconds", "rating", "really_solved", "rating_comment",
    "rated_at", "rated_round", "is_synthetic", "updated_at", "idempotency_fingerprint", "self_verified_count",
    "routing_explanation_data",
]  # fmt: skip
SOURCES = ["mobile_web", "api", "phone", "hotline", "visit", "walk_in", "on_the_spot", "patrol"]
SOURCE_WEIGHTS = [0.38, 0.10, 0.12, 0.12, 0.08, 0.05, 0.08, 0.07]


RESIDENTS = 50_000  # reporters of the self-service channels (the city has 1.5 million people)


def _residents(count: int) -> list[int]:
    """Ids of ``count`` synthetic resident logins (bulk-created once, without a usable password)."""
    from grassroots.accounts.models import User

    prefix = "bench-resident-"
    have = User.objects.filter(username__startswith=prefix).count()
    if have < count:
        User.objects.bulk_create(
            [
                User(username=f"{prefix}{k:06d}", password="!", display_name=f"居民{k}", is_synthetic=True)
                for k in range(have, count)
            ],
            batch_size=5000,
        )
    return list(User.objects.filter(username__startswith=prefix).order_by("pk").values_list("pk", flat=True))


def _times(values: np.ndarray, *, postgres: bool) -> list:
    """datetime64[us] (UTC, NaT for none) → the database's text form, None for NaT."""
    text = np.datetime_as_string(values, unit="us")
    text = np.char.replace(text, "T", " ")
    if postgres:
        text = np.char.add(text, "+00")
    out = text.astype(object)
    out[np.isnat(values)] = None
    return out.tolist()


def generate_cases(n: int, seed: int, now: dt.datetime) -> int:
    """Insert ``n`` cases spread over the year before ``now``; returns how many were inserted.

    Column by column with numpy (a Python loop per row would take most of an hour for a million rows).
    """
    from django.db import connection, transaction

    from grassroots.areas.models import Grid
    from grassroots.cases.models import Category

    rng = np.random.default_rng(seed)
    residents = np.array(_residents(RESIDENTS))
    grids = list(
        Grid.objects.filter(min_lon__isnull=False)
        .order_by("area__code")
        .values_list("area__code", "min_lon", "min_lat", "max_lon", "max_lat")
    )
    codes = np.array([g[0] for g in grids], dtype="<U15")
    boxes = np.array([g[1:] for g in grids], dtype=float)
    categories = np.array(list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True)))
    postgres = connection.vendor == "postgresql"

    us = np.timedelta64(1, "us")
    hour = np.timedelta64(3_600_000_000, "us")
    nat = np.datetime64("NaT", "us")
    now64 = np.datetime64(now.astimezone(dt.UTC).replace(tzinfo=None), "us")

    g = rng.integers(0, len(grids), n)
    age_days = rng.uniform(0, 365, n)
    t0 = now64 - (age_days * 86_400_000_000).astype("int64") * us
    # old cases are nearly all closed; the last month holds most of the open ones
    draw = rng.random(n)
    closed = np.where(age_days < 30, draw < 0.55, draw < 0.93)
    cancelled = ~closed & (rng.random(n) < 0.3)
    shelved = ~closed & ~cancelled & (rng.random(n) < 0.1)
    open_state = rng.choice(["reported", "accepted", "dispatched", "handled"], n, p=[0.2, 0.2, 0.45, 0.15])
    source = rng.choice(SOURCES, n, p=SOURCE_WEIGHTS)
    on_spot = source == "on_the_spot"
    state = np.where(
        closed | on_spot, "closed", np.where(cancelled, "cancelled", np.where(shelved, "shelved", open_state))
    )
    reached = np.select(
        [
            state == "closed",
            state == "handled",
            (state == "dispatched") | (state == "shelved"),
            state == "accepted",
        ],
        [4, 3, 2, 1],
        0,
    )
    level_draw = rng.random(n)
    level = np.where(level_draw < 0.86, 6, np.where(level_draw < 0.95, 5, np.where(level_draw < 0.99, 4, 3)))
    level = np.where(on_spot, 6, level)
    origin = codes[g]
    area = np.select(
        [level == 6, level == 5, level == 4],
        [origin, origin.astype("<U12"), origin.astype("<U9")],
        origin.astype("<U6"),
    )

    def hours(values):
        return (values * 3600e6).astype("int64") * us

    accepted = np.where(
        on_spot, t0, np.where((reached >= 1) | cancelled, t0 + hours(rng.exponential(6, n) + 0.2), nat)
    )
    dispatched = np.where(
        on_spot, t0, np.where(reached >= 2, accepted + hours(rng.exponential(8, n) + 0.3), nat)
    )
    # a median of about 33 hours to handle, with a long tail past the seven-day limit
    handled = np.where(
        on_spot, t0, np.where(reached >= 3, dispatched + hours(rng.lognormal(3.5, 1.0, n)), nat)
    )
    closed_at = np.where(
        on_spot, t0, np.where(reached >= 4, handled + hours(rng.exponential(12, n) + 0.5), nat)
    )
    handling_due = np.where(~on_spot & (reached >= 2), dispatched + 7 * 24 * hour, nat)
    handling_started = np.where(~on_spot & (reached >= 2), dispatched, nat)
    cancelled_at = np.where(state == "cancelled", accepted, nat)
    shelved_at = np.where(state == "shelved", dispatched + 2 * hour, nat)
    rating = rng.choice(["", "satisfied", "basically", "unsatisfied"], n, p=[0.55, 0.32, 0.09, 0.04])
    rated = (state == "closed") & (rating != "")
    rated_at = np.where(rated, closed_at + 30 * hour, nat)
    updated = t0
    for column in (accepted, dispatched, handled, closed_at, cancelled_at, shelved_at, rated_at):
        updated = np.fmax(updated, column)
    rework = np.where(reached >= 2, rng.choice([0, 1, 2], n, p=[0.9, 0.08, 0.02]), 0)
    self_service = (source == "mobile_web") | (source == "api")
    fx, fy = rng.uniform(0.3, 0.7, n), rng.uniform(0.3, 0.7, n)
    empty = [""] * n
    is_closed = state == "closed"

    def listed(values) -> list:
        return values.tolist()

    columns = {
        "reporter_id": [
            int(r) if s else None for r, s in zip(rng.choice(residents, n), self_service, strict=True)
        ],
        "kind": ["problem"] * n,
        "source": listed(source),
        "category_id": listed(rng.choice(categories, n)),
        "urgency": listed(rng.choice(["normal", "urgent", "emergency"], n, p=[0.85, 0.12, 0.03])),
        "description": [f"基准测试事件 {i}" for i in range(n)],
        "address": empty,
        "reporter_name": empty,
        "reporter_phone": empty,
        "reporter_phone_hash": empty,
        "is_anonymous": [False] * n,
        "idempotency_key": empty,
        "lon": listed(boxes[g, 0] + (boxes[g, 2] - boxes[g, 0]) * fx),
        "lat": listed(boxes[g, 1] + (boxes[g, 3] - boxes[g, 1]) * fy),
        "crs": ["wgs84"] * n,
        "accuracy_m": listed(np.round(rng.uniform(3, 60, n), 1)),
        "origin_code": listed(origin),
        "area_code": listed(area),
        "level": listed(level),
        "routing_method": ["inside"] * n,
        "routing_explanation": empty,
        "state": listed(state),
        "previous_state": listed(np.where(state == "shelved", "dispatched", "")),
        "version": listed(1 + reached + rework * 2),
        "assignee_kind": listed(np.where(reached >= 2, "grid_worker", "")),
        "assignee_ref": empty,
        "assignee_name": listed(np.where(reached >= 2, "网格员", "")),
        "rework_count": listed(rework),
        "reopen_count": [0] * n,
        "urge_count": [0] * n,
        "last_urge_card": empty,
        "cancel_reason": listed(np.where(state == "cancelled", "不予受理", "")),
        "close_reason": listed(np.where(is_closed, np.where(on_spot, "on_the_spot", "verified"), "")),
        "closing_level": [int(lv) if c else None for lv, c in zip(level, is_closed, strict=True)],
        "closing_code": listed(np.where(is_closed, area, "")),
        "reported_at": _times(t0, postgres=postgres),
        "accepted_at": _times(accepted, postgres=postgres),
        "dispatched_at": _times(dispatched, postgres=postgres),
        "handled_at": _times(handled, postgres=postgres),
        "closed_at": _times(closed_at, postgres=postgres),
        "cancelled_at": _times(cancelled_at, postgres=postgres),
        "shelved_at": _times(shelved_at, postgres=postgres),
        "response_due_at": _times(t0 + 24 * hour, postgres=postgres),
        "handling_due_at": _times(handling_due, postgres=postgres),
        "handling_started_at": _times(handling_started, postgres=postgres),
        "shelved_seconds": [0] * n,
        "rating": listed(np.where(rated, rating, "")),
        "really_solved": [(r != "unsatisfied") if ok else None for r, ok in zip(rating, rated, strict=True)],
        "rating_comment": empty,
        "rated_at": _times(rated_at, postgres=postgres),
        "rated_round": listed(rated.astype(int)),
        "is_synthetic": [True] * n,
        "updated_at": _times(updated, postgres=postgres),
        "idempotency_fingerprint": empty,
        "self_verified_count": [0] * n,
        "routing_explanation_data": ["{}"] * n,
    }
    assert list(columns) == COLUMNS
    rows = zip(*columns.values(), strict=True)
    table = "cases_case"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
        else:
            placeholders = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})", rows)  # noqa: S608
        # each rated case's first (and only) round's rating record, which the figures count
        cursor.execute(
            "INSERT INTO cases_caserating (case_id, round, channel, rating, really_solved, comment, rated_by_id, "
            "rated_at, origin_code, category_id, source, assignee_kind, assignee_name) "
            "SELECT c.id, 1, 'reporter', c.rating, c.really_solved, '', c.reporter_id, c.rated_at, c.origin_code, "
            "c.category_id, c.source, c.assignee_kind, c.assignee_name FROM cases_case c "
            "WHERE c.rated_round = 1 AND NOT EXISTS (SELECT 1 FROM cases_caserating r WHERE r.case_id = c.id)"
        )
    return n


# --- measuring ---------------------------------------------------------------------------------------------------


def _median_ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.9) - 1] * 1000


CPU_MS: dict[int, float] = {}  # id(fn) → median CPU time of this process (ms), for the last _timed call


def _timed(fn, repeat: int, warm: int = 3) -> tuple[float, float]:
    """Median and p90 wall-clock ms. The median CPU time of this process goes to ``CPU_MS``: on SQLite
    that includes the database's work, and on a shared machine it is what an idle one would take."""
    for _ in range(warm):
        fn()
    samples, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        fn()
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    CPU_MS[id(fn)] = statistics.median(cpu) * 1000
    return _median_ms(samples)


def measure_submissions(client, token: str, per_endpoint: int, seed: int) -> dict:
    from grassroots.areas.models import Grid

    rng = np.random.default_rng(seed + 1)
    from grassroots.cases.models import Category

    boxes = list(
        Grid.objects.filter(min_lon__isnull=False).values_list(
            "min_lon", "min_lat", "max_lon", "max_lat", "area__code"
        )
    )
    BARE_CATEGORY[:] = [Category.objects.get(code="0101").pk]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def point():
        b = boxes[int(rng.integers(0, len(boxes)))]
        return (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[4]

    counter = iter(range(10**9))
    run = time.time_ns()

    def api_once():
        lon, lat, _grid = point()
        n = next(counter)
        response = client.post(
            "/api/v1/cases/",
            {"category": "0101", "description": f"接口提交 {n}", "lon": lon, "lat": lat, "accuracy_m": 10},
            HTTP_IDEMPOTENCY_KEY=f"bench-{run}-{n}",  # new keys each run: a replay would answer 200
            **auth,
        )
        assert response.status_code == 201, response.content[:300]

    def bare_once():
        lon, lat, grid = point()
        response = client.post(
            "/bench/bare/",
            json.dumps(
                {"category": "0101", "description": "裸端点提交", "lon": lon, "lat": lat, "grid": grid}
            ),
            content_type="application/json",
            **auth,
        )
        assert response.status_code == 201

    for _ in range(5):  # warm both (routing index, category cache, connections)
        api_once()
        bare_once()
    rounds, per_round = 6, max(1, per_endpoint // 6)
    spent = {"api": 0.0, "bare": 0.0}
    done = {"api": 0, "bare": 0}
    cpu = {"api": 0.0, "bare": 0.0}
    for r in range(rounds):
        order = [("api", api_once), ("bare", bare_once)]
        if r % 2:
            order.reverse()
        for name, fn in order:
            started, cpu_started = time.perf_counter(), time.process_time()
            for _ in range(per_round):
                fn()
            spent[name] += time.perf_counter() - started
            cpu[name] += time.process_time() - cpu_started
            done[name] += per_round
    api_rate = done["api"] / spent["api"]
    bare_rate = done["bare"] / spent["bare"]
    return {
        "api_per_s": api_rate,
        "bare_per_s": bare_rate,
        "ratio": api_rate / bare_rate,
        "n": done["api"],
        "cpu_ratio": (cpu["bare"] / done["bare"]) / (cpu["api"] / done["api"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--submissions", type=int, default=600, help="per endpoint")
    parser.add_argument("--seed", type=int, default=20250301)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    os.environ.setdefault("AXES_ENABLED", "0")
    if args.database_url.startswith("postgres"):
        _create_postgres_database(args.database_url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from grassroots import clock
    from grassroots.accounts.models import User
    from grassroots.accounts.services import api_token_issue
    from grassroots.cases import metrics
    from grassroots.cases.models import Case, CaseEvent, CasePhoto, CaseRating
    from grassroots.demo import steps
    from grassroots.demo.city import CityStep
    from grassroots.demo.grid_workers import GridWorkersStep
    from grassroots.demo.logins import LoginsStep
    from grassroots.demo.models import LoadedStep

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.ROOT_URLCONF = _urlconf()
    call_command("migrate", verbosity=0)
    print(
        f"database: {connection.vendor} {'.'.join(map(str, connection.Database.sqlite_version_info)) if connection.vendor == 'sqlite' else connection.pg_version}"
    )

    started = time.perf_counter()
    ctx = steps.DemoContext(steps.SCALES["city"], steps.DEFAULT_SEED)
    for step in (CityStep(), GridWorkersStep(), LoginsStep()):
        if not LoadedStep.objects.filter(name=step.name).exists():
            counts = step.run(ctx)
            LoadedStep.objects.create(name=step.name, scale="city", seed=ctx.seed, counts=counts, seconds=0)
    print(f"city ready in {time.perf_counter() - started:.1f} s")

    now = clock.now()
    have = Case.objects.filter(is_synthetic=True, description__startswith="基准测试事件").count()
    if have < args.cases:
        # a plain DELETE: Django's cascade would load them all
        for model in (CasePhoto, CaseEvent, CaseRating, Case):
            model.objects.all()._raw_delete(model.objects.db)
        started = time.perf_counter()
        generate_cases(args.cases, args.seed, now)
        seconds = time.perf_counter() - started
        print(f"generated {args.cases:,} cases in {seconds:.0f} s ({args.cases / seconds:,.0f} rows/s)")
    with connection.cursor() as cursor:
        # steady state: statistics gathered and (PostgreSQL) the visibility map set, as autovacuum would
        cursor.execute("VACUUM ANALYZE cases_case" if connection.vendor == "postgresql" else "ANALYZE")

    total = Case.objects.count()
    in_county = Case.objects.filter(origin_code__startswith=COUNTY).count()
    print(f"cases: {total:,} in all, {in_county:,} reported in county {COUNTY}")

    resident = User.objects.get(username="resident")
    token = api_token_issue(user=resident, name="bench")
    client = Client()
    results = {}
    results["submissions"] = measure_submissions(client, token, args.submissions, args.seed)
    s = results["submissions"]
    print(
        f"submissions: API {s['api_per_s']:.1f}/s, bare endpoint {s['bare_per_s']:.1f}/s "
        f"→ {s['ratio'] * 100:.0f} % ({s['n']} each; by this process's CPU time per submission "
        f"{s['cpu_ratio'] * 100:.0f} %)"
    )

    staff = Client()
    staff.force_login(User.objects.get(username="county"))

    def page(url):
        def get():
            response = staff.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    for label, url in [
        ("queue page, default", "/cases/queue/"),
        ("queue page, open cases", "/cases/queue/?state=open"),
        ("queue page, overdue", "/cases/queue/?overdue=on"),
        ("queue page, page 40", "/cases/queue/?page=40"),
        ("queue page, township level", "/cases/queue/?level=4"),
        ("queue page, hotline channel", "/cases/queue/?source=hotline"),
        (
            "queue page, one category, a month",
            f"/cases/queue/?category=01&since={(now - dt.timedelta(days=30)).date()}",
        ),
    ]:
        get = page(url)
        median, p90 = _timed(get, repeat=20)
        results[label] = (median, p90)
        print(f"{label}: median {median:.1f} ms, p90 {p90:.1f} ms, CPU {CPU_MS[id(get)]:.1f} ms")

    year = metrics.Period.parse(f"{(now - dt.timedelta(days=365)).date()}..{now.date()}")
    figures = metrics.case_metrics(area_code=COUNTY, period=year)
    print(f"county year: {figures.counts.reported:,} reported, closure {figures['closure'].percent} %")
    metric_runs = [
        ("metrics, county × year", lambda: metrics.case_metrics(area_code=COUNTY, period=year)),
        (
            "metrics by township, county × year",
            lambda: metrics.case_metrics_by_child(area_code=COUNTY, period=year),
        ),
        (
            "metrics by service type, county × year",
            lambda: metrics.case_metrics_by_type(area_code=COUNTY, period=year),
        ),
        ("metrics, city × year", lambda: metrics.case_metrics(area_code="1508", period=year)),
        ("metrics page, county × year", page(f"/cases/metrics/{COUNTY}/?period={year.key}")),
    ]
    for label, fn in metric_runs:
        whole_city = "city" in label  # a million rows on SQLite: a few runs are enough
        median, p90 = _timed(fn, repeat=3 if whole_city else 10, warm=1 if whole_city else 2)
        results[label] = (median, p90)
        print(f"{label}: median {median:.1f} ms, p90 {p90:.1f} ms, CPU {CPU_MS[id(fn)]:.1f} ms")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
