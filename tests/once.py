"""Build something once for a whole test module, inside a transaction rolled back after the module.

Each test of the module then runs in a savepoint inside that transaction (as Django's ``setUpTestData``
does), so a costly world — the demo city, a year of cases — is built once per module and per xdist worker,
and no test sees another's writes. Use it from a module-scoped fixture::

    @pytest.fixture(scope="module")
    def built(django_db_setup, django_db_blocker, tmp_path_factory):
        with built_once(django_db_blocker, media=tmp_path_factory.mktemp("media")):
            yield load(scale="small")
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from django.db import transaction
from django.test import override_settings

T = TypeVar("T")

# Argon2 is slow by design; tests hash with MD5 (tests/conftest.py sets this list for every test). Argon2 stays
# second so that a hash made with it still verifies.
FAST_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]


@contextlib.contextmanager
def built_once(django_db_blocker, build: Callable[[], T], *, media: Path | None = None) -> Iterator[T]:
    """Run ``build()`` in the module's transaction and give its result to the ``with`` body; roll everything
    back when the body ends (the module's last test is done). With ``media``, MEDIA_ROOT points there
    meanwhile. A failed build rolls back at once, so that half a world never leaks into other modules."""
    overrides: dict = {"PASSWORD_HASHERS": FAST_HASHERS}
    if media is not None:
        overrides["MEDIA_ROOT"] = media
    with override_settings(**overrides):
        atomic = transaction.atomic()
        with django_db_blocker.unblock():
            atomic.__enter__()
            try:
                result = build()
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(*sys.exc_info())
                raise
        try:
            yield result
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)


def put_back_migration_data() -> None:
    """What the migrations seed and a flush empties: the service types and every year's official calendar."""
    import chinese_calendar

    from tests import world

    world.seed_case_reference(years=tuple(sorted({day.year for day in chinese_calendar.holidays})))


def empty_database() -> None:
    """Empty every table as pytest-django does after a transactional test, then put back what the migrations
    seeded; for a module that committed a world of its own outside any test."""
    from django.core.management import call_command

    empty_audit_log()
    call_command("flush", interactive=False, verbosity=0)
    put_back_migration_data()


def empty_audit_log() -> None:
    """On SQLite the audit log's triggers refuse the DELETE with which a database is emptied: lift them just
    long enough to empty the log. (PostgreSQL's flush truncates, which row triggers do not see.)"""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    append_only = importlib.import_module("grassroots.accounts.migrations.0002_auditlog_append_only")
    with connection.cursor() as cursor:
        for sql in append_only.SQLITE_REVERSE:
            cursor.execute(sql)
        cursor.execute("DELETE FROM accounts_auditlog")
        for sql in append_only.SQLITE:
            cursor.execute(sql)
