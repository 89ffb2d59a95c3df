"""Preview, then confirm: the two steps of an import on the pages, for every registered kind of import.

:func:`import_preview` runs the import as a dry run and keeps the file with its report in an
:class:`ImportRun`; :func:`import_confirm` imports exactly those bytes when the same person confirms, once,
within :data:`PREVIEW_VALID_FOR`. Nothing lives in the session or on a local disk, so any app server can
take the second step.

The kinds (what to import, its size limit, who may) are registered in :mod:`grassroots.imports.kinds` by
the apps that own them, from their ``AppConfig.ready()``.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts import rules
from grassroots.accounts.models import User
from grassroots.accounts.scoping import OutOfScope
from grassroots.errors import DomainError
from grassroots.sheets import file_label, read_upload

from . import kinds
from .models import ImportRun

PREVIEW_VALID_FOR = dt.timedelta(hours=24)


class ImportRunError(DomainError):
    """A run that cannot be confirmed (any more): ``import_not_pending``, ``import_expired``,
    ``import_damaged``; each a conflict with what the run became."""

    code = "import_run_error"
    status = 409


def import_preview(*, actor: User, kind: str, root_code: str, file, request=None) -> ImportRun:
    """Check an uploaded file of the registered ``kind`` for the area ``root_code`` as a dry run and keep
    it for confirmation (when it has no errors).

    Raises ``ImportFileError`` for a file that cannot be read at all (wrong type, too large, damaged,
    columns missing); nothing is kept then."""
    registered = kinds.get(kind)
    rules.require(actor, registered.permission, root_code)
    data = read_upload(file, max_bytes=registered.max_bytes())
    name = file_label(file)
    report = registered.importer(
        actor=actor, file=ContentFile(data, name=name), root_code=root_code, dry_run=True, request=request
    )
    now = clock.now()
    with transaction.atomic():
        import_runs_expire(now=now)
        return ImportRun.objects.create(
            kind=kind,
            status=ImportRun.Status.PREVIEWED if report.ok else ImportRun.Status.REFUSED,
            area_code=root_code,
            actor=actor,
            file_name=name,
            file_sha256=hashlib.sha256(data).hexdigest(),
            file_size=len(data),
            content=data if report.ok else b"",
            report=report.as_dict(),
            created_at=now,
        )


def import_runs_expire(*, now: dt.datetime | None = None) -> int:
    """Mark the previews older than :data:`PREVIEW_VALID_FOR` that were never confirmed as expired and drop
    their files (the reports stay as a record): files are not kept longer than a day. Run by every preview
    and hourly by the periodic jobs (``manage.py import_runs_expire``); returns how many expired."""
    now = now or clock.now()
    return ImportRun.objects.filter(
        status=ImportRun.Status.PREVIEWED, created_at__lt=now - PREVIEW_VALID_FOR
    ).update(status=ImportRun.Status.EXPIRED, content=b"")


def import_confirm(*, actor: User, run: ImportRun, request=None) -> ImportRun:
    """Import the previewed file for real. Only the person who uploaded it may confirm, once, within
    :data:`PREVIEW_VALID_FOR`. When the data changed since the preview so that the file no longer imports
    cleanly, nothing is written and the run records the new report."""
    rules.require(actor, kinds.get(run.kind).permission, run.area_code)
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.actor_id != actor.pk:
            raise OutOfScope
        if run.status != ImportRun.Status.PREVIEWED:
            raise ImportRunError(
                _("This upload is %(status)s; upload the file again to import it.")
                % {"status": run.get_status_display()},
                code="import_not_pending",
            )
        expired = clock.now() - run.created_at > PREVIEW_VALID_FOR
        if expired:
            run.status, run.content = ImportRun.Status.EXPIRED, b""
            run.save(update_fields=["status", "content"])
        else:
            _import_run(actor=actor, run=run, request=request)
    if expired:  # raised after the block, so that the expiry is saved
        raise ImportRunError(
            _("The preview is more than a day old; upload the file again."), code="import_expired"
        )
    return run


def _import_run(*, actor: User, run: ImportRun, request) -> None:
    data = bytes(run.content)
    if hashlib.sha256(data).hexdigest() != run.file_sha256:
        raise ImportRunError(_("The stored file is damaged; upload it again."), code="import_damaged")
    report = kinds.get(run.kind).importer(
        actor=actor, file=ContentFile(data, name=run.file_name), root_code=run.area_code, request=request
    )
    run.status = ImportRun.Status.IMPORTED if report.written else ImportRun.Status.REFUSED
    run.report = report.as_dict()
    run.content = b""
    run.finished_at = clock.now()
    run.save(update_fields=["status", "report", "content", "finished_at"])
