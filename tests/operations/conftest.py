"""Fixtures for the tests that start the platform's processes: a migrated SQLite database in a file, made once
per session (migrating takes seconds) and copied for each test, and a free port."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_env(var: Path, **extra: str) -> dict[str, str]:
    """The environment of a production-like process: DEBUG off with fresh keys, plain HTTP on loopback,
    SQLite in ``var``, JSON logs."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "grassroots.settings",
        "DEBUG": "0",
        "SECRET_KEY": "test-" + os.urandom(16).hex(),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_HASH_KEY": os.urandom(16).hex(),
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "GRASSROOTS_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'grassroots.sqlite3'}",
        "TASKS_BACKEND": "database",
        **extra,
    }


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory, worker_id) -> Path:
    """Migrated once per run: the first xdist worker to need it migrates it under a lock, the others wait and
    reuse it (the base temporary folder's parent is shared by the workers of one run)."""
    shared = (
        tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    )
    var = shared / "migrated"
    var.mkdir(exist_ok=True)
    database = var / "grassroots.sqlite3"
    with open(shared / "migrated.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (var / "done").exists():
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
                cwd=ROOT,
                env=process_env(var),
                check=True,
            )
            (var / "done").touch()
    return database


@pytest.fixture
def var_dir(tmp_path, migrated_database) -> Path:
    """A fresh var directory holding a copy of the migrated database."""
    shutil.copy(migrated_database, tmp_path / "grassroots.sqlite3")
    return tmp_path
