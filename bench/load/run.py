"""Load and soak: the platform under ``scripts/serve`` on PostgreSQL, driven by locust, on 127.0.0.1 only.

What one run does:

1. installs locust into the venv if it is missing (``bench/load/requirements.txt``, pinned, with
   ``requirements.lock`` as constraints so that none of the platform's pins move; CI never installs it);
2. makes a fresh PostgreSQL database ``gr_load_run`` holding the small demo city: a copy of the template
   database ``gr_load_template`` (migrated and ``demo_load``-ed once, about 5 minutes; ``--rebuild`` builds
   it again) with the template's media files beside it;
3. writes what the users need to know (``world.py``), starts ``scripts/serve --host 127.0.0.1 --port PORT``
   (gunicorn with ``WEB_CONCURRENCY`` workers, the task worker, the periodic jobs) with a production-like
   environment (DEBUG off, JSON logs), and waits for ``/health/ready``;
4. runs locust headless (``locustfile.py``): ``--users`` counts in turn, each held ``--step-seconds``; the run
   is bounded by their sum (and killed two minutes past it);
5. samples the resident set size (RSS) of the supervisor and of every child (gunicorn master and workers,
   task worker, scheduler) and the load average every ``--sample-seconds`` (default 10) into ``memory.csv``;
6. stops the platform with SIGTERM and reports, per step, throughput, p50 / p95 / p99 and errors (the first
   ``--settle`` seconds of each step left out), the slowest requests by name, and per process the RSS min / max
   and the change between the first and the last ``--window`` seconds after ``--warmup``.

Everything lands in ``--out`` (default ``bench/out/load/<time>``): ``requests.csv`` (every request),
``failures.tsv``, ``memory.csv``, ``serve.log``, ``locust.log``, ``summary.json`` and ``summary.txt``.

Stepping to find the rate at which p95 passes 500 ms, then the soak at half of it::

    nice -n 10 .venv/bin/python bench/load/run.py --users 10,20,30,40,60,80 --step-seconds 120
    nohup nice -n 10 .venv/bin/python bench/load/run.py --users 30 --step-seconds 1800 --warmup 300 \\
        --out bench/out/load/soak > bench/out/load/soak.log 2>&1 &

Options: ``--pacing`` seconds between one user's sessions (default 10), ``--workers`` gunicorn workers (default:
``WEB_CONCURRENCY`` or 2 × cores + 1), ``--port`` (default 18150), ``--database`` (default gr_load_run).
"""

# ruff: noqa: S603, S607 - it runs our own scripts, the venv's tools and psql, with arguments it makes itself
from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import hashlib
import importlib.util
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
PG = "postgres://postgres@127.0.0.1:5432/"
TEMPLATE = "gr_load_template"
TEMPLATE_VAR = ROOT / "bench" / "out" / "load" / "template-var"
P95_LIMIT_MS = 500.0


def _fixed_secret(purpose: str) -> bytes:
    """The bench's keys: fixed, so that the template's encrypted phones read under every run (a synthetic
    demo city on the loopback: nothing here is secret)."""
    return hashlib.sha256(f"grassroots load bench {purpose}".encode()).digest()


def platform_env(*, database: str, var_dir: Path, port: int, workers: int | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LOAD_"))}
    env.update(
        DATABASE_URL=PG + database,
        GRASSROOTS_VAR_DIR=str(var_dir),
        DEBUG="0",
        SECRET_KEY=base64.urlsafe_b64encode(_fixed_secret("secret")).decode(),
        FIELD_ENCRYPTION_KEYS=base64.urlsafe_b64encode(_fixed_secret("fernet")).decode(),
        FIELD_HASH_KEY=base64.urlsafe_b64encode(_fixed_secret("hash")).decode(),
        ALLOWED_HOSTS="127.0.0.1",
        CSRF_TRUSTED_ORIGINS=f"http://127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        TASKS_BACKEND="database",
        LOG_FORMAT="json",
        DJANGO_SETTINGS_MODULE="grassroots.settings",
    )
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    return env


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- preparing -------------------------------------------------------------------------------------------------


def ensure_locust() -> None:
    if importlib.util.find_spec("locust") is not None:
        return
    log("installing locust into the venv (bench/load/requirements.txt, constrained by requirements.lock)")
    subprocess.run(
        [PYTHON, "-m", "pip", "install", "-q", "-r", str(HERE / "requirements.txt"),
         "-c", str(ROOT / "requirements.lock")],
        check=True,
    )  # fmt: skip


def _psql(*sql: str) -> None:
    for statement in sql:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qtAc", statement],
            check=True,
            capture_output=True,
        )


