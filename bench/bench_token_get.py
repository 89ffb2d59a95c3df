"""An authenticated GET under gunicorn: what recording the bearer token's use costs.

Every bearer-token request used to write the token's ``last_used_at`` (a write and a commit per read); it
is now written at most once a minute per token (accounts.selectors.user_for_api_token). This starts
gunicorn on a free loopback port over a throw-away database (SQLite in a temporary directory unless
``--database-url`` names a PostgreSQL database, which is emptied and migrated), issues tokens for a few users, and
sends ``--requests`` GETs of ``/api/v1/accounts/me`` from ``--clients`` threads, each thread with its own
token, then prints the rate and the latency percentiles.

``--code DIR`` serves another checkout of the project (e.g. a `git worktree` of the commit before the
change) with this interpreter, so the same command measures before and after::

    .venv/bin/python bench/bench_token_get.py                                  # this checkout
    git worktree add /tmp/gr-before <commit before>
    .venv/bin/python bench/bench_token_get.py --code /tmp/gr-before            # the same, before
    .venv/bin/python bench/bench_token_get.py --database-url postgres://postgres@127.0.0.1:5432/gr_bench

Bounded: the requests go to 127.0.0.1 only, their number is fixed and each has a 30 s timeout.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SETUP = """
from grassroots.accounts import services
from grassroots.accounts.models import User
for n in range({clients}):
    user = User.objects.filter(username=f"bench{{n}}").first() or services.user_create(
        username=f"bench{{n}}", password="Grassroots-bench-2026")
    print("token", services.api_token_issue(user=user, name="bench"))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, default=ROOT)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=4000)
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="gr-bench-token-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "grassroots.settings",
        "PYTHONPATH": str(args.code),
        "GRASSROOTS_VAR_DIR": str(var),
        "DATABASE_URL": args.database_url or f"sqlite:///{var / 'db.sqlite3'}",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, str(args.code / "manage.py")]
    if args.database_url:
        subprocess.run([*manage, "flush", "--no-input"], cwd=args.code, env=env, check=False)  # noqa: S603
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], cwd=args.code, env=env, check=True)  # noqa: S603
    tokens = subprocess.run(  # noqa: S603
        [*manage, "shell", "-c", SETUP.format(clients=args.clients)],
        cwd=args.code, env=env, check=True, capture_output=True, text=True,
    ).stdout.splitlines()  # fmt: skip
    tokens = [line.split()[1] for line in tokens if line.startswith("token ")]
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "grassroots.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--log-level", "warning"],
        cwd=args.code, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/api/v1/accounts/me"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=5)
            except urllib.error.HTTPError:
                break  # 401 without a token: the server answers
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        latencies: list[float] = []
        errors = [0]
        per_client = args.requests // args.clients

        def client(token: str) -> None:
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
            for _ in range(per_client):
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
                        response.read()
                except OSError:
                    errors[0] += 1
                latencies.append(time.perf_counter() - started)

        threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(var, ignore_errors=True)
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{database}, {args.workers} gunicorn workers, {args.clients} clients, {len(latencies)} GETs: "
        f"{len(latencies) / elapsed:.0f}/s, p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, "
        f"p99 {q[98] * 1000:.1f} ms, errors {errors[0]}"
    )


if __name__ == "__main__":
    main()
