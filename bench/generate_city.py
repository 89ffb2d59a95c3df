"""Build the demo city at the seed city's scale into a database and time it.

The seed city (DESIGN.md section 4): 140 communities with 1,551 community and dedicated grids, 652 villages
and gacha with 4,462 rural grids, their grid workers and assignments, and the demo logins. The generator
is ``grassroots.demo`` (the same one ``manage.py demo_load --scale city`` runs); this wrapper migrates the
database, rebuilds the demo from the fixed seed and prints how long each step took.

Run from the repository root::

    .venv/bin/python bench/generate_city.py --database-url sqlite:////tmp/grassroots-city.sqlite3
    .venv/bin/python bench/generate_city.py --database-url postgres://postgres@127.0.0.1:5432/grassroots_city
    .venv/bin/python bench/generate_city.py --database-url sqlite:////tmp/c.sqlite3 --until logins  # the tree only

A PostgreSQL database that does not exist yet is created. Results go to docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _create_postgres_database(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    admin = psycopg.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"],
        port=config["PORT"] or 5432,
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="sqlite:////path or postgres://...")
    parser.add_argument("--seed", type=int, default=None, help="default: the demo's own seed")
    parser.add_argument("--scale", default="city", choices=["small", "city"])
    parser.add_argument("--until", metavar="STEP", help="stop after this generator step (e.g. logins)")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    if args.database_url.startswith("postgres"):
        _create_postgres_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from grassroots.demo.models import LoadedStep
    from grassroots.demo.steps import DEFAULT_SEED, SCALES, DemoContext, load, unload

    seed = DEFAULT_SEED if args.seed is None else args.seed
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    if LoadedStep.objects.exists():
        unload(DemoContext(SCALES[args.scale], seed))
    emptied = time.perf_counter()
    report = load(scale=args.scale, seed=seed, until=args.until)
    loaded = time.perf_counter()

    version = connection.Database.sqlite_version if connection.vendor == "sqlite" else connection.pg_version
    print(
        f"database: {connection.vendor} {version}, python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    print(f"migrate: {migrated - started:.1f} s")
    print(f"remove the previous demo: {emptied - migrated:.1f} s")
    for outcome in report.steps:
        counts = ", ".join(f"{k} {v:,}" for k, v in outcome.counts.items())
        print(f"  {outcome.name}: {outcome.seconds:.1f} s ({counts})")
    print(f"build --scale {args.scale}: {loaded - emptied:.1f} s")


if __name__ == "__main__":
    main()
