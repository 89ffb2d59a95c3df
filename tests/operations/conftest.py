"""Fixtures for the tests that start the platform's processes: a migrated SQLite database in a file, made once
per session (migrating takes seconds) and copied for each test, and a free port."""

from __future__ import annotations

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
def migrated_database(tmp_path_factory) -> Path:
    var = tmp_path_factory.mktemp("migrated")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=process_env(var),
        check=True,
    )
    return var / "grassroots.sqlite3"


@pytest.fixture
def var_dir(tmp_path, migrated_database) -> Path:
    """A fresh var directory holding a copy of the migrated database."""
    shutil.copy(migrated_database, tmp_path / "grassroots.sqlite3")
    return tmp_path
