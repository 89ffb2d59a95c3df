"""manage.py backup_create: the database, the media and a manifest in one tar file (never the keys)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from grassroots.backups import services
from grassroots.backups.errors import BackupError


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, or SQLite's online backup), every media file and a manifest with "
        "versions, row counts and checksums into one tar file. The encryption keys are never in it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", help="the file to write (default var/backups/grassroots-<UTC time>.tar)"
        )
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, path, database, verbosity, **options):
        if path is None:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            path = Path(settings.VAR_DIR) / "backups" / f"grassroots-{stamp}.tar"
        progress = self.stdout.write if verbosity > 1 else services._quiet
        try:
            manifest = services.backup_create(path=Path(path), using=database, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc.message)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            _(
                "Backup written to %(path)s: %(tables)s tables, %(rows)s rows, %(files)s media files, "
                "%(notices)s disclosure notices, %(audit)s audit records."
            )
            % {
                "path": path,
                "tables": len(manifest["tables"]),
                "rows": f"{rows:,}",
                "files": len(manifest["media"]["files"]),
                "notices": manifest["disclosure_chains"]["notices"],
                "audit": manifest["audit_log"]["records"],
            }
        )
        broken = manifest["disclosure_chains"]["broken"]
        if broken:
            self.stderr.write(
                _(
                    "Warning: the hash chains of notices %(ids)s were already broken when this backup was made."
                )
                % {"ids": ", ".join(str(b["notice"]) for b in broken)}
            )
        self.stdout.write(_("The keys are not in the backup: keep them apart, as docs/operations.md says."))
