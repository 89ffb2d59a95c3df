"""Records written once and never edited in place: a correction, or a later answer, is a new row.

Two guards, one beneath the other. The model (:class:`AppendOnlyModel`) refuses to save an existing row, and its
queryset refuses ``update()`` and ``delete()``; the database refuses UPDATE through a trigger
(:func:`refuse_updates`, for SQLite and PostgreSQL), so that no path around the ORM — raw SQL, a bulk action —
edits a record. Rows still go with their parent when a foreign key cascades (the deletion collector does not
call the queryset's ``delete``): a record lives as long as what it records.
"""

from __future__ import annotations

from django.db import migrations, models


class AppendOnlyError(PermissionError):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} rows are never edited; record a new one instead")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.label} rows go only with what they record")


class AppendOnlyModel(models.Model):
    """A record written once."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError(f"{self._meta.label} rows are never edited; record a new one instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} rows go only with what they record")


def refuse_updates(*tables: str, function: str) -> migrations.RunPython:
    """A migration operation installing, on each table, a trigger that refuses UPDATE (and removing it when
    the migration is reversed). ``function`` names the PostgreSQL trigger function (one per app)."""

    def sqlite(table):
        return (
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are never edited; record a new one'); END",
            f"DROP TRIGGER IF EXISTS {table}_no_update",
        )

    def postgres(table):
        return (
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}",
        )

    create_function = (
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' rows are never edited; record a new one'; END; "
        "$$ LANGUAGE plpgsql"
    )

    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(create_function, params=None)  # the body has a literal %
            for table in tables:
                schema_editor.execute(postgres(table)[0])
        elif vendor == "sqlite":
            for table in tables:
                schema_editor.execute(sqlite(table)[0])

    def backwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            for table in tables:
                schema_editor.execute(postgres(table)[1])
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")
        elif vendor == "sqlite":
            for table in tables:
                schema_editor.execute(sqlite(table)[1])

    return migrations.RunPython(forwards, backwards)
