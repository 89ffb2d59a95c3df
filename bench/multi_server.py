"""Several app servers on one machine, as production runs them on several: two gunicorn app servers behind nginx,
one PostgreSQL, RQ task workers on Redis, one cache on the same Redis (``CACHE_URL``), media on an
S3-compatible server (moto's server mode), one scheduler.

Everything listens on 127.0.0.1 only. The script

1. makes the PostgreSQL database afresh (``--database-url``; or a copy of ``--template``), empties its Redis
   database (``--redis-db``), starts moto's S3 server and makes the bucket, migrates, collects the static files
   and loads the small demo (``--demo-until`` stops it earlier);
2. starts app server A (gunicorn, ``WEB_CONCURRENCY`` workers, its RQ worker and the periodic jobs) and app
   server B (gunicorn and its RQ worker), each with the exact commands of ``scripts/serve``
   (``grassroots.operations.supervisor.children``), then nginx (``nginx -p <tmp> -g 'daemon off;'``, its own
   configuration in a temporary folder) with both in one upstream;
3. sends mixed traffic through nginx for ``--seconds`` from several retrying clients: reports with a photo
   through the API (``Idempotency-Key``) and the web form (its hidden key), the grid worker taking and handling
   reports and the community verifying them (``expected_version``), staff queue pages and the leader's figures,
   public pages;
4. during it, moves the edge between two grids through the boundary import service (the one the import page
   and the API call) and sends reports at a point that changed grid to each app server directly; then kills
   app server B with SIGKILL (its whole process group) and starts it again;
5. drains the task queue and checks: every acknowledged report is in the database exactly once, under its key
   and the case id it was answered with; the reports after the boundary change went to the new grid on both
   servers; every notification to be sent by SMS was sent exactly once (its delivery rows); every photo is
   in the bucket and served back through nginx to the reporter, and to nobody else; the app servers share one
   cache (an area's outlines computed through A are kept in Redis and answered alike by B).

It prints a summary and exits 1 when a check fails. Example (docs/performance.md, "Several app servers")::

    nice -n 10 .venv/bin/python bench/multi_server.py --seconds 60
    .venv/bin/python bench/multi_server.py --seconds 12 --demo-until logins --template test_gr_multi

Why nginx retries what it retries: ``proxy_next_upstream error timeout`` (nginx's default for requests that
may be repeated) passes a request to the other server when the first refused the connection or failed before
answering; nginx never passes on a POST that already reached a server (``non_idempotent`` is left off),
because that server may have written it. Such a POST is answered 502 and the *client* sends it again: reports
carry an ``Idempotency-Key`` (the API header, the web form's hidden key), so a repeat answers the case the
first one made; case actions carry ``expected_version``, so a repeat of one that was applied is refused as a
conflict (409) and writes nothing. Turning ``non_idempotent`` on would be safe for those two but not for
every other POST of the site (a comment, an objection, a vote has no key), so the proxy leaves it off.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.operations.readiness import NotReady, wait_until  # noqa: E402 - the shared wait (its docstring says why)

PYTHON = sys.executable
PASSWORD = "Grassroots-2026"  # the demo's logins (grassroots/demo/logins.py)
BUCKET = "grassroots-media"
GRID_A, GRID_B = "150825100001001", "150825100001002"  # 塞上社区's first two grids, side by side
VILLAGE = "150825100001"
EDGE_MOVES_TO = 107.0665  # the edge between them, at 107.068215 in the demo, moves west to here
CHANGED_POINT = (107.0674, 41.0840)  # in grid A before the change, in grid B after it
INSIDE_A = (107.0655, 41.0840)  # in grid A before and after
RETRIABLE = {502, 503, 504}


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


# --- the machine's parts -------------------------------------------------------------------------------------


def free_ports(start: int, count: int) -> list[int]:
    """``count`` ports from ``start`` upwards that nothing listens on."""
    found, port = [], start
    while len(found) < count:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                found.append(port)
            except OSError:
                pass
        port += 1
        if port > start + 200:
            raise SystemExit(f"no {count} free ports from {start}")
    return found


def psql(sql: str, admin_url: str) -> None:
    parts = urlsplit(admin_url)
    subprocess.run(  # noqa: S603 - our own fixed statements
        [shutil.which("psql") or "/usr/bin/psql", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U",
         parts.username or "postgres", "-d", "postgres", "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True, capture_output=True, text=True,
    )  # fmt: skip


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"a plain database name please, not {name!r}")
    return name


@dataclasses.dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen | None = None

    def start(self) -> None:
        # its own process group: killing "the server" kills gunicorn's master and every worker at once
        self.popen = subprocess.Popen(  # noqa: S603 - our own interpreter and commands
            self.argv, cwd=ROOT, env=self.env, stdout=open(self.log_path, "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.popen and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(10)
        if self.popen and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
{user}
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    upstream grassroots {{
        # a server that refused a connection is left alone for 2 s, then tried again
        server 127.0.0.1:{port_a} max_fails=1 fail_timeout=2s;
        server 127.0.0.1:{port_b} max_fails=1 fail_timeout=2s;
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 64m;
        proxy_read_timeout 130s;
        location / {{
            proxy_pass http://grassroots;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Request-ID $request_id;
            # nginx's default made explicit: another server when the connection failed or timed out, only for
            # requests that may be repeated (a POST only when it never reached a server; see the docstring)
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;
        }}
    }}
}}
"""


