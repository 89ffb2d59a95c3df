import importlib

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_english():
    """The tests read the commands' messages in English (the site's default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _audit_log_flushable(transactional_db):
    """These tests commit (pg_dump reads from another process), and on SQLite the audit log's triggers refuse
    the DELETE that empties the test database afterwards: lift them just long enough to empty the log (as
    tests/e2e/conftest.py does; PostgreSQL's flush truncates, which row triggers do not see)."""
    yield
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
