"""Time the area-tree and grid-boundary imports and exports at the seed city's scale.

A fixed-seed synthetic county: 40 townships, 800 villages and communities, about 6,000 grids with
24-vertex outlines and 2,400 village groups (DESIGN.md section 4: the seed city has 792 villages and
communities with 6,013 grids). The script builds the workbook and the GeoJSON file, then times on an empty
database: the dry run, the import, the same file again (nothing changes), and the exports.

Run from the repository root::

    .venv/bin/python bench/bench_area_import.py --database-url sqlite:////tmp/grassroots-bench-areas.sqlite3
    .venv/bin/python bench/bench_area_import.py --database-url postgres://postgres@127.0.0.1:5432/grassroots_bench_areas

The database is dropped and created afresh, so its name must contain "bench".
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 20240601
COUNTY = "150825"
TOWNSHIPS = 40
VILLAGES_PER_TOWNSHIP = 20


def _fresh_database(url: str) -> None:
    """Drop and create the benchmark's own database (its name must contain "bench")."""
    import dj_database_url

    config = dj_database_url.parse(url)
    name = str(config["NAME"])
    if "bench" not in Path(name).name:
        raise SystemExit(f"refusing to drop {name!r}: the benchmark's database name must contain 'bench'")
    if config["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        dbname="postgres",
        user=config["USER"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
        autocommit=True,
    ) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def synthetic_county(seed: int = SEED):
    """(tree rows, village-group rows, GeoJSON features) of the synthetic county."""
    from shapely.geometry import box, mapping

    rng = random.Random(seed)
    rows, groups, features = [], [], []
    village_size = 0.04  # degrees; villages tile the county west→east, north→south
    per_row = 40
    for t in range(TOWNSHIPS):
        township = f"{COUNTY}{100 + t:03d}"
        rows.append([township, f"合成镇{t + 1}", "镇"])
        for v in range(VILLAGES_PER_TOWNSHIP):
            community = v < 4
            number = v + 1 if community else 200 + v
            village = f"{township}{number:03d}"
            rows.append(
                [
                    village,
                    f"合成{'社区' if community else '村'}{t + 1}-{v + 1}",
                    "社区" if community else "村",
                ]
            )
            for g in range(1, 4):
                groups.append([village, g, f"第{g}组"])
            index = t * VILLAGES_PER_TOWNSHIP + v
            x0 = 106.0 + (index % per_row) * village_size
            y0 = 41.6 - (index // per_row) * village_size
            grids = rng.randint(4, 11)
            columns = 4
            size = village_size / columns
            for n in range(1, grids + 1):
                code = f"{village}{n:03d}"
                kind = "社区网格" if community else "农牧区网格"
                covered = "" if community else str(rng.randint(1, 3))
                rows.append(
                    [code, f"网格{n}", "网格", None, None, None, None, kind, n, rng.randint(5, 400), covered]
                )
                gx, gy = x0 + ((n - 1) % columns) * size, y0 - ((n - 1) // columns) * size
                outline = box(gx, gy - size, gx + size, gy).segmentize(size / 6)
                features.append(
                    {
                        "type": "Feature",
                        "geometry": json.loads(json.dumps(mapping(outline))),
                        "properties": {"code": code},
                    }
                )
    return rows, groups, features


def workbook(rows, groups) -> bytes:
    import openpyxl

    from grassroots.areas.tree_workbook import GROUP_COLUMNS, TREE_COLUMNS

    wb = openpyxl.Workbook(write_only=True)
    tree = wb.create_sheet("区划")
    tree.append([c.zh for c in TREE_COLUMNS])
    for row in rows:
        tree.append(row)
    sheet = wb.create_sheet("村民小组")
    sheet.append([c.zh for c in GROUP_COLUMNS])
    for row in groups:
        sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    _fresh_database(args.database_url)

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection

    from grassroots.accounts.models import User
    from grassroots.areas import services
    from grassroots.areas.models import Area

    call_command("migrate", "areas", verbosity=0)  # the areas app and what it depends on
    for code, name, level, kind, parent in (
        ("15", "内蒙古自治区", 1, "province", None),
        ("1508", "巴彦淖尔市", 2, "city", "15"),
        (COUNTY, "乌拉特后旗", 3, "banner", "1508"),
    ):
        Area.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "kind": kind,
                "parent": Area.objects.filter(code=parent).first(),
            },
        )
    actor, _ = User.objects.get_or_create(username="bench-area-import", defaults={"is_superuser": True})

    started = time.perf_counter()
    rows, groups, features = synthetic_county()
    tree_bytes = workbook(rows, groups)
    geojson_bytes = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    generated = time.perf_counter() - started
    grids = sum(1 for r in rows if len(r[0]) == 15)
    print(f"{connection.vendor}: {len(rows):,} tree rows ({grids:,} grids), {len(groups):,} village groups")
    print(
        f"workbook {len(tree_bytes) / 1024:,.0f} KiB, GeoJSON {len(geojson_bytes) / 1024:,.0f} KiB, built in {generated:.1f} s"
    )

    print(f"{'':<50} {'wall':>7} {'CPU':>7}")

    def timed(label, call):
        # Wall time depends on what else the machine runs; this process's CPU time much less (the
        # database server's own work is in the wall time only).
        start, cpu = time.perf_counter(), time.process_time()
        result = call()
        print(f"{label:<50} {time.perf_counter() - start:6.2f}s {time.process_time() - cpu:6.2f}s")
        return result

    def tree(dry_run):
        return services.tree_import(
            actor=actor, file=SimpleUploadedFile("tree.xlsx", tree_bytes), root_code=COUNTY, dry_run=dry_run
        )

    def boundaries(dry_run):
        return services.boundaries_import(
            actor=actor,
            file=SimpleUploadedFile("grids.geojson", geojson_bytes),
            root_code=COUNTY,
            dry_run=dry_run,
        )

    report = timed("tree: dry run on an empty county", lambda: tree(True))
    assert report.ok, report.errors[:3]
    report = timed("tree: import (all new)", lambda: tree(False))
    assert report.written and report.created == len(rows) + len(groups), report.as_dict()["errors"][:3]
    report = timed("tree: the same file again (all unchanged)", lambda: tree(False))
    assert report.created == report.updated == 0
    report = timed("boundaries: dry run", lambda: boundaries(True))
    assert report.ok, report.errors[:3]
    report = timed("boundaries: import (every grid gets its outline)", lambda: boundaries(False))
    assert report.updated == grids, report.as_dict()["errors"][:3]
    report = timed("boundaries: the same file again (all unchanged)", lambda: boundaries(False))
    assert report.unchanged == grids
    data = timed("tree export (xlsx)", lambda: services.tree_export(actor=actor, root_code=COUNTY))
    collection = timed(
        "boundaries export (FeatureCollection)",
        lambda: services.boundaries_export(actor=actor, root_code=COUNTY),
    )
    print(f"exports: {len(data) / 1024:,.0f} KiB workbook, {len(collection['features']):,} features")


if __name__ == "__main__":
    main()
