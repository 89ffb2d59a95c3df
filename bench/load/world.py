"""What the load test's users need to know about the demo city, read once from the database into JSON.

``run.py`` calls it (``python bench/load/world.py OUT.json``, with the run's environment) after the demo is
loaded, and the locustfile reads the file: the leaf service types a resident may choose, fixed points inside the
grids that have a grid worker's demo login (so every report is routed to a grid whose worker acts on it),
and the addresses the public reads (boards, published notices, topics of public committees).
Points come from a fixed seed, so two runs send the same places.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261217
POINTS_PER_GRID = 200


def build() -> dict:
    from shapely.geometry import Point, shape

    from grassroots.areas.models import Grid
    from grassroots.cases.models import Category
    from grassroots.deliberation.models import Committee, Topic
    from grassroots.demo.logins import LOGINS
    from grassroots.disclosure.models import Board, Notice
    from grassroots.disclosure.selectors import PUBLIC_STATES

    worker_grids = sorted({x.area_code for x in LOGINS if x.worker_kind and x.area_code})
    rng = random.Random(SEED)
    points: dict[str, list[list[float]]] = {}
    for grid in (
        Grid.objects.filter(area__code__in=worker_grids).select_related("area").order_by("area__code")
    ):
        polygon = shape(grid.boundary)
        inner = polygon.buffer(-0.0002) if polygon.buffer(-0.0002).area > 0 else polygon  # ~20 m from edges
        min_lon, min_lat, max_lon, max_lat = inner.bounds
        found: list[list[float]] = []
        while len(found) < POINTS_PER_GRID:
            lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
            if inner.contains(Point(lon, lat)):
                found.append([round(lon, 6), round(lat, 6)])
        points[grid.area.code] = found
    categories = list(
        Category.objects.filter(parent__isnull=False, is_active=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    public_committees = Committee.objects.filter(is_public=True)
    return {
        "grids": points,
        "categories": categories,
        "boards": list(Board.objects.order_by("pk").values_list("pk", flat=True)),
        "notices": list(
            Notice.objects.filter(state__in=PUBLIC_STATES).order_by("pk").values_list("pk", flat=True)
        ),
        "topics": list(
            Topic.objects.filter(committee__in=public_committees).order_by("pk").values_list("pk", flat=True)
        ),
        "committees": list(public_committees.order_by("pk").values_list("pk", flat=True)),
    }


def main(out: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    import django

    django.setup()
    world = build()
    if not all(world["grids"].values()) or not world["categories"] or not world["notices"]:
        raise SystemExit(f"the demo city lacks what the load test needs: {world}")
    Path(out).write_text(json.dumps(world, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
