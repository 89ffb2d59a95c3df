"""The periodic jobs: the occurrence a run belongs to, the lock and run rows, and two schedulers on a fast
clock running every occurrence of every job once."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import pytest

from grassroots import clock
from grassroots.operations.jobs import JOBS, PeriodicJob, job_named
from grassroots.operations.models import JobLock, JobRun
from grassroots.operations.scheduler import trigger_for
from grassroots.operations.services import job_claim, job_finish, job_run

from .conftest import ROOT, process_env

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_the_table_names_existing_commands_with_valid_schedules():
    from django.core.management import get_commands

    commands = get_commands()
    for job in JOBS:
        assert job.name in commands, job.name
        assert trigger_for(job).get_next_fire_time(None, at("2026-03-02 00:00")) is not None
        assert job.lock > dt.timedelta(0)


@pytest.mark.django_db
def test_an_occurrence_is_claimed_once_and_the_lock_keeps_runs_apart():
    job = job_named("import_runs_expire")
    t = at("2026-03-02 10:15")
    with clock.frozen(t + dt.timedelta(seconds=1)):
        first = job_claim(job=job, scheduled_for=t, holder="a")
        assert first is not None
        # the other scheduler, the same occurrence: the lock is held
        assert job_claim(job=job, scheduled_for=t, holder="b") is None
        # and the next occurrence while the first still runs: held too
        assert job_claim(job=job, scheduled_for=t + dt.timedelta(hours=1), holder="b") is None
        job_finish(run=first, succeeded=True, output="ok")
        # finished: the same occurrence again is refused by its run row, and nothing of it was written
        assert job_claim(job=job, scheduled_for=t, holder="b") is None
        assert JobLock.objects.get(job=job.name).holder == ""
    with clock.frozen(t + dt.timedelta(hours=1, seconds=1)):
        assert job_claim(job=job, scheduled_for=t + dt.timedelta(hours=1), holder="b") is not None
    assert list(JobRun.objects.order_by("scheduled_for").values_list("holder", "outcome")) == [
        ("a", "succeeded"),
        ("b", "running"),
    ]


@pytest.mark.django_db
def test_a_lock_left_by_a_dead_scheduler_frees_the_job_when_its_time_runs_out():
    job = job_named("cases_scan_deadlines")
    t = at("2026-03-02 10:05")
    with clock.frozen(t):
        assert job_claim(job=job, scheduled_for=t, holder="died") is not None
    with clock.frozen(t + dt.timedelta(minutes=5)):  # within its 10-minute lock
        assert job_run(job=job, scheduled_for=t + dt.timedelta(minutes=5), holder="b") is None
    with clock.frozen(t + job.lock + dt.timedelta(seconds=1)):
        run = job_run(job=job, scheduled_for=t + dt.timedelta(minutes=10), holder="b")
    assert run is not None
    run.refresh_from_db()
    assert run.outcome == "succeeded" and "response overdue: 0" in run.output


@pytest.mark.django_db
def test_a_failing_command_is_recorded_and_frees_the_lock(monkeypatch):
    job = PeriodicJob(
        "insights_rebuild", "0 3 * * *", dt.timedelta(hours=1), arguments=lambda: ["--depth", "x"]
    )
    run = job_run(job=job, scheduled_for=at("2026-03-02 03:00"), holder="a")
    assert run is not None
    run.refresh_from_db()
    assert run.outcome == "failed" and run.finished_at is not None and "depth" in run.output
    assert JobLock.objects.get(job="insights_rebuild").locked_until is None


@pytest.mark.django_db
def test_runs_older_than_a_month_are_forgotten_when_the_job_next_finishes():
    job = job_named("patrol_tracks_purge")
    old, new = at("2026-01-10 02:30"), at("2026-03-02 02:30")
    with clock.frozen(old):
        job_finish(run=job_claim(job=job, scheduled_for=old, holder="a"), succeeded=True, output="")
    with clock.frozen(new):
        job_run(job=job, scheduled_for=new, holder="a")
    assert list(JobRun.objects.values_list("scheduled_for", flat=True)) == [new]


@pytest.mark.django_db
def test_the_outbox_sweep_and_the_orphan_purge_run_as_jobs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for name, said in (
        ("outbox_sweep", "enqueued again: 0 notification(s), 0 retry(ies), 0 webhook try(ies)"),
        ("photos_purge_orphans", "0 month folder(s), 0 file(s)"),
    ):
        run = job_run(job=job_named(name), scheduled_for=at("2026-03-02 02:47"), holder="a")
        assert run is not None
        run.refresh_from_db()
        assert run.outcome == "succeeded" and said in run.output, run.output


def expected_occurrences(first: dt.datetime, last: dt.datetime) -> set[tuple[str, dt.datetime]]:
    expected = set()
    for job in JOBS:
        trigger = trigger_for(job)
        t = trigger.get_next_fire_time(None, first)
        while t is not None and t <= last:
            expected.add((job.name, t))
            t = trigger.get_next_fire_time(t, t + dt.timedelta(microseconds=1))
    return expected


def run_two_schedulers(var_dir, start: dt.datetime, end: dt.datetime, speed: float) -> list[dict]:
    """Two scheduler processes on one database, on a clock running ``speed`` times as fast from ``start`` to
    ``end``; what each says it ran and found taken."""
    seconds = (end - start).total_seconds() / speed
    argv = [sys.executable, "-m", "tests.operations.fast_clock_scheduler", start.isoformat(), str(speed)]
    processes = [
        subprocess.Popen(  # noqa: S603
            [*argv, str(seconds)],
            cwd=ROOT,
            env=process_env(var_dir),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in processes:  # both set up before the simulated time starts to run
        assert process.stdout.readline().strip() == "ready"
    wall_start = time.time() + 0.2
    for process in processes:
        process.stdin.write(f"{wall_start}\n")
        process.stdin.flush()
    counts = []
    for process in processes:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        counts.append(json.loads(out.strip().splitlines()[-1]))
    return counts


@pytest.mark.long  # started first: see tests/conftest.py, pytest_collection_modifyitems
def test_two_schedulers_on_a_fast_clock_run_every_occurrence_of_every_job_once(var_dir):
    """Two scheduler processes on one database, 1 real second = 2.5 simulated minutes, through the night's
    work (02:13 to 03:01: the import clean-up, the patrol purge, the orphan photos' purge, the insights
    rebuild, the deadline scan and the outbox sweep every five minutes) and the morning digest (06:58 to
    07:02): every occurrence ran exactly once, and each was attempted by both schedulers."""
    windows = [
        (at("2026-03-02 02:13"), at("2026-03-02 03:02")),
        (at("2026-03-02 06:58"), at("2026-03-02 07:02")),
    ]
    expected: set = set()
    counts: list[dict] = []
    for start, end in windows:
        # 150 ×: a five-minute job gets two real seconds. At 600 × (half a second) a job run slowed by a loaded
        # machine overlapped its own next occurrence, which the scheduler then coalesces, as it should.
        counts += run_two_schedulers(var_dir, start, end, speed=150.0)
        expected |= expected_occurrences(start, end)

    with sqlite3.connect(var_dir / "grassroots.sqlite3") as db:
        rows = db.execute("SELECT job, scheduled_for, outcome FROM operations_jobrun").fetchall()
    ran = {(job, dt.datetime.fromisoformat(when).replace(tzinfo=dt.UTC)) for job, when, _outcome in rows}
    assert len(rows) == len(ran)  # (job, time) is unique anyway: this says the test reads the rows right
    assert sorted(expected - ran) == [] and sorted(ran - expected) == []
    assert {job for job, _ in ran} == {job.name for job in JOBS}
    assert {outcome for _j, _w, outcome in rows} == {"succeeded"}
    # every occurrence was run by one scheduler and found taken by the other
    assert sum(c["ran"] for c in counts) == len(expected)
    assert sum(c["taken"] for c in counts) == len(expected)
