"""What a backup says about its database, and the checks that a restored database says the same.

The facts go into the manifest when the backup is made (inside the dump's snapshot) and are read again from
the restored database: the row count of every table, the applied migrations, a digest of the whole audit log,
the state of every disclosure hash chain. Beyond equality, a restore checks what only the restoring site can
check: that a sample of every encrypted column decrypts with the keys configured here and that its keyed
hash is the one computed here (a wrong ``FIELD_HASH_KEY`` would silently break login by phone and the
register's look-ups), and that every media file is back byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.core.files.storage import Storage
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model

from grassroots import fieldcrypt, personal
from grassroots.accounts.models import AuditLog
from grassroots.disclosure import selectors as disclosure_selectors
from grassroots.disclosure.models import Notice

from . import files

# The audit record's columns in the digest, fixed here so that a later column does not change old digests.
AUDIT_COLUMNS = [
    "id", "actor_id", "actor_name", "action", "target_type", "target_id", "area_code", "reason",
    "ip_address", "user_agent", "detail", "created_at",
]  # fmt: skip


def table_counts(using: str) -> dict[str, int]:
    """Rows in every table of the database (Django's and every app's)."""
    connection = connections[using]
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    return counts


def applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _canonical(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def audit_digest(using: str) -> dict:
    """The number of audit records, the last id and the sha256 of all of them in id order."""
    digest = hashlib.sha256()
    count = last = 0
    rows = AuditLog.objects.using(using).order_by("id").values_list(*AUDIT_COLUMNS)
    for row in rows.iterator(chunk_size=2000):
        record = [_canonical(v) for v in row]
        digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False, default=str).encode() + b"\n")
        count += 1
        last = row[0]
    return {"records": count, "last_id": last, "sha256": digest.hexdigest()}


def disclosure_chains(using: str) -> dict:
    """How many notices and versions there are, and which notices' hash chains are broken."""
    notices = (
        Notice.objects.using(using)
        .exclude(versions=None)
        .distinct()
        .order_by("pk")
        .prefetch_related("versions")
    )
    checked = versions = 0
    broken: list[dict] = []
    for notice in notices.iterator(chunk_size=500):
        report = disclosure_selectors.verify_notice(notice)
        checked += 1
        versions += report.checked
        if not report.ok:
            broken.append({"notice": notice.pk, "problems": report.problems})
    return {"notices": checked, "versions": versions, "broken": broken}


def encrypted_columns(using: str) -> dict[str, int]:
    """Every encrypted column (``app.Model.field``) and how many rows hold a value in it."""
    counts = {}
    for model, names in fieldcrypt.encrypted_fields():
        for name in names:
            filled = (
                model._base_manager.using(using).exclude(**{name: ""}).exclude(**{f"{name}__isnull": True})
            )
            counts[f"{model._meta.label}.{name}"] = filled.count()
    return counts


def facts(using: str) -> dict:
    """Everything the manifest records about the database (call inside the dump's snapshot)."""
    return {
        "tables": table_counts(using),
        "migrations": applied_migrations(using),
        "audit_log": audit_digest(using),
        "disclosure_chains": disclosure_chains(using),
        "encrypted_columns": encrypted_columns(using),
    }


def _hash_column(model: type[Model], name: str) -> str | None:
    """The keyed-hash column kept beside an encrypted one (``phone`` → ``phone_hash``, ``id_number`` →
    ``id_hash``), if the model has one."""
    candidate = "id_hash" if name == "id_number" else f"{name}_hash"
    return candidate if candidate in {f.name for f in model._meta.concrete_fields} else None


def _expected_hash(name: str, plaintext: str) -> str:
    return personal.id_hash(plaintext.upper()) if name == "id_number" else personal.phone_hash(plaintext)


@dataclass
class SampleReport:
    """A sample of each encrypted column: values read, values that did not decrypt, keyed hashes that differ."""

    checked: dict[str, int] = field(default_factory=dict)
    undecryptable: dict[str, list] = field(default_factory=dict)
    hash_mismatches: dict[str, list] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.undecryptable and not self.hash_mismatches


def encrypted_sample(using: str, *, per_column: int = 50) -> SampleReport:
    """Decrypt the first and the last ``per_column`` values of every encrypted column with the configured
    keys, and compare each keyed hash with the one the configured hash key gives."""
    connection = connections[using]
    quote = connection.ops.quote_name
    report = SampleReport()
    fieldcrypt.reset_keys()
    for model, names in fieldcrypt.encrypted_fields():
        columns = {f.name: str(f.column) for f in model._meta.concrete_fields}
        table, pk = model._meta.db_table, columns[model._meta.pk.name] if model._meta.pk else "id"
        for name in names:
            label = f"{model._meta.label}.{name}"
            column = columns[name]
            hash_name = _hash_column(model, name)
            hash_sql = quote(columns[hash_name]) if hash_name else "NULL"
            rows = []
            with connection.cursor() as cursor:
                for order in ("ASC", "DESC"):
                    cursor.execute(
                        f"SELECT {quote(pk)}, {quote(column)}, {hash_sql} FROM {quote(table)} "  # noqa: S608
                        f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> '' "
                        f"ORDER BY {quote(pk)} {order} LIMIT %s",
                        [per_column],
                    )
                    rows.extend(cursor.fetchall())
            seen = set()
            for pk_value, token, stored_hash in rows:
                if pk_value in seen:
                    continue
                seen.add(pk_value)
                try:
                    plaintext = fieldcrypt.decrypt(token)
                except fieldcrypt.DecryptionError:
                    report.undecryptable.setdefault(label, []).append(pk_value)
                    continue
                if hash_name and stored_hash and stored_hash != _expected_hash(name, plaintext):
                    report.hash_mismatches.setdefault(label, []).append(pk_value)
            report.checked[label] = len(seen)
    return report


def media_entries(storage: Storage) -> list[dict]:
    """Every stored file: its name, size and sha256."""
    return [files.describe(storage, name) for name in files.walk(storage)]
