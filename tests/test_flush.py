"""The test database is emptied after each transactional test (tests/conftest.py: with DELETE on PostgreSQL,
where Django's TRUNCATE costs seconds a test): every table ends empty, the append-only audit log included,
whatever foreign keys link the rows."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from grassroots.accounts.models import AuditLog, Role
from grassroots.accounts.services import audit_record
from tests import world
from tests.factories import user_with

# what the flush's post_migrate signal writes again at once
REFILLED = {"django_content_type", "auth_permission"}


def _tables_with_rows() -> list[str]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        found = []
        for table in sorted(set(tables) - REFILLED):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608 - table names from introspection
            if cursor.fetchone():
                found.append(table)
    return found


@pytest.mark.django_db(transaction=True)
def test_the_flush_empties_every_table_the_audit_log_too():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's flush is Django's own DELETE; its audit log is emptied by audit_log_flushable")
    # given rows linked by foreign keys (a grid worker, their grid and grant, the case reference) and an
    # audit record that no DELETE may remove
    world.seed_case_reference()
    worker = user_with(Role.GRID_WORKER, world.G1)
    audit_record(actor=worker, action="test.flush", target=worker)
    assert AuditLog.objects.exists() and _tables_with_rows()
    # when the database is flushed as after a transactional test
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)
    # then no table holds a row
    assert _tables_with_rows() == []
