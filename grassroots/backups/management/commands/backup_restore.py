"""manage.py backup_restore: a backup into an empty database (and media storage), then checks of the result."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from grassroots.backups import services
from grassroots.backups.errors import BackupError


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_create into an empty database and media storage, migrate it forward "
        "if this version is newer, then check it: row counts, the audit log, the disclosure hash chains, a "
        "sample of encrypted values decrypting with the keys configured here, the media files."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file")
        parser.add_argument(
            "--database", default="default", help="the (empty) database alias to restore into"
        )
        parser.add_argument("--no-media", action="store_true", help="restore the database only")
        parser.add_argument(
            "--check", action="store_true", help="check the archive and the target only; write nothing"
        )

    def handle(self, *args, path, database, no_media, check, verbosity, **options):
        progress = self.stdout.write if verbosity > 1 else services._quiet
        try:
            report = services.backup_restore(
                path=Path(path), using=database, with_media=not no_media, check_only=check, progress=progress
            )
        except BackupError as exc:
            raise CommandError(str(exc.message)) from exc
        manifest = report.manifest
        if check:
            self.stdout.write(
                _("The backup of %(created)s is whole and the target is empty: it can be restored.")
                % {"created": manifest["created_at"]}
            )
            return
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(
                _("The restore finished with %(count)s problems (above).") % {"count": len(report.problems)}
            )
        sampled = sum(report.sample.checked.values()) if report.sample else 0
        self.stdout.write(
            _(
                "Restored the backup of %(created)s: %(rows)s rows, %(audit)s audit records unchanged, "
                "%(notices)s disclosure chains intact, %(sampled)s encrypted values decrypted, %(files)s media "
                "files."
            )
            % {
                "created": manifest["created_at"],
                "rows": f"{sum(manifest['tables'].values()):,}",
                "audit": manifest["audit_log"]["records"],
                "notices": manifest["disclosure_chains"]["notices"],
                "sampled": sampled,
                "files": report.media_written + report.media_present,
            }
        )
        if report.migrated:
            self.stdout.write(_("The database was migrated forward to this version after the restore."))
