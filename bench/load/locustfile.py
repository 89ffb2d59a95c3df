"""The load test's people: a day of the seed city in miniature, on the demo city's logins (bench/load/run.py).

Four kinds of user, each repeating one *session* (a few requests) every ``LOAD_PACING`` seconds, so the user
counts below are also the shares of sessions; their weights are the sessions a day of each kind in the seed
city (Bayannur, DESIGN.md section 4) at the case volume of ``bench/bench_cases.py``'s generator:

===========  ======  =========================================================================================
kind         weight  sessions a day, and where the figure comes from
===========  ======  =========================================================================================
Resident       9     1,315 reports: 1,000,000 cases a year (bench_cases' default) = 2,740 a day, of which
                     48 % come from residents themselves (its SOURCE_WEIGHTS: mobile_web 0.38 + api 0.10)
GridWorker    31     4,712 acts: the 86 % of cases that stay in the grid (bench_cases' level draw) are taken
                     (accepted and dispatched to oneself) and later reported handled by the grid's worker:
                     2 visits a case
Staff         18     2,740 desk sessions: every case passes a desk once (accepted or dispatched above the grid,
                     or verified: 93 % of a year's cases end closed in bench_cases)
Public        42     6,571 reads: the seed's 46,000+ participants in grassroots governance each reading their
                     village's board (a notice, a public committee's topic) once a week
===========  ======  =========================================================================================

(1,315 : 4,712 : 2,740 : 6,571 → 9 : 31 : 18 : 42 per hundred sessions.) The demo has one login per role, so
several simulated users share one (as several phones of one worker would). Residents report through the JSON
API with a photo (1600 × 1200 JPEG of about 300 KB, what the phone's outbox sends) and an ``Idempotency-Key``,
and one report in twenty is sent a second time with the same key (a retry after a lost answer: 200, the same
case); grid workers take the reports of their grid and report them handled with an "after" photo (API, bearer
token); staff read their home page, the queue and case pages and verify handled cases (pages, session login);
the public reads boards, notices and public committees' topics without logging in. A case is never shown to
the public (it is private to the areas in scope), so the public's pages of a matter are a notice with its
versions and objections and a deliberation topic with its public timeline.

Two grid-worker phones of one login may race for one case: the loser is told 409 ``conflict``, which is the
platform's answer to a stale version, not a fault; such answers count as successes under their own name
(``… [409 conflict]``) so that the report shows how many there were.

Every request is written to ``LOAD_REQUEST_LOG`` (CSV: seconds since the start, step, name, milliseconds,
ok, status) for run.py's figures per step; a failure's answer goes to ``LOAD_FAILURE_LOG``.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import random
import re
import uuid
from pathlib import Path

from locust import HttpUser, LoadTestShape, constant_pacing, events, task

PASSWORD = "Grassroots-2026"  # the demo logins' password (grassroots/demo/logins.py, printed by demo_load)
RESIDENTS = ["resident", "partymember"]
WORKERS = {"gridworker": "150825100001001", "redworker": "150825100001001", "parttime": "150825101201001"}
STAFF = ["village", "township", "county", "supervisor"]
PACING = float(os.environ.get("LOAD_PACING", "10"))
WORLD = (
    json.loads(Path(os.environ["LOAD_WORLD"]).read_text(encoding="utf-8"))
    if "LOAD_WORLD" in os.environ
    else {}
)
RETRY_SHARE = 0.05
VERIFY_FORM = re.compile(r'data-action="verify_pass"[^>]*>.*?name="expected_version" value="(\d+)"', re.S)


def _photo(seed: int) -> bytes:
    """A phone photo as the outbox sends it: 1600 × 1200 JPEG, quality 85, about 300 KB (noise over a gradient,
    so it compresses like a photograph, not like a flat colour)."""
    from PIL import Image

    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((1600, 1200)).convert("RGB")
    noise = Image.effect_noise((1600, 1200), 40 + rng.randrange(20)).convert("RGB")
    image = Image.blend(base, noise, 0.5)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


PHOTOS = [_photo(n) for n in range(3)]


# --- the record of every request ------------------------------------------------------------------------------

_log = None
_failures = None


@events.test_start.add_listener
def _open_logs(environment, **kwargs):
    global _log, _failures
    if os.environ.get("LOAD_REQUEST_LOG"):
        _log = csv.writer(open(os.environ["LOAD_REQUEST_LOG"], "w", newline="", encoding="utf-8"))  # noqa: SIM115
        _log.writerow(["t", "step", "name", "ms", "ok", "status"])
    if os.environ.get("LOAD_FAILURE_LOG"):
        _failures = open(os.environ["LOAD_FAILURE_LOG"], "w", encoding="utf-8")  # noqa: SIM115


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    if _log is not None:
        _log.writerow(
            [f"{StepShape.run_time():.2f}", StepShape.current_step, f"{request_type} {name}",
             f"{response_time:.1f}", 0 if exception else 1, status]
        )  # fmt: skip
    if exception is not None and _failures is not None:
        body = (getattr(response, "text", "") or "")[:400].replace("\n", " ")
        _failures.write(f"{StepShape.run_time():.1f}\t{request_type} {name}\t{status}\t{exception}\t{body}\n")
        _failures.flush()


# --- the people ---------------------------------------------------------------------------------------------


def _expect(response, *statuses: int, conflict_name: str | None = None) -> bool:
    """Mark the answer: one of ``statuses`` succeeds; 409 succeeds under ``conflict_name`` when given."""
    if response.status_code in statuses:
        response.success()
        return True
    if conflict_name and response.status_code == 409:
        response.request_meta["name"] = conflict_name
        response.success()
        return False
    response.failure(f"HTTP {response.status_code}")
    return False


class ApiUser(HttpUser):
    abstract = True
    wait_time = constant_pacing(PACING)
    logins: list[str] = []
    _numbers = itertools.count()

    def on_start(self):
        self.number = next(ApiUser._numbers)
        self.username = self.logins[self.number % len(self.logins)]
        self.rng = random.Random(self.number)
        with self.client.post(
            "/api/v1/accounts/token",
            json={"username": self.username, "password": PASSWORD, "device": "load test"},
            name="/api/v1/accounts/token",
            catch_response=True,
        ) as response:
            if _expect(response, 201):
                self.client.headers["Authorization"] = f"Bearer {response.json()['token']}"


class Resident(ApiUser):
    weight = 9
    logins = RESIDENTS

    @task
    def report(self):
        grid = self.rng.choice(sorted(WORLD["grids"]))
        lon, lat = self.rng.choice(WORLD["grids"][grid])
        fields = {
            "category": self.rng.choice(WORLD["categories"]),
            "description": f"负载测试：路灯不亮，垃圾未清运（{uuid.uuid4().hex[:8]}）",
            "lon": str(lon),
            "lat": str(lat),
            "accuracy_m": "12",
        }
        key = uuid.uuid4().hex
        photo = self.rng.choice(PHOTOS)
        sends = 2 if self.rng.random() < RETRY_SHARE else 1
        case_id = None
        for attempt in range(sends):
            with self.client.post(
                "/api/v1/cases/",
                data=fields,
                files={"photos": ("photo.jpg", photo, "image/jpeg")},
                headers={"Idempotency-Key": key},
                name="/api/v1/cases/ [report]" if attempt == 0 else "/api/v1/cases/ [same key again]",
                catch_response=True,
            ) as response:
                if _expect(response, 201 if attempt == 0 else 200):
                    made = response.json()["id"]
                    if case_id is not None and made != case_id:
                        response.failure(f"a retry made case {made}, not {case_id}")
                    case_id = made
        self.client.get("/api/v1/cases/?scope=mine&limit=20", name="/api/v1/cases/?scope=mine")
        if case_id is not None:
            self.client.get(f"/api/v1/cases/{case_id}", name="/api/v1/cases/{id}")


class GridWorker(ApiUser):
    weight = 31
    logins = list(WORKERS)

    @task
    def act(self):
        tasks = self.client.get("/api/v1/cases/?scope=tasks&limit=50", name="/api/v1/cases/?scope=tasks")
        reported = self.client.get(
            "/api/v1/cases/?state=reported&limit=50", name="/api/v1/cases/?state=reported"
        )
        if not (tasks.ok and reported.ok):
            return
        mine = [c for c in tasks.json()["items"] if c["state"] == "dispatched"]
        new = reported.json()["items"]
        # Take a new report or finish one taken before, as they come (the oldest work first would make every
        # phone of one login race for the same case).
        if new and (not mine or self.rng.random() < 0.5):
            case = self.rng.choice(new)
            with self.client.post(
                f"/api/v1/cases/{case['id']}/take",
                json={"expected_version": case["version"]},
                name="/api/v1/cases/{id}/take",
                catch_response=True,
            ) as response:
                _expect(response, 200, conflict_name="/api/v1/cases/{id}/take [409 conflict]")
        elif mine:
            case = self.rng.choice(mine)
            detail = self.client.get(f"/api/v1/cases/{case['id']}", name="/api/v1/cases/{id}")
            if not detail.ok:
                return
            with self.client.post(
                f"/api/v1/cases/{case['id']}/actions/handle",
                data={"expected_version": str(detail.json()["version"]), "note": "已到现场处理完毕。"},
                files={"photos": ("after.jpg", self.rng.choice(PHOTOS), "image/jpeg")},
                name="/api/v1/cases/{id}/actions/handle",
                catch_response=True,
            ) as response:
                _expect(response, 200, conflict_name="/api/v1/cases/{id}/actions/handle [409 conflict]")


class Staff(HttpUser):
    weight = 18
    wait_time = constant_pacing(PACING)
    _numbers = itertools.count()

    def on_start(self):
        number = next(Staff._numbers)
        self.rng = random.Random(1000 + number)
        self.client.get("/accounts/login/", name="/accounts/login/")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": STAFF[number % len(STAFF)],
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            allow_redirects=False,
            name="/accounts/login/ [POST]",
            catch_response=True,
        ) as response:
            _expect(response, 302)

    @task
    def desk(self):
        self.client.get("/", name="/ [staff home]")
        self.client.get("/cases/queue/", name="/cases/queue/")
        self.client.get("/cases/queue/?state=handled", name="/cases/queue/?state=handled")
        handled = self.client.get(
            "/api/v1/cases/?state=handled&limit=50", name="/api/v1/cases/?state=handled"
        )
        if not handled.ok:
            return
        items = handled.json()["items"]
        if not items:
            return
        case = self.rng.choice(items)
        page = self.client.get(f"/cases/{case['id']}/", name="/cases/{id}/")
        # Verify only where the page offers it: whoever handled a case may not verify it (the demo's staff
        # handled some cases themselves), as the page shows no button for it then.
        offered = VERIFY_FORM.search(page.text) if page.ok else None
        if offered is None:
            return
        with self.client.post(
            f"/cases/{case['id']}/act/verify_pass/",
            data={
                "expected_version": offered.group(1),
                "note": "核查属实，予以结案。",
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            allow_redirects=False,
            name="/cases/{id}/act/verify_pass/",
            catch_response=True,
        ) as response:
            _expect(response, 302)


class Public(HttpUser):
    weight = 42
    wait_time = constant_pacing(PACING)
    _numbers = itertools.count()

    def on_start(self):
        self.rng = random.Random(2000 + next(Public._numbers))

    @task
    def read(self):
        self.client.get(
            f"/disclosure/boards/{self.rng.choice(WORLD['boards'])}/", name="/disclosure/boards/{id}/"
        )
        self.client.get(
            f"/disclosure/notices/{self.rng.choice(WORLD['notices'])}/", name="/disclosure/notices/{id}/"
        )
        if self.rng.random() < 0.5:
            self.client.get(
                f"/deliberation/topics/{self.rng.choice(WORLD['topics'])}/", name="/deliberation/topics/{id}/"
            )
        else:
            self.client.get(
                f"/deliberation/committees/{self.rng.choice(WORLD['committees'])}/",
                name="/deliberation/committees/{id}/",
            )


# --- the steps --------------------------------------------------------------------------------------------


class StepShape(LoadTestShape):
    """``LOAD_USERS`` (comma separated) users in turn, each count held ``LOAD_STEP_SECONDS``, started at
    ``LOAD_SPAWN_RATE`` users a second; then the test ends."""

    current_step = 0
    instance: StepShape | None = None

    def __init__(self):
        super().__init__()
        StepShape.instance = self
        self.users = [int(u) for u in os.environ.get("LOAD_USERS", "10").split(",")]
        self.step_seconds = float(os.environ.get("LOAD_STEP_SECONDS", "120"))
        self.spawn_rate = float(os.environ.get("LOAD_SPAWN_RATE", "2"))

    @classmethod
    def run_time(cls) -> float:
        """Seconds since the shape started: the clock of the steps, so each request falls in its step."""
        return cls.instance.get_run_time() if cls.instance else 0.0

    def tick(self):
        step = int(self.get_run_time() // self.step_seconds)
        if step >= len(self.users):
            return None
        StepShape.current_step = step
        return self.users[step], self.spawn_rate
