"""Opinions, ballots, signatures, meeting counts, progress entries and timeline events are never edited in
place: the database itself refuses an UPDATE of them (a correction is a new row). Deleting is refused by the
ORM (``models.AppendOnly``) except for synthetic demo topics, so the demo can be removed."""

from django.db import migrations

TABLES = [
    "deliberation_opinion",
    "deliberation_ballot",
    "deliberation_signature",
    "deliberation_tally",
    "deliberation_progressentry",
    "deliberation_topicevent",
]


def _sqlite(table):
    return (
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} rows are never edited; record a correction'); END",
        f"DROP TRIGGER IF EXISTS {table}_no_update",
    )


def _postgres(table):
    return (
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION deliberation_refuse_update()",
        f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}",
    )


POSTGRES_FUNCTION = (
    """CREATE OR REPLACE FUNCTION deliberation_refuse_update() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' rows are never edited; record a correction'; END;
       $$ LANGUAGE plpgsql""",
    "DROP FUNCTION IF EXISTS deliberation_refuse_update()",
)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION[0], params=None)  # the body has a literal %
        for table in TABLES:
            schema_editor.execute(_postgres(table)[0])
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(_sqlite(table)[0])


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(_postgres(table)[1])
        schema_editor.execute(POSTGRES_FUNCTION[1])
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(_sqlite(table)[1])


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