def nginx_process(tmp: Path, port: int, port_a: int, port_b: int) -> Process:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    for folder in ("nginx-body", "nginx-proxy", "nginx-fastcgi", "nginx-uwsgi", "nginx-scgi"):
        (tmp / folder).mkdir(exist_ok=True)
    # as root, nginx's workers would run as "nobody", who may not write to our temporary folder
    user = "user root;" if os.geteuid() == 0 else ""
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, user=user, port=port, port_a=port_a, port_b=port_b))
    argv = [nginx, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "nginx-error.log"), "-g", "daemon off;"]
    return Process("nginx", argv, dict(os.environ), tmp / "nginx.log")


def platform_env(args, tmp: Path, s3_port: int) -> dict[str, str]:
    """The production environment of every process (DEBUG off, plain HTTP on loopback, RQ, S3)."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "grassroots.settings",
        "DEBUG": "0",
        "SECRET_KEY": "multi-" + os.urandom(16).hex(),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_HASH_KEY": os.urandom(16).hex(),
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CLIENT_IP_HEADER": "X-Real-IP",
        "DATABASE_URL": args.database_url,
        "TASKS_BACKEND": "rq",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        # one cache for every process of both app servers, in the queue's database (its keys are prefixed)
        "CACHE_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "multi",
        "AWS_SECRET_ACCESS_KEY": "multi-secret",
        "GRASSROOTS_VAR_DIR": str(tmp / "var"),
        "STATIC_ROOT": str(args.static_root or tmp / "static"),
        "WEB_CONCURRENCY": str(args.web_workers),
        "TASK_WORKERS": "1",
        # every report here is the one demo resident's: without this, their sixth SMS of the hour would be
        # held back by the per-person limit (logged as such) and "sent once" could not be told from "held"
        "NOTIFICATIONS_SMS_PER_PERSON_HOUR": "0",
        "NOTIFICATIONS_SMS_PER_PERSON_DAY": "0",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


# --- the clients ------------------------------------------------------------------------------------------


def jpeg(seed: int) -> bytes:
    from PIL import Image

    rng = random.Random(seed)
    image = Image.new("RGB", (96, 72), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


@dataclasses.dataclass
class Tally:
    """What the clients saw, by kind of request."""

    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    retries: Counter = dataclasses.field(default_factory=Counter)
    failures: list[str] = dataclasses.field(default_factory=list)
    statuses: Counter = dataclasses.field(default_factory=Counter)

    def add(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[(kind, status)] += 1

    def retry(self, kind: str) -> None:
        with self.lock:
            self.retries[kind] += 1

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)


class Client:
    """One person's connection through nginx: repeats a request on a lost connection or a 502/503/504 until
    ``patience`` seconds have passed, always with the same body (and so the same key)."""

    def __init__(self, base: str, tally: Tally, patience: float = 30.0):
        self.base, self.tally, self.patience = base, tally, patience
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = "zh-hans"

    def request(self, kind: str, method: str, path: str, *, ok=(200, 201), base: str | None = None, **kw):
        deadline = time.monotonic() + self.patience
        while True:
            started = time.monotonic()
            try:
                response = self.session.request(method, (base or self.base) + path, timeout=60, **kw)
            except requests.ConnectionError:
                response = None
            status = response.status_code if response is not None else 0
            self.tally.add(kind, time.monotonic() - started, status)
            if response is not None and status not in RETRIABLE:
                if ok and status not in ok:
                    self.tally.fail(f"{kind}: {method} {path} answered {status}: {response.text[:200]}")
                return response
            if time.monotonic() > deadline:
                self.tally.fail(f"{kind}: {method} {path} unanswered after {self.patience:.0f} s ({status})")
                return response
            self.tally.retry(kind)
            time.sleep(0.3)

    def csrf(self) -> str:
        return self.session.cookies.get("csrftoken", "")

    def log_in(self, username: str) -> None:
        page = self.request("login", "GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        done = self.request(
            "login", "POST", "/accounts/login/", ok=(200, 302),
            data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
            headers={"Referer": self.base + "/accounts/login/"}, allow_redirects=False,
        )  # fmt: skip
        if done.status_code != 302:
            raise SystemExit(f"{username} could not log in: {done.status_code}")


@dataclasses.dataclass
class Acknowledged:
    key: str
    case_id: int
    origin_code: str
    channel: str  # api | web | routing-a | routing-b


class Traffic:
    """The clients' threads and what they were answered."""

    def __init__(self, base: str, tokens: dict[str, str], tally: Tally, stop: threading.Event):
        self.base, self.tokens, self.tally, self.stop = base, tokens, tally, stop
        self.acked: list[Acknowledged] = []
        self.lock = threading.Lock()
        self.photo_urls: list[str] = []
        self.moves = Counter()

    def ack(self, item: Acknowledged, photo_url: str = "") -> None:
        with self.lock:
            self.acked.append(item)
            if photo_url:
                self.photo_urls.append(photo_url)

    def api_report(self, client: Client, point, *, base=None, channel="api", seed=0) -> Acknowledged | None:
        key = f"multi-{uuid.uuid4().hex}"
        response = client.request(
            "report (API)", "POST", "/api/v1/cases/", base=base,
            headers={"Authorization": f"Bearer {self.tokens['resident']}", "Idempotency-Key": key},
            data={"category": "0101", "description": f"楼道堆放杂物 {key[-6:]}", "lon": point[0], "lat": point[1]},
            files=[("photos", (f"p{seed}.jpg", jpeg(seed), "image/jpeg"))],
        )  # fmt: skip
        if response is None or response.status_code not in (200, 201):
            return None
        body = response.json()
        item = Acknowledged(key, body["id"], body["origin_code"], channel)
        self.ack(item, body["photos"][0]["url"] if body.get("photos") else "")
        return item

    def api_reporter(self, n: int) -> None:
        client = Client(self.base, self.tally)
        seed = n * 100_000
        while not self.stop.is_set():
            seed += 1
            self.api_report(client, (INSIDE_A[0] + random.uniform(-0.0008, 0.0008), INSIDE_A[1]), seed=seed)

    def web_reporter(self, n: int) -> None:
        client = Client(self.base, self.tally)
        client.log_in("resident")
        seed = n * 100_000 + 50_000
        while not self.stop.is_set():
            seed += 1
            page = client.request("report form", "GET", "/cases/report/")
            if page is None or page.status_code != 200:
                continue
            key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
            sent = client.request(
                "report (web form)", "POST", "/cases/report/",
                data={"csrfmiddlewaretoken": client.csrf(), "idempotency_key": key, "category": "0101",
                      "kind": "problem", "description": f"路灯不亮 {key[-6:]}", "lon": INSIDE_A[0],
                      "lat": INSIDE_A[1] + 0.0005, "crs": "wgs84"},
                files=[("photos", (f"w{seed}.jpg", jpeg(seed), "image/jpeg"))],
                headers={"X-Grassroots-Send": "1", "Referer": self.base + "/cases/report/"},
            )  # fmt: skip
            if sent is None or sent.status_code != 200:
                continue
            case_id = int(re.search(r"/cases/(\d+)/", sent.json()["location"]).group(1))
            self.ack(Acknowledged(key, case_id, "", "web"))

    def _act(self, client: Client, token: str, kind: str, case: dict, action: str, **fields) -> None:
        """One case action with the version it was read at; a repeat of one that was applied is a 409."""
        path = f"/api/v1/cases/{case['id']}/" + ("take" if action == "take" else f"actions/{action}")
        headers = {"Authorization": f"Bearer {token}"}
        if action == "handle":
            response = client.request(
                kind, "POST", path, ok=(200, 409), headers=headers,
                data={"expected_version": case["version"], "note": "已清理"},
                files=[("photos", ("after.jpg", jpeg(case["id"]), "image/jpeg"))],
            )  # fmt: skip
        else:
            response = client.request(
                kind, "POST", path, ok=(200, 409), headers=headers,
                json={"expected_version": case["version"], **fields},
            )  # fmt: skip
        if response is not None and response.status_code == 200:
            with self.lock:
                self.moves[action] += 1

    def handlers(self) -> None:
        """The grid worker takes and handles the grid's reports; the community verifies and closes them."""
        worker, village = Client(self.base, self.tally), Client(self.base, self.tally)
        as_worker = {"Authorization": f"Bearer {self.tokens['gridworker']}"}
        as_village = {"Authorization": f"Bearer {self.tokens['village']}"}
        while not self.stop.is_set():
            moved = False
            for state, client, headers, action in (
                ("reported", worker, as_worker, "take"),
                ("dispatched", worker, as_worker, "handle"),
                ("handled", village, as_village, "verify_pass"),
            ):
                listed = client.request(
                    "queue (API)",
                    "GET",
                    f"/api/v1/cases/?state={state}&area={GRID_A}&limit=5",
                    headers=headers,
                )
                if listed is None or listed.status_code != 200:
                    continue
                for case in listed.json()["items"][:3]:
                    token = headers["Authorization"].split()[1]
                    self._act(client, token, f"action {action}", case, action, note="核查通过")
                    moved = True
            if not moved:
                self.stop.wait(0.5)

    def staff_pages(self) -> None:
        village, leader = Client(self.base, self.tally), Client(self.base, self.tally)
        village.log_in("village")
        leader.log_in("leader")
        pages = [
            (village, "queue page", "/cases/queue/"),
            (village, "queue page", "/cases/queue/?state=reported"),
            (village, "staff home", "/"),
            (leader, "figures page", "/cases/metrics/1508/"),
        ]
        while not self.stop.is_set():
            for client, kind, path in pages:
                client.request(kind, "GET", path)

    def public_pages(self, boards: list[int]) -> None:
        client = Client(self.base, self.tally)
        paths = [f"/disclosure/boards/{pk}/" for pk in boards[:4]] + [
            "/open311/v2/services.json", "/accounts/login/", "/manifest.webmanifest",
        ]  # fmt: skip
        while not self.stop.is_set():
            for path in paths:
                client.request("public page", "GET", path)


