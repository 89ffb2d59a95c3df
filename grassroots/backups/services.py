"""Make a backup (database + media + manifest, never the keys) and restore one into an empty database.

A backup is one tar file, written under a temporary name and renamed when complete, readable by its owner only:

    database.pgdump | database.sqlite3   the whole database (``dumps``), made inside one snapshot
    media/<name>                          every stored file
    manifest.json                         versions, the dump's sha256, every table's row count, the applied
                                          migrations, a digest of the audit log, the disclosure chains, the
                                          encrypted columns, every media file's size and sha256

The keys (``FIELD_ENCRYPTION_KEYS``, ``FIELD_HASH_KEY``, ``SECRET_KEY``) are never in it: the personal data in
the dump stays encrypted, and a stolen backup is unreadable without the keys, which are kept apart.

A restore checks the whole archive against its manifest before it writes anything, refuses a database that
has tables (and media that differ from the backup's), loads the dump all or nothing, copies the media,
migrates forward when the code is newer than the backup, and then checks the restored site
(:func:`selectors.facts` again, a sample of the encrypted columns with the keys configured here, the media).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import django
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext_lazy as _

from . import dumps, files, selectors
from .errors import ArchiveInvalid, BackupError, Incompatible, TargetNotEmpty

FORMAT = "grassroots-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
KEYS_NOTE = (
    "Not included: FIELD_ENCRYPTION_KEYS, FIELD_HASH_KEY and SECRET_KEY are kept apart from backups "
    "(docs/operations.md, Backups); a restore needs them."
)

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def backup_create(
    *, path: Path, using: str = "default", storage: Storage | None = None, progress: Progress = _quiet
) -> dict:
    """Write a backup of database ``using`` and of ``storage`` (the default storage) to ``path``.

    Returns the manifest. ``path`` must not exist yet; a failure leaves no file behind.
    """
    path = Path(path)
    storage = storage or default_storage
    connection = connections[using]
    dumps.supported(connection)
    if path.exists():
        raise BackupError(_("%(path)s exists already; name a new file.") % {"path": path})
    path.parent.mkdir(parents=True, exist_ok=True)
    database_member = dumps.FILE_NAMES[connection.vendor]
    with tempfile.TemporaryDirectory(prefix=".grassroots-backup-", dir=path.parent) as work:
        dump_file = Path(work) / database_member
        progress(f"database ({connection.vendor}) → {database_member}")
        if connection.vendor == "postgresql":
            with dumps.snapshot(connection) as snapshot_name:
                dumps.dump(connection, dump_file, snapshot_name=snapshot_name)
                facts = selectors.facts(using)
        else:
            dumps.dump(connection, dump_file, snapshot_name=None)
            with dumps.opened(connection, dump_file) as copy:
                facts = selectors.facts(copy)
        with dump_file.open("rb") as handle:
            dump_sha256, dump_bytes = files.sha256_of(handle)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "versions": {
                "grassroots": _version("grassroots"),
                "django": django.get_version(),
                "python": platform.python_version(),
                "database": f"{connection.vendor} {dumps.server_version(connection)}",
                "dump_tool": dumps.tool_version(connection),
            },
            "database": {
                "vendor": connection.vendor,
                "file": database_member,
                "bytes": dump_bytes,
                "sha256": dump_sha256,
            },
            "keys": KEYS_NOTE,
            **facts,
        }
        partial = Path(work) / "archive.tar"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            os.fdopen(descriptor, "wb") as raw,
            tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            tar.add(dump_file, arcname=database_member)
            media = []
            for name in files.walk(storage):
                info = tarfile.TarInfo(MEDIA_PREFIX + name)
                info.size = storage.size(name)
                info.mode = 0o600
                with storage.open(name, "rb") as handle:
                    reader = files.HashingReader(handle)
                    tar.addfile(info, reader)
                media.append({"name": name, "bytes": reader.size, "sha256": reader.sha256.hexdigest()})
            progress(f"media: {len(media)} files")
            manifest["media"] = {
                "storage": f"{type(storage).__module__}.{type(storage).__qualname__}",
                "files": media,
                "bytes": sum(entry["bytes"] for entry in media),
            }
            body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mode = 0o600
            tar.addfile(info, _BytesReader(body))
        os.replace(partial, path)
    return manifest


class _BytesReader:
    def __init__(self, body: bytes):
        self.body, self.offset = body, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.body) if size < 0 else self.offset + size
        chunk = self.body[self.offset : end]
        self.offset += len(chunk)
        return chunk


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.extractfile(MANIFEST)
        manifest = json.loads(member.read()) if member else None
    except (KeyError, ValueError) as exc:
        raise ArchiveInvalid(_("This file is not a Grassroots backup (no readable manifest).")) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveInvalid(_("This file is not a Grassroots backup (no readable manifest)."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise Incompatible(
            _("This backup has format %(version)s; this version of Grassroots reads format %(ours)s.")
            % {"version": manifest.get("format_version"), "ours": FORMAT_VERSION}
        )
    return manifest


def _member(tar: tarfile.TarFile, name: str) -> IO[bytes]:
    try:
        handle = tar.extractfile(name)
    except KeyError:
        handle = None
    if handle is None:
        raise ArchiveInvalid(_("The backup lacks %(name)s, which its manifest lists.") % {"name": name})
    return handle


def _check_member(tar: tarfile.TarFile, name: str, entry: dict) -> None:
    sha256, size = files.sha256_of(_member(tar, name))
    if (sha256, size) != (entry["sha256"], entry["bytes"]):
        raise ArchiveInvalid(
            _("%(name)s in the backup does not match its checksum: the file is damaged.") % {"name": name}
        )


def _check_migrations_known(manifest: dict, using: str) -> None:
    known = set(MigrationLoader(connections[using], ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        raise Incompatible(
            _(
                "The backup was made by a newer version of Grassroots (migrations %(names)s are unknown here); "
                "restore it with that version."
            )
            % {"names": ", ".join(unknown[:5])}
        )


@dataclass
class RestoreReport:
    manifest: dict
    migrated: bool = False
    media_written: int = 0
    media_present: int = 0
    sample: selectors.SampleReport | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def backup_restore(
    *,
    path: Path,
    using: str = "default",
    storage: Storage | None = None,
    with_media: bool = True,
    check_only: bool = False,
    progress: Progress = _quiet,
) -> RestoreReport:
    """Restore the backup at ``path`` into the empty database ``using`` and ``storage``; then check it.

    With ``check_only`` the archive is checked against its manifest and the target for emptiness, and
    nothing is written. Raises :class:`BackupError` before writing anything when the archive is damaged, made
    from another kind of database or by a newer version, or the target is not empty. The returned report
    lists what the checks after the restore found (``ok`` when nothing).
    """
    storage = storage or default_storage
    connection = connections[using]
    dumps.supported(connection)
    with tarfile.open(path, mode="r:") as tar:
        manifest = read_manifest(tar)
        database = manifest["database"]
        _check_target(manifest, using)
        report = RestoreReport(manifest=manifest)
        progress(f"checking {database['file']} and {len(manifest['media']['files'])} media files")
        _check_member(tar, database["file"], database)
        to_write = []
        for entry in manifest["media"]["files"] if with_media else []:
            _check_member(tar, MEDIA_PREFIX + entry["name"], entry)
            if storage.exists(entry["name"]):
                if files.describe(storage, entry["name"])["sha256"] != entry["sha256"]:
                    raise TargetNotEmpty(
                        _("The media storage holds another file named %(name)s; restore into empty storage.")
                        % {"name": entry["name"]}
                    )
                report.media_present += 1
            else:
                to_write.append(entry)
        if check_only:
            return report

        with tempfile.TemporaryDirectory(prefix="grassroots-restore-") as work:
            dump_file = Path(work) / database["file"]
            with dump_file.open("wb") as out:
                source = _member(tar, database["file"])
                while chunk := source.read(files.CHUNK):
                    out.write(chunk)
            progress(f"database: loading {database['file']}")
            dumps.load(connection, dump_file)

        counts = selectors.table_counts(using)
        for table, expected in manifest["tables"].items():
            if counts.get(table) != expected:
                report.problems.append(f"table {table}: {counts.get(table)} rows, the backup has {expected}")
        for entry in to_write:
            with contextlib.closing(_member(tar, MEDIA_PREFIX + entry["name"])) as handle:
                saved = storage.save(entry["name"], File(handle, name=entry["name"]))
            if saved != entry["name"]:
                report.problems.append(f"media {entry['name']} was stored as {saved}")
            report.media_written += 1
        progress(f"media: {report.media_written} files written, {report.media_present} already there")

    if _pending_migrations(using):
        progress("migrating the restored database forward to this version")
        call_command("migrate", database=using, interactive=False, verbosity=0)
        report.migrated = True
    # What the cache holds was computed from other data under keys that name rows by id and version, which
    # the restored rows reuse: a cache shared by the app servers (CACHE_URL) would answer for them.
    cache.clear()
    _check_restored(report, using=using, storage=storage, with_media=with_media)
    return report


def _check_target(manifest: dict, using: str) -> None:
    """Refuse a backup of another kind of database or of a newer version, and a database with tables."""
    connection = connections[using]
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise Incompatible(
            _("This backup is of a %(theirs)s database and restores only into %(theirs)s, not into %(ours)s.")
            % {"theirs": vendor, "ours": connection.vendor}
        )
    _check_migrations_known(manifest, using)
    if not dumps.is_empty(connection):
        raise TargetNotEmpty(
            _(
                "The database %(name)s has tables: a backup restores only into an empty database "
                "(create a new one)."
            )
            % {"name": connection.settings_dict["NAME"]}
        )


def _pending_migrations(using: str) -> bool:
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    return bool(set(loader.disk_migrations) - set(loader.applied_migrations or {}))


def _check_restored(report: RestoreReport, *, using: str, storage: Storage, with_media: bool) -> None:
    manifest, problems = report.manifest, report.problems
    audit = selectors.audit_digest(using)
    if audit != manifest["audit_log"]:
        problems.append(
            f"audit log: {audit['records']} records (digest {audit['sha256'][:12]}), the backup has "
            f"{manifest['audit_log']['records']} (digest {manifest['audit_log']['sha256'][:12]})"
        )
    chains = selectors.disclosure_chains(using)
    for broken in chains["broken"]:
        problems.append(f"disclosure notice {broken['notice']}: " + "; ".join(broken["problems"]))
    expected_chains = manifest["disclosure_chains"]
    if (chains["notices"], chains["versions"]) != (expected_chains["notices"], expected_chains["versions"]):
        problems.append(
            f"disclosure: {chains['notices']} notices with {chains['versions']} versions, the backup has "
            f"{expected_chains['notices']} with {expected_chains['versions']}"
        )
    columns = selectors.encrypted_columns(using)
    for label, expected in manifest["encrypted_columns"].items():
        if columns.get(label) != expected:
            problems.append(f"{label}: {columns.get(label)} values, the backup has {expected}")
    report.sample = selectors.encrypted_sample(using)
    for label, rows in report.sample.undecryptable.items():
        problems.append(
            f"{label}: rows {rows[:5]} do not decrypt with FIELD_ENCRYPTION_KEYS here (restore the keys "
            "that were in use when the backup was made)"
        )
    for label, rows in report.sample.hash_mismatches.items():
        problems.append(f"{label}: rows {rows[:5]} have keyed hashes another FIELD_HASH_KEY made")
    if with_media:
        for entry in manifest["media"]["files"]:
            if not storage.exists(entry["name"]):
                problems.append(f"media {entry['name']} is missing")
            elif files.describe(storage, entry["name"])["sha256"] != entry["sha256"]:
                problems.append(f"media {entry['name']} differs from the backup")
