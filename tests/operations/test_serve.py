"""scripts/serve's supervisor, started as a subprocess on a free port with SQLite in a temporary directory:
the site answers, a killed gunicorn worker and a killed task worker are replaced, SIGTERM stops every
process within 10 s."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import ROOT, free_port, process_env
from .readiness import wait_until


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own loopback server
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def children_of(pid: int) -> dict[int, str]:
    """The processes whose parent is ``pid``, with their command lines."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
            if parent == pid:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    found[int(entry)] = f.read().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def served(var_dir):
    port = free_port()
    env = process_env(var_dir, WEB_CONCURRENCY="2", TASK_WORKERS="1", PYTHONUNBUFFERED="1")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "grassroots.operations.supervisor", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stderr=open(var_dir / "serve.log", "w"),  # noqa: SIM115 - closed with the process
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: get(base + "/health/live")[0] == 200, 90, "the site answers")
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.long  # started first: see tests/conftest.py, pytest_collection_modifyitems
def test_serve_answers_restarts_what_dies_and_stops_within_ten_seconds(served, var_dir):
    process, base = served
    status, body = get(base + "/accounts/login/")
    assert status == 200 and b"<form" in body
    status, body = get(base + "/health/ready")
    assert status == 200, body
    status, body = get(base + "/metrics")  # from loopback: allowed
    assert status == 200 and b"grassroots_http_requests_total" in body

    children = children_of(process.pid)
    web = next(pid for pid, cmd in children.items() if "gunicorn" in cmd)
    tasks = next(pid for pid, cmd in children.items() if "db_worker" in cmd)
    periodic = next(pid for pid, cmd in children.items() if "periodic_jobs" in cmd)
    workers = set(
        wait_until(lambda: len(children_of(web)) == 2 and children_of(web), 30, "two gunicorn workers")
    )

    # a gunicorn worker killed: gunicorn starts another, the site keeps answering
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)
    replaced = wait_until(
        lambda: (now := set(children_of(web))) and victim not in now and len(now) == 2 and now,
        30,
        "a new worker",
    )
    assert replaced - workers
    assert get(base + "/health/live")[0] == 200

    # the task worker killed: the supervisor starts another
    os.kill(tasks, signal.SIGKILL)
    wait_until(
        lambda: any("db_worker" in cmd and pid != tasks for pid, cmd in children_of(process.pid).items()),
        30,
        "a new task worker",
    )
    everything = {process.pid, web, periodic, *children_of(process.pid), *children_of(web)}

    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)
    assert time.monotonic() - started < 10
    assert process.returncode == 0
    assert not [pid for pid in everything if pid != process.pid and alive(pid)]
    log = (var_dir / "serve.log").read_text()
    assert '"event": "exited", "child": "tasks-1"' in log and '"event": "stopped"' in log