def _database_exists(name: str) -> bool:
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qtAc",
         f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],  # noqa: S608 - our own constant names
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out.stdout.strip() == "1"


def _manage(env: dict[str, str], *args: str, out=None) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True, stdout=out)


def template(*, rebuild: bool, port: int) -> None:
    """The demo city once, in ``gr_load_template`` (its media files in ``TEMPLATE_VAR``)."""
    marker = TEMPLATE_VAR / "demo-loaded"
    if not rebuild and marker.exists() and _database_exists(TEMPLATE):
        return
    log(f"building the template database {TEMPLATE}: migrate and demo_load (a few minutes)")
    _psql(f"DROP DATABASE IF EXISTS {TEMPLATE}", f"CREATE DATABASE {TEMPLATE}")
    shutil.rmtree(TEMPLATE_VAR, ignore_errors=True)
    TEMPLATE_VAR.mkdir(parents=True)
    env = platform_env(database=TEMPLATE, var_dir=TEMPLATE_VAR, port=port, workers=None)
    _manage(env, "migrate", "--no-input", "-v0")
    with open(TEMPLATE_VAR / "demo_load.txt", "w", encoding="utf-8") as out:
        _manage(env, "demo_load", out=out)
        # The demo's year of cases leaves a few thousand figure updates queued; run them now, or every run's
        # /health/ready would wait minutes for the task worker to catch up (the oldest must be under 300 s).
        _manage(env, "db_worker", "--queue-name", "*", "--batch", "--no-reload", out=out)
    marker.write_text(dt.datetime.now(dt.UTC).isoformat(), encoding="utf-8")


def fresh_database(database: str, var_dir: Path) -> None:
    _psql(f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database} TEMPLATE {TEMPLATE}")
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    if (TEMPLATE_VAR / "media").exists():
        shutil.copytree(TEMPLATE_VAR / "media", var_dir / "media")


# --- the platform and its memory ------------------------------------------------------------------------------


def wait_ready(url: str, *, seconds: float, serve: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if serve.poll() is not None:
            raise SystemExit(f"scripts/serve exited with {serve.returncode}; see serve.log")
        try:
            request = urllib.request.Request(url + "/health/ready", headers={"Host": "127.0.0.1"})  # noqa: S310
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - our own loopback
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"the platform was not ready within {seconds:.0f} s; see serve.log")


def _role(process, supervisor_pid: int) -> str:
    line = " ".join(process.cmdline())
    if process.pid == supervisor_pid:
        return "supervisor"
    if "gunicorn" in line:
        return "web-master" if process.ppid() == supervisor_pid else "web-worker"
    if "db_worker" in line or "rqworker" in line:
        return "tasks"
    if "periodic_jobs" in line:
        return "periodic"
    return process.name()


class Sampler(threading.Thread):
    """Every ``every`` seconds: the RSS of each process under the supervisor, and the load average."""

    def __init__(self, supervisor_pid: int, path: Path, every: float):
        super().__init__(daemon=True)
        self.supervisor_pid, self.path, self.every = supervisor_pid, path, every
        self.started = time.monotonic()
        self.halt = threading.Event()

    def run(self) -> None:
        import psutil

        with open(self.path, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["t", "role", "pid", "rss_mib", "load1"])
            while not self.halt.is_set():
                t = time.monotonic() - self.started
                load1 = os.getloadavg()[0]
                try:
                    top = psutil.Process(self.supervisor_pid)
                    processes = [top, *top.children(recursive=True)]
                except psutil.NoSuchProcess:
                    break
                for p in processes:
                    try:
                        out.writerow([f"{t:.0f}", _role(p, self.supervisor_pid), p.pid,
                                      f"{p.memory_info().rss / 2**20:.1f}", f"{load1:.2f}"])  # fmt: skip
                    except psutil.NoSuchProcess:
                        continue
                f.flush()
                self.halt.wait(self.every)


def stop(serve: subprocess.Popen) -> None:
    if serve.poll() is None:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=20)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()


# --- the figures -------------------------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _stats(rows: list[dict], seconds: float) -> dict:
    times = [float(r["ms"]) for r in rows]
    return {
        "requests": len(rows),
        "rate": round(len(rows) / seconds, 2) if seconds > 0 else 0.0,
        "errors": sum(1 for r in rows if r["ok"] == "0"),
        "p50_ms": round(_percentile(times, 0.50)),
        "p95_ms": round(_percentile(times, 0.95)),
        "p99_ms": round(_percentile(times, 0.99)),
        "max_ms": round(max(times)) if times else 0,
    }


