"""Make the audit log append-only in the database itself: UPDATE and DELETE are refused by triggers."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER accounts_auditlog_no_update BEFORE UPDATE ON accounts_auditlog
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END""",
    """CREATE TRIGGER accounts_auditlog_no_delete BEFORE DELETE ON accounts_auditlog
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS accounts_auditlog_no_update",
    "DROP TRIGGER IF EXISTS accounts_auditlog_no_delete",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION accounts_auditlog_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit records are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER accounts_auditlog_append_only BEFORE UPDATE OR DELETE ON accounts_auditlog
       FOR EACH ROW EXECUTE FUNCTION accounts_auditlog_append_only()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS accounts_auditlog_append_only ON accounts_auditlog",
    "DROP FUNCTION IF EXISTS accounts_auditlog_append_only()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