# --- the run ----------------------------------------------------------------------------------------------


def static_collected(folder: Path | None) -> bool:
    """Whether ``--static-root`` already holds a collection newer than every static source file (collecting
    and compressing them takes 15-40 s, most of a short run)."""
    manifest = folder / "staticfiles.json" if folder else None
    if manifest is None or not manifest.exists():
        return False
    sources = [p for d in ROOT.glob("grassroots/**/static") for p in d.rglob("*") if p.is_file()]
    return manifest.stat().st_mtime > max(p.stat().st_mtime for p in sources)


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def manage(env: dict[str, str], *argv: str, quiet: bool = True) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PYTHON, "manage.py", *argv], cwd=ROOT, env=env, check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )  # fmt: skip


def tokens_and_places() -> tuple[dict[str, str], list[int]]:
    from grassroots.accounts.models import User
    from grassroots.accounts.services import api_token_issue
    from grassroots.disclosure.models import Board

    tokens = {
        name: api_token_issue(user=User.objects.get(username=name), name="multi-server bench")
        for name in ("resident", "gridworker", "village")
    }
    return tokens, list(Board.objects.order_by("pk").values_list("pk", flat=True)[:4])


def move_the_edge() -> None:
    """Grid A gives its eastern strip to grid B, through the boundary import service as an administrator."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grassroots.accounts.models import User
    from grassroots.areas.models import Grid
    from grassroots.areas.services.boundary_file import boundaries_import

    def moved(ring, old_x):
        return [[EDGE_MOVES_TO if abs(x - old_x) < 1e-9 else x, y] for x, y in ring]

    grids = {
        g.area.code: g for g in Grid.objects.filter(area__code__in=[GRID_A, GRID_B]).select_related("area")
    }
    a, b = grids[GRID_A].boundary["coordinates"][0], grids[GRID_B].boundary["coordinates"][0]
    edge = max(x for x, _ in a)
    if abs(edge - min(x for x, _ in b)) > 1e-9 or not (EDGE_MOVES_TO < CHANGED_POINT[0] < edge):
        raise SystemExit("the demo's grids A and B are not where this bench expects them")
    features = [
        {
            "type": "Feature",
            "properties": {"code": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for code, ring in ((GRID_A, moved(a, edge)), (GRID_B, moved(b, edge)))
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    report = boundaries_import(
        actor=User.objects.get(username="administrator"),
        file=SimpleUploadedFile("edge.geojson", body, content_type="application/geo+json"),
        root_code=VILLAGE,
    )
    if not report.ok:
        raise SystemExit(f"the boundary import was refused: {report.as_dict()}")


def routed_by_both(
    traffic: Traffic, direct: dict[str, str], expect: str, tally: Tally
) -> dict[str, list[str]]:
    """Reports at the changed point sent to each app server directly (several, so several workers answer)."""
    seen: dict[str, list[str]] = {}
    for name, base in direct.items():
        client = Client(base, tally, patience=10)
        seen[name] = []
        for n in range(4):
            item = traffic.api_report(client, CHANGED_POINT, channel=f"routing-{name}", seed=900 + n)
            seen[name].append(item.origin_code if item else "unanswered")
    return seen


def drain(env: dict[str, str], seconds: float) -> bool:
    """Wait until the RQ queue is empty and no job runs."""
    import redis

    connection = redis.Redis.from_url(env["REDIS_URL"])
    from rq import Queue
    from rq.registry import ScheduledJobRegistry, StartedJobRegistry

    queue = Queue("default", connection=connection)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = StartedJobRegistry(queue=queue)
        scheduled = ScheduledJobRegistry(queue=queue)
        if queue.count == 0 and started.count == 0 and scheduled.count == 0:
            return True
        time.sleep(0.5)
    return False


@dataclasses.dataclass
class Check:
    name: str
    ok: bool
    detail: str


def check_reports(traffic: Traffic) -> list[Check]:
    from django.db.models import Count

    from grassroots.cases.models import Case

    keys = [a.key for a in traffic.acked]
    rows = Case.objects.filter(idempotency_key__in=keys)
    per_key = dict(
        rows.values_list("idempotency_key").annotate(n=Count("id")).values_list("idempotency_key", "n")
    )
    ids = dict(rows.values_list("idempotency_key", "id"))
    lost = [k for k in keys if per_key.get(k, 0) == 0]
    doubled = [k for k, n in per_key.items() if n > 1]
    wrong = [a.key for a in traffic.acked if ids.get(a.key) not in (None, a.case_id)]
    made = Case.objects.filter(idempotency_key__startswith="multi-").count()
    api_keys = {a.key for a in traffic.acked if a.channel != "web"}
    return [
        Check(
            "every acknowledged report is kept once, as answered",
            not lost and not doubled and not wrong and len(set(keys)) == len(keys),
            f"{len(keys)} acknowledged ({sum(a.channel == 'web' for a in traffic.acked)} by the web form); "
            f"lost {len(lost)}, doubled {len(doubled)}, another id {len(wrong)}; "
            f"API reports written {made}, acknowledged {len(api_keys)}",
        )
    ]


def check_notifications(since) -> list[Check]:
    from django.db.models import Count, Q

    from grassroots.notifications.models import AttemptStatus, DeliveryAttempt, Notification

    made = Notification.objects.filter(created_at__gte=since)
    by_sms = made.filter(channels__contains=["sms"])
    sent = (
        DeliveryAttempt.objects.filter(notification__in=by_sms, channel="sms", status=AttemptStatus.SENT)
        .values("notification")
        .annotate(n=Count("id"))
    )
    counts = Counter(row["n"] for row in sent)
    sent_ids = {row["notification"] for row in sent}
    unsent = by_sms.exclude(pk__in=sent_ids)
    not_delivered = made.filter(~Q(channels=[]), delivered_at__isnull=True).count()
    return [
        Check(
            "every notification by SMS was sent exactly once",
            by_sms.exists() and set(counts) == {1} and not unsent.exists() and not not_delivered,
            f"{made.count()} notifications, {by_sms.count()} by SMS: sent once {counts.get(1, 0)}, "
            f"more than once {sum(v for k, v in counts.items() if k > 1)}, never {unsent.count()}; "
            f"with channels but not delivered {not_delivered}",
        )
    ]


def check_photos(traffic: Traffic, env: dict[str, str], base: str, tally: Tally) -> list[Check]:
    import boto3

    from grassroots.cases.models import CasePhoto

    s3 = boto3.client(
        "s3", endpoint_url=env["AWS_S3_ENDPOINT_URL"], region_name="us-east-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )  # fmt: skip
    in_bucket = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        in_bucket |= {o["Key"] for o in page.get("Contents", [])}
    ids = [a.case_id for a in traffic.acked]
    names = set()
    for image, thumbnail in CasePhoto.objects.filter(case_id__in=ids).values_list("image", "thumbnail"):
        names |= {image, thumbnail} - {""}
    missing = names - in_bucket
    # served back through nginx: to the reporter, not to a resident elsewhere nor to anyone logged out
    sample = random.Random(7).sample(traffic.photo_urls, min(6, len(traffic.photo_urls)))
    owner, stranger, anonymous = Client(base, tally), Client(base, tally), Client(base, tally)
    owner.log_in("resident")
    stranger.log_in("parttime")
    wrong = []
    for url in sample:
        key = url.removeprefix("/media/")
        stored = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        mine = owner.request("photo", "GET", url)
        if mine is None or mine.status_code != 200 or mine.content != stored:
            wrong.append(f"owner {url}: {getattr(mine, 'status_code', None)}")
        for who, client in (("stranger", stranger), ("anonymous", anonymous)):
            answer = client.request("photo refused", "GET", url, ok=(404,))
            if answer is None or answer.status_code != 404:
                wrong.append(f"{who} {url}: {getattr(answer, 'status_code', None)}")
    return [
        Check(
            "every photo is in the bucket",
            bool(names) and not missing,
            f"{len(names)} files of {len(ids)} reports (photo and thumbnail), {len(in_bucket)} objects in the "
            f"bucket, missing {len(missing)}",
        ),
        Check(
            "photos are served through the site to the reporter only",
            bool(sample) and not wrong,
            f"{len(sample)} photos read back from S3 through nginx; wrong answers: {wrong[:3]}",
        ),
    ]


def check_shared_cache(direct: dict[str, str], tokens: dict[str, str], env: dict[str, str]) -> list[Check]:
    """Both app servers' readiness says their shared cache answers, and an area's outlines computed through
    app server A are kept in Redis, where app server B finds the same answer."""
    import redis

    ready = {
        name: requests.get(base + "/health/ready", timeout=10).json().get("SharedCache()")
        for name, base in direct.items()
    }
    path = f"/api/v1/areas/{VILLAGE}/outlines.geojson?zoom=15"
    headers = {"Authorization": f"Bearer {tokens['village']}"}
    through_a = requests.get(direct["A"] + path, headers=headers, timeout=30)
    kept = list(redis.Redis.from_url(env["CACHE_URL"]).scan_iter(match="grassroots:*:areas:outlines:*:15"))
    through_b = requests.get(direct["B"] + path, headers=headers, timeout=30)
    return [
        Check(
            "the app servers share one cache",
            all(v == "OK" for v in ready.values())
            and through_a.status_code == through_b.status_code == 200
            and through_a.content == through_b.content
            and bool(kept),
            f"readiness of the shared cache {ready}; outlines through A {through_a.status_code}, kept in Redis "
            f"{len(kept)}, through B {through_b.status_code}, the same answer {through_a.content == through_b.content}",
        )
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def run(args) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="grassroots-multi-"))
    os.chmod(tmp, 0o755)  # noqa: S103 - nginx's workers read their folders in it
    ports = free_ports(args.base_port, 4)
    port_nginx, port_a, port_b, port_s3 = ports
    env = platform_env(args, tmp, port_s3)
    processes: list[Process] = []
    name = database_name(args.database_url)
    loadavg = Path("/proc/loadavg").read_text().split()[:3]
    log(
        f"ports: nginx {port_nginx}, app A {port_a}, app B {port_b}, S3 {port_s3}; folder {tmp}; load {loadavg}"
    )
    try:
        psql(f"DROP DATABASE IF EXISTS {name}", args.database_url)
        template = f" TEMPLATE {database_name('/' + args.template)}" if args.template else ""
        psql(f"CREATE DATABASE {name}{template}", args.database_url)
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()

        moto = Process("s3", [str(Path(PYTHON).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port_s3)],
                       env, tmp / "s3.log")  # fmt: skip
        moto.start()
        processes.append(moto)
        wait_until(lambda: requests.get(f"http://127.0.0.1:{port_s3}/", timeout=2).ok, 30, "the S3 server")
        import boto3

        boto3.client(
            "s3", endpoint_url=env["AWS_S3_ENDPOINT_URL"], region_name="us-east-1",
            aws_access_key_id="multi", aws_secret_access_key="multi-secret",
        ).create_bucket(Bucket=BUCKET)  # fmt: skip

        started = time.monotonic()
        from grassroots.operations import supervisor

        if static_collected(args.static_root):
            manage(env, "migrate", "--no-input", "-v0")  # the static files were collected from these sources
        else:
            supervisor.prepare(env)  # migrate and collectstatic, as scripts/serve does
        manage(env, "seed_categories")  # only what is missing (a copied database may have lost it)
        demo = ["demo_load", *(["--until", args.demo_until] if args.demo_until else [])]
        manage(env, *demo)
        prepared = time.monotonic() - started
        log(f"database ready in {prepared:.1f} s ({' '.join(demo)})")
        django_setup(env)

        # app server A: gunicorn, an RQ worker and the periodic jobs; B: gunicorn and an RQ worker
        servers: dict[str, Process] = {}
        for label, port in (("A", port_a), ("B", port_b)):
            # each app server its own folder (its own machine): prometheus-client's files are per server
            server_env = {**env, "GRASSROOTS_VAR_DIR": str(tmp / f"var-{label}"),
                          "PROMETHEUS_MULTIPROC_DIR": str(tmp / f"var-{label}" / "prometheus")}  # fmt: skip
            supervisor.metrics_directory(server_env)
            for child in supervisor.children(host="127.0.0.1", port=port, env=server_env):
                if child.name == "periodic" and label == "B":
                    continue
                process = Process(
                    f"{label}:{child.name}", child.argv, server_env, tmp / f"{label}-{child.name}.log"
                )
                process.start()
                processes.append(process)
                if child.name == "web":
                    servers[label] = process
        nginx = nginx_process(tmp, port_nginx, port_a, port_b)
        nginx.start()
        processes.append(nginx)
        base = f"http://127.0.0.1:{port_nginx}"
        direct = {"A": f"http://127.0.0.1:{port_a}", "B": f"http://127.0.0.1:{port_b}"}
        for label, url in direct.items():
            wait_until(
                lambda url=url: requests.get(url + "/health/ready", timeout=5).ok, 90, f"app server {label}"
            )
        wait_until(lambda: requests.get(base + "/health/live", timeout=5).ok, 30, "nginx")
        log(f"two app servers and nginx answer ({time.monotonic() - started:.1f} s from the start)")
        # the demo's own tasks (its notifications, the figures of its cases) were queued while it loaded: the
        # workers finish them before the traffic, so that the traffic's tasks are measured alone
        backlog = time.monotonic()
        if not drain(env, 900):
            raise SystemExit("the demo's queued tasks were not done within 15 minutes")
        log(f"the demo's queued tasks done in {time.monotonic() - backlog:.1f} s")

        tokens, boards = tokens_and_places()
        tally, stop = Tally(), threading.Event()
        traffic = Traffic(base, tokens, tally, stop)
        from django.utils import timezone

        since = timezone.now()
        before = routed_by_both(traffic, direct, GRID_A, tally)
        threads = [threading.Thread(target=traffic.api_reporter, args=(n,)) for n in range(args.api_clients)]
        threads += [threading.Thread(target=traffic.web_reporter, args=(n,)) for n in range(args.web_clients)]
        threads += [threading.Thread(target=traffic.handlers), threading.Thread(target=traffic.staff_pages),
                    threading.Thread(target=traffic.public_pages, args=(boards,))]  # fmt: skip
        traffic_started = time.monotonic()
        for thread in threads:
            thread.start()

        # a third of the way: the boundary changes
        stop.wait(args.seconds / 3)
        move_the_edge()
        changed_at = time.monotonic()
        from django.conf import settings

        time.sleep(settings.ROUTING_VERSION_CHECK_SECONDS + 0.2)  # the documented bound on a process's copy
        after = routed_by_both(traffic, direct, GRID_B, tally)
        log(f"boundary moved; reports at the changed point went to {after} "
            f"({time.monotonic() - changed_at:.1f} s after the change)")  # fmt: skip

        # half way: app server B dies outright, and comes back
        stop.wait(max(0.0, traffic_started + args.seconds / 2 - time.monotonic()))
        acked_before_kill = len(traffic.acked)
        killed_at = time.monotonic()
        servers["B"].kill(signal.SIGKILL)
        log(
            f"app server B killed (SIGKILL to its process group) with {acked_before_kill} reports acknowledged"
        )
        stop.wait(args.down_seconds)
        servers["B"].start()
        wait_until(
            lambda: requests.get(direct["B"] + "/health/ready", timeout=5).ok, 90, "app server B again"
        )
        back_after = time.monotonic() - killed_at
        log(f"app server B answers again {back_after:.1f} s after it was killed")

        stop.wait(max(0.0, traffic_started + args.seconds - time.monotonic()))
        stop.set()
        for thread in threads:
            thread.join(120)
        ran = time.monotonic() - traffic_started
        drained = drain(env, 180)
        log(f"traffic stopped after {ran:.1f} s; task queue drained: {drained}")

        checks = [
            Check("before the change, both servers route the point to grid A",
                  all(c == GRID_A for codes in before.values() for c in codes), json.dumps(before)),
            Check("after the change, both servers route the point to grid B",
                  all(c == GRID_B for codes in after.values() for c in codes), json.dumps(after)),
            Check("the task queue drained", drained, "RQ queue, started and scheduled jobs empty"),
        ]  # fmt: skip
        checks += check_reports(traffic)
        checks += check_notifications(since)
        checks += check_photos(traffic, env, base, tally)
        checks += check_shared_cache(direct, tokens, env)
        checks.append(
            Check(
                "no client request failed beyond its retries",
                not tally.failures,
                f"{len(tally.failures)}: {tally.failures[:3]}",
            )
        )
        print_summary(tally, traffic, checks, ran=ran, back_after=back_after, loadavg=loadavg,
                      end_load=Path("/proc/loadavg").read_text().split()[:3], args=args)  # fmt: skip
        return 0 if all(c.ok for c in checks) else 1
    finally:
        for process in reversed(processes):
            process.kill(signal.SIGTERM)
        if not args.keep:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            with contextlib.suppress(subprocess.CalledProcessError):
                psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", args.database_url)
            with contextlib.suppress(Exception):
                import redis

                redis.Redis.from_url(env["REDIS_URL"]).flushdb()
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"kept: database {name}, folder {tmp}")


def print_summary(
    tally: Tally, traffic: Traffic, checks: list[Check], *, ran, back_after, loadavg, end_load, args
):
    print()
    print(f"Several app servers: {args.seconds:.0f} s of traffic ({ran:.1f} s), {args.api_clients} API and "
          f"{args.web_clients} web reporters, one handler pair, one staff and one public reader; "
          f"{args.web_workers} gunicorn workers per app server; load {' '.join(loadavg)} → {' '.join(end_load)}")  # fmt: skip
    print(
        f"{'requests':<22} {'count':>6} {'per s':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'retries':>7}"
    )
    for kind, values in sorted(tally.latencies.items()):
        print(f"{kind:<22} {len(values):>6} {len(values) / ran:>6.1f} {1000 * statistics.median(values):>7.0f} "
              f"{1000 * percentile(values, 0.95):>7.0f} {1000 * max(values):>7.0f} {tally.retries[kind]:>7}")  # fmt: skip
    answered = Counter()
    for (_kind, status), n in tally.statuses.items():
        answered[status] += n
    print(
        "answers: " + ", ".join(f"{status or 'no connection'}: {n}" for status, n in sorted(answered.items()))
    )
    print("case actions applied: " + ", ".join(f"{k} {v}" for k, v in sorted(traffic.moves.items())))
    print(f"app server B answered again {back_after:.1f} s after SIGKILL")
    for check in checks:
        print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long the traffic runs (default 60)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/gr_multi_run",
                        help="a PostgreSQL database, dropped and made afresh (and dropped at the end)")  # fmt: skip
    parser.add_argument(
        "--template", default="", help="copy this (migrated) database instead of an empty one"
    )
    parser.add_argument("--demo-until", default="", help="stop the demo after this step (default: all of it)")
    parser.add_argument("--redis-db", type=int, default=3, help="the Redis database, emptied (default 3)")
    parser.add_argument("--base-port", type=int, default=18100, help="the first of four loopback ports tried")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per app server")
    parser.add_argument("--api-clients", type=int, default=2)
    parser.add_argument("--web-clients", type=int, default=1)
    parser.add_argument("--down-seconds", type=float, default=2, help="how long app server B stays dead")
    parser.add_argument("--static-root", type=Path, help="collect the static files here and reuse them while "
                        "they are newer than their sources (default: a fresh temporary folder)")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the database and the folder at the end")
    args = parser.parse_args(argv)
    if not urlsplit(args.database_url).scheme.startswith("postgres"):
        parser.error("--database-url must be a PostgreSQL database")
    try:
        return run(args)
    except NotReady as exc:  # a part that never answered: said in one line, as any other refusal to go on
        raise SystemExit(str(exc)) from None


if __name__ == "__main__":
    sys.exit(main())
