"""A short run of bench/multi_server.py: two app servers behind nginx, PostgreSQL, RQ and the shared cache on
Redis and S3 media on moto's server, with mixed traffic, a boundary change and one app server killed outright;
the script exits 0 only when every acknowledged report is kept once, both servers route alike after the
change, every SMS notification is sent once, the photos are in the bucket and served to their owner only, and
both servers use the one cache.

It needs nginx, moto's server (the dev dependencies), Redis and the suite's PostgreSQL database, whose
migrated test database it copies (migrating anew would take most of a minute). Outside CI it is skipped
when nginx or moto is missing; in CI (.ci/run installs nginx-light) it must run. On SQLite it is skipped:
it runs in the PostgreSQL pass of the suite."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time

import pytest
from django.db import connection, connections

from .conftest import ROOT

REDIS_URL = os.environ.get("GRASSROOTS_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


def _missing() -> str:
    if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
        return "nginx is not installed (apt-get install nginx-light)"
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        return "moto's S3 server is not installed (the dev dependencies: moto[server])"
    return ""


@pytest.mark.long  # started first: see tests/conftest.py, pytest_collection_modifyitems
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)  # the migrated test database is made, and nothing held open in it
def test_two_app_servers_behind_nginx_keep_every_report_once_through_a_boundary_change_and_a_kill():
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the several-app-server test: {missing}")
        pytest.skip(missing)
    if connection.vendor != "postgresql":
        pytest.skip("several app servers share PostgreSQL: this runs in the suite's PostgreSQL pass")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:  # pragma: no cover - depends on the machine
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis at {REDIS_URL} is not reachable: {exc}")
    template, params = connection.settings_dict["NAME"], connection.settings_dict
    connections.close_all()  # a database is copied only while nobody is connected to it
    url = (
        f"postgres://{params.get('USER') or 'postgres'}@{params.get('HOST') or '127.0.0.1'}:"
        f"{params.get('PORT') or 5432}/{template}_multi"
    )
    started = time.monotonic()
    out = subprocess.run(  # noqa: S603 - our own interpreter and bench script
        [
            sys.executable, "bench/multi_server.py", "--seconds", "10", "--down-seconds", "1",
            "--demo-until", "logins", "--template", template, "--database-url", url,
            "--redis-db", REDIS_URL.rsplit("/", 1)[-1], "--base-port", "18120",
            "--static-root", str(ROOT / "var" / "multi-server-static"),
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    took = time.monotonic() - started
    summary = "\n".join(line for line in out.stdout.splitlines() if not line.startswith("{"))
    assert out.returncode == 0, f"{summary}\n{out.stderr[-3000:]}"
    assert "FAIL" not in summary and "every acknowledged report is kept once" in summary, summary
    print(f"several app servers: {took:.0f} s\n{summary}")
