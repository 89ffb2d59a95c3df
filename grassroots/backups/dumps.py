"""A whole database to one file and back, with each database's own tool.

PostgreSQL: ``pg_dump --format=custom`` inside a snapshot exported by our own read-only REPEATABLE READ
transaction (so the manifest's counts and digests describe exactly the rows in the dump, while the site keeps
writing), and ``pg_restore --single-transaction --exit-on-error`` into an empty database: a restore that fails
anywhere leaves the database as empty as it was. Owners and grants are left out, so the dump restores under
any role. SQLite: the online backup API (``sqlite3.Connection.backup``) copies every page of the database
through Django's own connection in one step — a consistent copy of a live database, WAL included — and
the manifest is read from that copy; a restore copies it back the same way.

Connection details go to the PostgreSQL tools through libpq's environment (``PGHOST`` …, ``PGPASSWORD``),
never on a command line that ``ps`` shows.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.utils.translation import gettext_lazy as _

from .errors import Incompatible, ToolFailed

FILE_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}


def supported(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor not in FILE_NAMES:
        raise Incompatible(
            _("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": connection.vendor}
        )


def server_version(connection: BaseDatabaseWrapper) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return str(cursor.fetchone()[0])


def _pg_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    settings = connection.settings_dict
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", settings.get("HOST")),
        ("PGPORT", settings.get("PORT")),
        ("PGUSER", settings.get("USER")),
        ("PGPASSWORD", settings.get("PASSWORD")),
        ("PGDATABASE", settings.get("NAME")),
        ("PGSSLMODE", (settings.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _run(command: list[str], env: dict[str, str]) -> str:
    tool = shutil.which(command[0])
    if tool is None:
        raise ToolFailed(
            _("%(tool)s is not installed (Debian: apt-get install postgresql-client).") % {"tool": command[0]}
        )
    done = subprocess.run([tool, *command[1:]], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise ToolFailed(
            _("%(tool)s failed: %(error)s") % {"tool": command[0], "error": done.stderr.strip()[-2000:]}
        )
    return done.stdout


def tool_version(connection: BaseDatabaseWrapper) -> str:
    """The dump tool that made (or restores) the file: ``pg_dump (PostgreSQL) 15.x``, or SQLite's library."""
    if connection.vendor == "postgresql":
        return _run(["pg_dump", "--version"], dict(os.environ)).strip()
    return f"sqlite3 backup API (SQLite {sqlite3.sqlite_version})"


@contextlib.contextmanager
def snapshot(connection: BaseDatabaseWrapper) -> Iterator[str | None]:
    """PostgreSQL: one REPEATABLE READ, READ ONLY transaction on ``connection`` whose snapshot
    ``pg_dump --snapshot`` shares, so that the manifest's queries (made inside it) see the rows of the dump.
    SQLite needs none: the backup API copies the database in one step, and the manifest reads the copy."""
    if connection.vendor != "postgresql":
        yield None
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        yield cursor.fetchone()[0]


@contextlib.contextmanager
def opened(connection: BaseDatabaseWrapper, copy: Path) -> Iterator[str]:
    """A database alias, like ``connection``'s, on the SQLite file ``copy`` (while the block runs)."""
    alias = f"backup-{uuid.uuid4().hex}"
    settings_dict = {**connection.settings_dict, "NAME": str(copy)}
    # Made here and not declared in settings.DATABASES: it lives only while the block runs.
    copy_connection = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    connections[alias] = copy_connection
    try:
        yield alias
    finally:
        copy_connection.close()
        del connections[alias]


def dump(connection: BaseDatabaseWrapper, target: Path, *, snapshot_name: str | None) -> None:
    """Write the whole database to ``target`` (PostgreSQL: inside :func:`snapshot`)."""
    if connection.vendor == "postgresql":
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"]
        if snapshot_name:
            command.append(f"--snapshot={snapshot_name}")
        _run(command, _pg_environment(connection))
        return
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)  # all pages in one step: one consistent copy
    finally:
        destination.close()


def is_empty(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def load(connection: BaseDatabaseWrapper, source: Path) -> None:
    """Fill the empty database behind ``connection`` from ``source`` (all or nothing)."""
    if connection.vendor == "postgresql":
        connection.close()  # pg_restore --single-transaction wants nobody else in the way
        env = _pg_environment(connection)
        _run(
            [
                "pg_restore",
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                f"--dbname={env.get('PGDATABASE', '')}",
                str(source),
            ],
            env,
        )
        return
    connection.ensure_connection()
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        origin.backup(connection.connection)
    finally:
        origin.close()
    connection.close()  # the next query opens the restored database afresh
