"""``scripts/serve``: the platform as it runs in production on one machine, under one supervising process.

It migrates the database and collects the static files, then starts and watches three children:

* ``web``: gunicorn on ``--host``/``--port`` with ``WEB_CONCURRENCY`` workers (default 2 × cores + 1);
  gunicorn itself replaces a worker that dies;
* ``tasks``: the task worker of the configured backend (``manage.py db_worker``, or ``rqworker`` for RQ),
  ``TASK_WORKERS`` of them (default 1);
* ``periodic``: the periodic jobs (``manage.py periodic_jobs``; grassroots/operations/jobs.py).

A child that exits while the platform runs is started again (after 1 s, doubling to 30 s while it keeps
failing within a minute of its start). SIGTERM or SIGINT stops everything: each child is sent SIGTERM and
whatever still runs after ``SERVE_STOP_SECONDS`` (default 8) is killed, so the whole stop takes under 10 s.
Children die with the supervisor even when it is killed outright (Linux parent-death signal).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
MANAGE = [PYTHON, str(BASE_DIR / "manage.py")]
RESTART_FIRST_SECONDS, RESTART_MAX_SECONDS, STEADY_SECONDS = 1.0, 30.0, 60.0
PR_SET_PDEATHSIG = 1


def log(event: str, **fields) -> None:
    """One JSON object per line on stderr, like the children's logs in production."""
    record = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "logger": "grassroots.serve",
        "event": event,
    }
    print(json.dumps({**record, **fields}, ensure_ascii=False), file=sys.stderr, flush=True)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restart_delay: float = RESTART_FIRST_SECONDS
    restart_at: float | None = None
    restarts: int = 0
    env: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and commands
            self.argv, cwd=BASE_DIR, env=self.env, preexec_fn=_die_with_parent
        )
        self.started_at, self.restart_at = time.monotonic(), None
        log("started", child=self.name, pid=self.process.pid)


def children(*, host: str, port: int, env: dict[str, str]) -> list[Child]:
    from django.conf import settings

    web = [PYTHON, "-m", "gunicorn", "grassroots.wsgi", "-c", str(Path(__file__).with_name("gunicorn_conf.py")),
           "--bind", f"{host}:{port}", "--workers", str(settings.WEB_CONCURRENCY)]  # fmt: skip
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.endswith("RQBackend"):
        # django-tasks-rq's own job class: RQ's default one cannot run a django-tasks task (every job failed
        # with "'Task' object is not callable")
        worker = [*MANAGE, "rqworker", "--job-class", "django_tasks_rq.Job",
                  *settings.TASKS["default"].get("QUEUES", ["default"])]  # fmt: skip
    elif backend.endswith("DatabaseBackend"):
        worker = [*MANAGE, "db_worker", "--queue-name", "*", "--no-reload"]
    else:  # the immediate backend runs tasks inside the request: no worker
        worker = []
    result = [Child("web", web, env=env)]
    result += [
        Child(f"tasks-{n + 1}", worker, env=env) for n in range(settings.TASK_WORKERS if worker else 0)
    ]
    result.append(Child("periodic", [*MANAGE, "periodic_jobs"], env=env))
    return result


def prepare(env: dict[str, str]) -> None:
    """The steps before serving: the database's migrations and the static files (fails loudly)."""
    for step in (["migrate", "--no-input", "-v0"], ["collectstatic", "--no-input", "-v0"]):
        log("preparing", step=step[0])
        subprocess.run([*MANAGE, *step], cwd=BASE_DIR, env=env, check=True, preexec_fn=_die_with_parent)  # noqa: S603


def metrics_directory(env: dict[str, str]) -> None:
    """prometheus-client's multiprocess directory, emptied at each start (its files belong to the
    processes of one run); the gunicorn workers and the task workers all write their counters there."""
    from django.conf import settings

    directory = Path(env.get("PROMETHEUS_MULTIPROC_DIR") or settings.VAR_DIR / "prometheus")
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


class Supervisor:
    def __init__(self, children: list[Child], stop_seconds: float):
        self.children, self.stop_seconds, self.stopping = children, stop_seconds, False

    def request_stop(self, signum, frame) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        for child in self.children:
            child.start()
        while not self.stopping:
            self.watch()
            time.sleep(0.2)
        return self.stop()

    def watch(self) -> None:
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    child.start()
                continue
            assert child.process is not None
            code = child.process.poll()
            if code is None:
                continue
            if now - child.started_at > STEADY_SECONDS:
                child.restart_delay = RESTART_FIRST_SECONDS
            child.restart_at = now + child.restart_delay
            log("exited", child=child.name, pid=child.process.pid, code=code, restart_in=child.restart_delay)
            child.restart_delay = min(child.restart_delay * 2, RESTART_MAX_SECONDS)

    def stop(self) -> int:
        running = [c.process for c in self.children if c.process is not None and c.process.poll() is None]
        log("stopping", children=len(running))
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_seconds
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log("killed", pid=process.pid)
                process.kill()
                process.wait()
        log("stopped")
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    env = dict(os.environ)
    prepare(env)
    metrics_directory(env)
    from django.conf import settings

    supervisor = Supervisor(children(host=args.host, port=args.port, env=env), settings.SERVE_STOP_SECONDS)
    log("serving", url=f"http://{args.host}:{args.port}/")
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
