"""Page weight on a slow mobile network: what the report page, a grid worker's task list and a public board cost
a phone on first and on repeat load, served as production serves them (fingerprinted, gzip-compressed static
files through WhiteNoise, gzip-compressed pages) and throttled by Chromium's network emulation (Chrome DevTools
protocol ``Network.emulateNetworkConditions``).

Builds a throw-away SQLite database (migrated, one grid with its worker, a resident, a village board and three
tasks), starts the server of ``tests/e2e/throttle.py`` and opens each page twice in a 360 px phone tab. Prints,
per page and load, the bytes the server sent (status lines, headers and bodies, including what the service
worker fetched for offline use), the number of requests, the first contentful paint and the load event.

Run from the repository root (needs Debian's chromium)::

    .venv/bin/python bench/page_weight.py                  # Slow 3G: 400 kbit/s, 400 ms round trip
    .venv/bin/python bench/page_weight.py --kbit 1600 --latency 150   # "Fast 3G"
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(folder: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["GRASSROOTS_VAR_DIR"] = str(folder)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop only drives the browser
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", "-v0")


def _seed():
    """One grid and its worker with three tasks, a resident of the grid and the village's public board."""
    from grassroots.accounts.models import Role
    from grassroots.areas.models import Area
    from grassroots.cases import services as case_services
    from grassroots.cases.models import Category
    from grassroots.disclosure import services as disclosure
    from grassroots.workforce.models import AssignmentRole
    from tests.cases.conftest import ensure_seed
    from tests.factories import grid, user_with
    from tests.workforce.factories import GridWorkerFactory, assignment

    ensure_seed()
    code = "150825100200001"
    g1 = grid(code, (107.00, 41.00, 107.01, 41.01), name="一网格")
    worker = user_with(Role.GRID_WORKER, code, username="wangge")
    assignment(GridWorkerFactory(name="网格员甲", user=worker, area_code=code), g1, AssignmentRole.WORKER,
               dt.date(2020, 1, 1))  # fmt: skip
    resident = user_with(Role.RESIDENT, code, username="jumin")
    category = Category.objects.filter(is_active=True, children__isnull=True).order_by("code").first()
    for n in range(3):
        case = case_services.case_report(
            actor=resident, category=category, description=f"路灯不亮 {n}", lon=107.004 + n / 1000, lat=41.005,
            crs="wgs84", accuracy_m=10, address="", photo_files=[], idempotency_key="",
        )  # fmt: skip
        case_services.case_take(actor=worker, case=case, expected_version=case.version)
    staff = user_with(Role.VILLAGE_STAFF, code[:12], username="cunwei")
    board = disclosure.board_create(
        actor=staff, village=Area.objects.get(code=code[:12]), name="民主村村务公开栏"
    )
    return resident, worker, board


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kbit", type=int, default=400, help="bandwidth each way, kbit/s")
    parser.add_argument("--latency", type=int, default=400, help="round trip added to each request, ms")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="grassroots-weight-"))
    try:
        _setup(folder)
        resident, worker, board = _seed()
        from django.test import Client
        from playwright.sync_api import sync_playwright

        from tests.e2e.conftest import CHROMIUM_ARGS
        from tests.e2e.throttle import load, production_server, throttle, warm

        pages = [("report", resident, "/cases/report/"), ("my tasks", worker, "/cases/tasks/"),
                 ("public board", None, f"/disclosure/boards/{board.pk}/")]  # fmt: skip
        print(f"throttle: {args.kbit} kbit/s, {args.latency} ms; phone tab 360 px; zh-Hans")
        print(f"{'page':<14}{'load':<8}{'bytes':>9}{'requests':>10}{'first paint':>13}{'load event':>12}")
        with production_server() as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            for name, user, path in pages:
                context = browser.new_context(
                    locale="zh-CN", viewport={"width": 360, "height": 780}, is_mobile=True
                )
                if user is not None:
                    client = Client()
                    client.force_login(user)
                    cookie = client.cookies["sessionid"].value
                    context.add_cookies([{"name": "sessionid", "value": cookie, "url": server.url}])
                page = context.new_page()
                throttle(page, latency_ms=args.latency, kbit_s=args.kbit)
                warm(page, server, path)
                for kind in ("first", "repeat"):
                    r = load(page, server, path)
                    print(f"{name:<14}{kind:<8}{r.sent:>9,}{r.requests:>10}{r.first_paint_ms:>11.0f} ms"
                          f"{r.load_ms:>9.0f} ms")  # fmt: skip
                context.close()
            browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