def summarise(out: Path, *, users: list[int], step_seconds: float, settle: float, warmup: float,
              window: float) -> dict:  # fmt: skip
    with open(out / "requests.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    steps = []
    for n, count in enumerate(users):
        start, end = n * step_seconds + settle, (n + 1) * step_seconds
        chosen = [r for r in rows if r["step"] == str(n) and start <= float(r["t"]) < end]
        steps.append({"step": n, "users": count, **_stats(chosen, end - start)})
    by_name: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_name[r["name"]].append(r)
    total_seconds = len(users) * step_seconds
    names = sorted(
        ({"name": k, **_stats(v, total_seconds)} for k, v in by_name.items()), key=lambda s: -s["p95_ms"]
    )
    memory: dict[str, dict] = {}
    loads: list[float] = []
    with open(out / "memory.csv", encoding="utf-8") as f:
        samples = list(csv.DictReader(f))
    seen_t = set()
    for s in samples:
        if s["t"] not in seen_t:
            seen_t.add(s["t"])
            loads.append(float(s["load1"]))
    end_t = max((float(s["t"]) for s in samples), default=0.0)
    for s in samples:
        key = f"{s['role']} {s['pid']}"
        m = memory.setdefault(key, {"samples": [], "first": [], "last": []})
        rss, t = float(s["rss_mib"]), float(s["t"])
        m["samples"].append(rss)
        if warmup <= t < warmup + window:
            m["first"].append(rss)
        if t >= end_t - window and t >= warmup + window:
            m["last"].append(rss)
    processes = {}
    for key, m in sorted(memory.items()):
        first = statistics.mean(m["first"]) if m["first"] else None
        last = statistics.mean(m["last"]) if m["last"] else None
        change = round(100 * (last - first) / first, 1) if first and last else None
        processes[key] = {
            "min_mib": min(m["samples"]),
            "max_mib": max(m["samples"]),
            "first_window_mib": round(first, 1) if first else None,
            "last_window_mib": round(last, 1) if last else None,
            "change_pct": change,
        }
    within = [s for s in steps if s["p95_ms"] <= P95_LIMIT_MS and s["errors"] == 0]
    changes = [p["change_pct"] for p in processes.values() if p["change_pct"] is not None]
    return {
        "steps": steps,
        "sustained_rate_p95_under_500ms": max((s["rate"] for s in within), default=None),
        "errors": sum(1 for r in rows if r["ok"] == "0"),
        "requests": len(rows),
        "names": names,
        "memory": processes,
        "memory_flat_within_10pct": bool(changes) and all(abs(c) <= 10 for c in changes),
        "load1": {
            "min": min(loads, default=0),
            "mean": round(statistics.mean(loads), 2) if loads else 0,
            "max": max(loads, default=0),
        },
    }


def report(summary: dict, meta: dict) -> str:
    lines = [f"{k}: {v}" for k, v in meta.items()]
    lines.append("")
    lines.append("step  users  req/s   p50   p95   p99    max  errors  (ms; first settle seconds left out)")
    for s in summary["steps"]:
        lines.append(
            f"{s['step']:>4}  {s['users']:>5}  {s['rate']:>5}  {s['p50_ms']:>4}  {s['p95_ms']:>4}  "
            f"{s['p99_ms']:>4}  {s['max_ms']:>5}  {s['errors']:>6}"
        )
    lines.append(f"sustained rate with p95 <= {P95_LIMIT_MS:.0f} ms and no error: "
                 f"{summary['sustained_rate_p95_under_500ms']} req/s")  # fmt: skip
    lines.append(f"requests {summary['requests']}, errors {summary['errors']}")
    lines.append("")
    lines.append("by name (whole run)                                        n   p50   p95   p99  errors")
    for s in summary["names"]:
        lines.append(
            f"{s['name'][:52]:<52} {s['requests']:>7} {s['p50_ms']:>5} {s['p95_ms']:>5} {s['p99_ms']:>5} "
            f"{s['errors']:>6}"
        )
    lines.append("")
    lines.append("memory (RSS MiB)              min     max   first window  last window  change %")
    for key, p in summary["memory"].items():
        lines.append(
            f"{key:<26} {p['min_mib']:>7} {p['max_mib']:>7} {p['first_window_mib']!s:>14} "
            f"{p['last_window_mib']!s:>12} {p['change_pct']!s:>9}"
        )
    lines.append(f"memory flat within ±10 %: {summary['memory_flat_within_10pct']}")
    load = summary["load1"]
    lines.append(
        f"load average (1 min) while running: min {load['min']}, mean {load['mean']}, max {load['max']}"
    )
    return "\n".join(lines)


# --- the run ---------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="10", help="user counts in turn, comma separated")
    parser.add_argument("--step-seconds", type=float, default=120)
    parser.add_argument("--spawn-rate", type=float, default=2, help="users started a second")
    parser.add_argument("--pacing", type=float, default=10, help="seconds between one user's sessions")
    parser.add_argument(
        "--settle", type=float, default=30, help="seconds of each step left out of its figures"
    )
    parser.add_argument("--warmup", type=float, default=60, help="seconds before the first memory window")
    parser.add_argument("--window", type=float, default=300, help="seconds of each memory window")
    parser.add_argument("--sample-seconds", type=float, default=10)
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default WEB_CONCURRENCY or 2 x cores + 1)"
    )
    parser.add_argument("--port", type=int, default=18150)
    parser.add_argument("--database", default="gr_load_run")
    parser.add_argument("--rebuild", action="store_true", help="build the template database again")
    parser.add_argument("--keep-database", action="store_true", help="leave the run's database in place")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    # Run in the background, SIGINT is ignored: SIGTERM stops the run and still stops the platform.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    users = [int(u) for u in args.users.split(",")]
    out = (args.out or ROOT / "bench" / "out" / "load" / time.strftime("%Y%m%d-%H%M%S")).resolve()
    out.mkdir(parents=True, exist_ok=True)
    var_dir = out / "var"

    ensure_locust()
    template(rebuild=args.rebuild, port=args.port)
    log(f"fresh database {args.database} from {TEMPLATE}")
    fresh_database(args.database, var_dir)
    env = platform_env(database=args.database, var_dir=var_dir, port=args.port, workers=args.workers)
    subprocess.run([PYTHON, str(HERE / "world.py"), str(out / "world.json")], cwd=ROOT, env=env, check=True)

    url = f"http://127.0.0.1:{args.port}"
    log(f"starting scripts/serve on {url}")
    with open(out / "serve.log", "w", encoding="utf-8") as serve_log:
        serve = subprocess.Popen(
            [str(ROOT / "scripts" / "serve"), "--host", "127.0.0.1", "--port", str(args.port)],
            cwd=ROOT, env=env, stdout=serve_log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    sampler = None
    meta: dict = {}
    try:
        wait_ready(url, seconds=300, serve=serve)
        import psutil

        web_workers = [p for p in psutil.Process(serve.pid).children(recursive=True)
                       if "gunicorn" in " ".join(p.cmdline()) and p.ppid() != serve.pid]  # fmt: skip
        meta = {
            "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "users": args.users,
            "step_seconds": args.step_seconds,
            "pacing_seconds": args.pacing,
            "gunicorn_workers": len(web_workers),
            "cores": os.cpu_count(),
            "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        }
        log(f"ready: {meta}")
        sampler = Sampler(serve.pid, out / "memory.csv", args.sample_seconds)
        sampler.start()
        locust_env = {
            **os.environ,
            "LOAD_WORLD": str(out / "world.json"),
            "LOAD_USERS": args.users,
            "LOAD_STEP_SECONDS": str(args.step_seconds),
            "LOAD_SPAWN_RATE": str(args.spawn_rate),
            "LOAD_PACING": str(args.pacing),
            "LOAD_REQUEST_LOG": str(out / "requests.csv"),
            "LOAD_FAILURE_LOG": str(out / "failures.tsv"),
        }
        bound = len(users) * args.step_seconds
        log(f"locust: users {args.users}, {args.step_seconds:.0f} s each ({bound / 60:.1f} min)")
        with open(out / "locust.log", "w", encoding="utf-8") as locust_log:
            locust = subprocess.Popen(
                [str(Path(PYTHON).with_name("locust")), "-f", str(HERE / "locustfile.py"), "--headless",
                 "--host", url, "--only-summary", "--stop-timeout", "20", "--loglevel", "WARNING"],
                cwd=ROOT, env=locust_env, stdout=locust_log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                locust.wait(timeout=bound + 120)
            except subprocess.TimeoutExpired:
                log("locust ran past its bound: stopped")
                locust.terminate()
                locust.wait(timeout=30)
        meta["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        meta["restarts_in_serve_log"] = (
            (out / "serve.log").read_text(encoding="utf-8").count('"event": "exited"')
        )
    finally:
        if sampler is not None:
            sampler.halt.set()
            sampler.join(timeout=15)
        stop(serve)
        if not args.keep_database:
            _psql(f"DROP DATABASE IF EXISTS {args.database}")
    summary = summarise(out, users=users, step_seconds=args.step_seconds, settle=args.settle,
                        warmup=args.warmup, window=args.window)  # fmt: skip
    (out / "summary.json").write_text(json.dumps({"meta": meta, **summary}, indent=1), encoding="utf-8")
    text = report(summary, meta)
    (out / "summary.txt").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
