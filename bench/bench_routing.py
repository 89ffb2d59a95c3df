"""Routing benchmark: single-point lookups per second at city scale.

Builds a synthetic city shaped like Bayannur (DESIGN.md section 4: 7 county-level units over
40.0–42.3°N, 105.2–109.6°E, 6,013 grids) from a fixed seed, stores it in a throw-away SQLite database,
and measures:

- the index build from the database (what every process does after a boundary change);
- ``route_point`` one call at a time, with the boundary-version check in place (WGS-84 and GCJ-02 input;
  uniform over the city, inside grids only, outside every grid only);
- the index alone (point in grid, nearest grid), and a bare STRtree query for comparison.

Rates are per second of CPU time of this one process (``time.process_time``), so that other work on a
shared machine does not halve them; the wall-clock rate is printed beside.

Run from the repository root::

    .venv/bin/python bench/bench_routing.py            # defaults: 6013 grids, 100,000 points, seed 20240601
    .venv/bin/python bench/bench_routing.py --check-seconds 0     # read the boundary version on every call
    .venv/bin/python bench/bench_routing.py --database-url sqlite:////tmp/grassroots-city.sqlite3

Results go to docs/performance.md by hand (machine and command beside the figures).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box, mapping

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WEST, SOUTH, EAST, NORTH = 105.2, 40.0, 109.6, 42.3
COUNTIES = ["150802", "150821", "150822", "150823", "150824", "150825", "150826"]
TOWNSHIP_COLUMNS, TOWNSHIP_ROWS = 2, 6  # per county
VILLAGE_COLUMNS, VILLAGE_ROWS = 3, 3  # per township
EMPTY_VILLAGE_SHARE = 0.03  # villages without grids (desert, military land): routed to an inbox
BOUNDARY_VILLAGE_SHARE = 0.25  # villages whose own outline is on record


def generate_city(*, seed: int = 20240601, grids: int = 6013):
    """A fixed-seed synthetic city: ``(areas, grid_polygons)`` where ``areas`` is a list of
    ``(code, name, level, boundary or None)`` from the province down to the villages and
    ``grid_polygons`` is a list of ``(grid code, shapely polygon)``.

    Counties are vertical strips, townships and villages rectangles inside them; each village is cut
    into Voronoi cells around random seeds, each cell shrunk by 0–40 m so that narrow gaps lie between
    neighbouring grids (as in real, hand-drawn boundaries), and densified to 20–60 vertices.
    """
    rng = np.random.default_rng(seed)
    areas: list[tuple[str, str, int, dict | None]] = [
        ("15", "内蒙古自治区", 1, None),
        ("1508", "巴彦淖尔市", 2, None),
    ]
    county_width = (EAST - WEST) / len(COUNTIES)
    villages: list[tuple[str, shapely.Polygon]] = []
    for c, county in enumerate(COUNTIES):
        areas.append((county, f"合成旗县{c + 1}", 3, None))
        cx0 = WEST + c * county_width
        tw, th = county_width / TOWNSHIP_COLUMNS, (NORTH - SOUTH) / TOWNSHIP_ROWS
        for t in range(TOWNSHIP_COLUMNS * TOWNSHIP_ROWS):
            township = f"{county}{100 + t + 1:03d}"
            tx0, ty0 = cx0 + (t % TOWNSHIP_COLUMNS) * tw, SOUTH + (t // TOWNSHIP_COLUMNS) * th
            areas.append((township, f"合成镇{township[-5:]}", 4, None))
            vw, vh = tw / VILLAGE_COLUMNS, th / VILLAGE_ROWS
            for v in range(VILLAGE_COLUMNS * VILLAGE_ROWS):
                village = f"{township}{200 + v + 1:03d}"
                outline = box(
                    tx0 + (v % VILLAGE_COLUMNS) * vw,
                    ty0 + (v // VILLAGE_COLUMNS) * vh,
                    tx0 + (v % VILLAGE_COLUMNS + 1) * vw,
                    ty0 + (v // VILLAGE_COLUMNS + 1) * vh,
                )
                on_record = rng.random() < BOUNDARY_VILLAGE_SHARE
                areas.append((village, f"合成嘎查{village[-6:]}", 5, mapping(outline) if on_record else None))
                villages.append((village, outline))
    populated = [v for v in villages if rng.random() >= EMPTY_VILLAGE_SHARE]
    counts = rng.multinomial(grids - 2 * len(populated), np.ones(len(populated)) / len(populated)) + 2
    grid_polygons: list[tuple[str, shapely.Polygon]] = []
    for (village, outline), count in zip(populated, counts, strict=True):
        x0, y0, x1, y1 = outline.bounds
        seeds = shapely.multipoints(np.column_stack([rng.uniform(x0, x1, count), rng.uniform(y0, y1, count)]))
        cells = [
            cell.intersection(outline) for cell in shapely.voronoi_polygons(seeds, extend_to=outline).geoms
        ]
        cells = [cell for cell in cells if cell.geom_type == "Polygon" and not cell.is_empty]
        # numbered west→east, north→south
        cells.sort(key=lambda cell: (-round(cell.centroid.y, 2), cell.centroid.x))
        for sequence, cell in enumerate(cells, start=1):
            shrunk = cell.buffer(-rng.uniform(0, 40) / 100_000, join_style="mitre")
            if shrunk.is_empty or shrunk.geom_type != "Polygon":
                shrunk = cell
            dense = shapely.segmentize(shrunk, shrunk.length / rng.integers(20, 60))
            grid_polygons.append((f"{village}{sequence:03d}", dense))
    return areas, grid_polygons


def _setup_django(database: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["GRASSROOTS_VAR_DIR"] = str(database.parent)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connection

    from grassroots.areas.models import Area, BoundaryVersion, Grid, VillageGroup

    with connection.schema_editor() as editor:
        for model in (Area, VillageGroup, Grid, BoundaryVersion):
            editor.create_model(model)


def _store(areas, grid_polygons) -> None:
    from django.db import transaction

    from grassroots.areas.models import Area, Grid, GridKind
    from grassroots.areas.services import boundaries_changed

    kinds = {1: "province", 2: "league", 3: "banner", 4: "town", 5: "gacha", 6: "grid"}
    with transaction.atomic():
        by_code: dict[str, Area] = {}
        for code, name, level, boundary in areas:
            by_code[code] = Area(
                code=code,
                name=name,
                level=level,
                kind=kinds[level],
                parent=by_code.get(code[: {1: 0, 2: 2, 3: 4, 4: 6, 5: 9}[level]]),
                boundary=boundary,
                is_synthetic=True,
            )
            by_code[code].save()
        grid_areas = Area.objects.bulk_create(
            [
                Area(
                    code=code,
                    name=f"合成网格{code[-6:]}",
                    level=6,
                    kind="grid",
                    parent=by_code[code[:12]],
                    is_synthetic=True,
                )
                for code, _polygon in grid_polygons
            ],
            batch_size=1000,
        )
        Grid.objects.bulk_create(
            [
                Grid(
                    area=area,
                    kind=GridKind.RURAL,
                    sequence=int(code[-3:]),
                    boundary=mapping(polygon),
                    min_lon=polygon.bounds[0],
                    min_lat=polygon.bounds[1],
                    max_lon=polygon.bounds[2],
                    max_lat=polygon.bounds[3],
                )
                for area, (code, polygon) in zip(grid_areas, grid_polygons, strict=True)
            ],
            batch_size=1000,
        )
        boundaries_changed()


def _measure(args, extent: tuple[float, float, float, float]) -> None:
    from grassroots.areas import coords, routing

    checks = [0]

    def counted_key():
        checks[0] += 1
        return routing.stored_key()

    routing.reset_index(read_key=counted_key, check_seconds=args.check_seconds)
    west, south, east, north = extent
    rng = np.random.default_rng(args.seed + 1)
    points = np.column_stack(
        [rng.uniform(west, east, args.points), rng.uniform(south, north, args.points)]
    ).tolist()
    gcj_points = [coords.wgs84_to_gcj02(x, y) for x, y in points]

    started, cpu = time.perf_counter(), time.process_time()
    first = routing.route_point(*points[0])
    print(
        f"index build from the database: {time.process_time() - cpu:.2f} s CPU, "
        f"{time.perf_counter() - started:.2f} s wall ({first.explain()})"
    )
    grids = routing.default_index().snapshot().grids
    n = len(grids)
    inside = [(x, y) for x, y in points if grids.containing(x, y, 0, n) is not None]
    outside = [(x, y) for x, y in points if grids.containing(x, y, 0, n) is None][:20_000]

    def timed(label: str, calls) -> None:
        checks[0] = 0
        wall, cpu = time.perf_counter(), time.process_time()
        count = 0
        for _ in calls:
            count += 1
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"{label:<42} {count / cpu:>9,.0f}/s  {cpu / count * 1e6:5.1f} µs CPU"
            f"  |  wall {count / wall:>9,.0f}/s  ({checks[0]} version checks)"
        )

    print(f"route_point, one call at a time, version check at most every {args.check_seconds} s:")
    methods = Counter(routing.route_point(x, y).method for x, y in points[:2000])
    print("  uniform points decided: " + ", ".join(f"{m} {k / 2000:.1%}" for m, k in methods.most_common()))
    timed("  WGS-84, uniform over the city", (routing.route_point(x, y) for x, y in points))
    timed("  WGS-84, points inside a grid", (routing.route_point(x, y) for x, y in inside))
    timed("  WGS-84, points outside every grid", (routing.route_point(x, y) for x, y in outside))
    timed("  GCJ-02, uniform over the city", (routing.route_point(x, y, crs="gcj02") for x, y in gcj_points))
    print("the index alone:")
    timed("  point in grid (cell table, prepared)", (grids.containing(x, y, 0, n) for x, y in points))
    tree = grids.tree
    timed(
        "  for comparison: STRtree query per point",
        (tree.query(shapely.Point(x, y), predicate="intersects") for x, y in points),
    )
    timed("  nearest grid within 300 m (metric)", (grids.nearest(x, y, 300, 0, n) for x, y in outside))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=6013)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--check-seconds", type=float, default=1.0, help="ROUTING_VERSION_CHECK_SECONDS")
    parser.add_argument(
        "--database-url",
        help="route against the grids of an existing database instead (e.g. the demo city that "
        "bench/generate_city.py builds) rather than this benchmark's own synthetic city",
    )
    args = parser.parse_args()

    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        import django

        django.setup()
        from django.db.models import Max, Min

        from grassroots.areas.models import Grid

        extent = Grid.objects.aggregate(
            Min("min_lon"), Min("min_lat"), Max("max_lon"), Max("max_lat")
        ).values()
        print(f"{Grid.objects.count()} grids in {args.database_url}")
        _measure(args, tuple(extent))
        return

    started = time.perf_counter()
    areas, grid_polygons = generate_city(seed=args.seed, grids=args.grids)
    vertices = sum(shapely.get_num_coordinates(p) for _c, p in grid_polygons)
    print(
        f"generated {len(grid_polygons)} grids ({vertices / len(grid_polygons):.0f} vertices each on average), "
        f"{sum(1 for a in areas if a[2] == 5)} villages in {time.perf_counter() - started:.1f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        _setup_django(Path(tmp) / "bench.sqlite3")
        _store(areas, grid_polygons)
        _measure(args, (WEST, SOUTH, EAST, NORTH))


if __name__ == "__main__":
    main()
