"""With TASKS_BACKEND=rq, a task enqueued by the platform is run by the worker scripts/serve starts: the worker
command comes from the supervisor's own table, and enqueueing and running are separate processes on Redis, as on
several machines. Before, RQ's default job class failed every task ("'Task' object is not callable")."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import ROOT, process_env

REDIS_URL = os.environ.get("GRASSROOTS_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


def _manage_shell(env: dict[str, str], code: str) -> str:
    out = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "shell", "-v0", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.redis
def test_a_task_enqueued_on_rq_is_run_by_the_worker_that_scripts_serve_starts(var_dir):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:  # pragma: no cover - depends on the machine
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis at {REDIS_URL} is not reachable: {exc}")
    env = process_env(var_dir, TASKS_BACKEND="rq", REDIS_URL=REDIS_URL)
    # given a delivery task enqueued by one process
    task_id = _manage_shell(
        env, "from grassroots.notifications.delivery import deliver; print(deliver.enqueue([]).id)"
    )
    # when the worker of scripts/serve runs what is queued, then stops
    worker = _manage_shell(
        env,
        "from grassroots.operations.supervisor import children; "
        "print('\\t'.join(next(c for c in children(host='127.0.0.1', port=8000, env={}) "
        "if c.name == 'tasks-1').argv))",
    ).split("\t")
    subprocess.run([*worker, "--burst"], cwd=ROOT, env=env, check=True, timeout=120, capture_output=True)  # noqa: S603
    # then the task ran and succeeded
    outcome = _manage_shell(
        env,
        "from grassroots.notifications.delivery import deliver; "
        f"r = deliver.get_result({task_id!r}); print(r.status, r.return_value)",
    )
    assert outcome == "SUCCESSFUL 0"
