"""Map benchmark: the grids GeoJSON behind the area page at city, county, township and village level.

Uses the fixed-seed synthetic city of ``bench_routing.py`` (6,013 grids of 20–60 vertices, shaped like
Bayannur) in a throw-away SQLite database, and measures for one area of each level the time to build the
response of ``GET /api/v1/areas/{code}/grids.geojson`` (query, simplification, serialisation, gzip:
everything but the HTTP round trip), its size and its vertex count, plus one viewport (``bbox``) request.

Run from the repository root::

    .venv/bin/python bench/bench_map.py                # defaults: 6013 grids, seed 20240601, 5 repeats
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_routing import _setup_django, _store, generate_city


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=6013)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    areas, grid_polygons = generate_city(seed=args.seed, grids=args.grids)
    with tempfile.TemporaryDirectory() as tmp:
        _setup_django(Path(tmp) / "bench.sqlite3")
        _store(areas, grid_polygons)
        from django.test import RequestFactory

        from grassroots.areas import api

        request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
        request.user = SimpleNamespace(is_active=True, is_superuser=True, is_authenticated=True, pk=0)
        village = grid_polygons[0][0][:12]
        cases = [
            ("city 1508", "1508", None),
            ("county 150825", "150825", None),
            ("township " + village[:9], village[:9], None),
            ("village " + village, village, None),
            ("city, one viewport 0.3°×0.2°", "1508", "107.0,41.0,107.3,41.2"),
        ]
        print(f"{'area':<34}{'grids':>7}{'vertices':>10}{'KiB':>9}{'gzip KiB':>10}{'median ms':>11}")
        for label, code, bbox in cases:
            query = api.GridMapQuery(bbox=bbox)
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = api.area_grids_geojson(request, code, query=query)
                times.append(time.perf_counter() - started)
            raw = (
                gzip.decompress(response.content)
                if response.has_header("Content-Encoding")
                else response.content
            )
            body = json.loads(raw)
            vertices = sum(len(ring) for f in body["features"] for ring in _rings(f["geometry"]))
            print(
                f"{label:<34}{len(body['features']):>7}{vertices:>10,}{len(raw) / 1024:>9,.0f}"
                f"{len(response.content) / 1024:>10,.0f}"
                f"{statistics.median(times) * 1000:>11,.0f}"
            )


def _rings(geometry):
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


if __name__ == "__main__":
    main()
