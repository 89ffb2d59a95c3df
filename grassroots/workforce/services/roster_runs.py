"""Check, then confirm: the two steps of a roster import on the roster page.

:func:`roster_check` runs the import as a rehearsal (nothing stays written) and keeps the file with its
report in a :class:`RosterImport`; :func:`roster_confirm` imports exactly those bytes when the same person
confirms, once, within :data:`CHECK_VALID_FOR`. Nothing lives in the session or on a local disk, so any app
server can take the second step. The JSON API offers the same two steps as ``dry_run`` and a real import.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.rules import require
from grassroots.accounts.scoping import OutOfScope
from grassroots.areas import spreadsheets as xlsx

from ..models import RosterImport
from ..rules import can_manage_workforce
from . import WorkforceError
from .roster import roster_import

CHECK_VALID_FOR = dt.timedelta(hours=24)


def roster_max_bytes() -> int:
    """The size limit of a roster workbook (``settings.WORKFORCE_ROSTER_MAX_BYTES``, default 5 MB)."""
    return getattr(settings, "WORKFORCE_ROSTER_MAX_BYTES", 5 * 1024 * 1024)


def roster_check(*, actor, area_code: str, file, request=None) -> RosterImport:
    """Check an uploaded roster for the area ``area_code`` without writing any worker, and keep it for
    confirmation when it has no errors. Raises ``ImportFileError`` for a file that cannot be read at all
    (wrong type, too large, damaged, missing columns); nothing is kept then."""
    require(actor, can_manage_workforce, area_code)
    data = xlsx.read_upload(file, max_bytes=roster_max_bytes())
    result = roster_import(actor=actor, data=data, dry_run=True, area_code=area_code, request=request)
    now = clock.now()
    with transaction.atomic():
        # Files checked and never confirmed are not kept longer than a day.
        RosterImport.objects.filter(
            status=RosterImport.Status.PREVIEWED, created_at__lt=now - CHECK_VALID_FOR
        ).update(status=RosterImport.Status.EXPIRED, content=b"")
        ok = not result.errors
        return RosterImport.objects.create(
            status=RosterImport.Status.PREVIEWED if ok else RosterImport.Status.REFUSED,
            area_code=area_code,
            actor=actor,
            file_name=xlsx.file_label(file),
            file_sha256=hashlib.sha256(data).hexdigest(),
            file_size=len(data),
            content=data if ok else b"",
            report=result.as_dict(),
            created_at=now,
        )


def roster_confirm(*, actor, run: RosterImport, request=None) -> RosterImport:
    """Import the checked file for real. When the workers changed since the check so that the file no
    longer imports cleanly, nothing is written and the run records the new report."""
    require(actor, can_manage_workforce, run.area_code)
    expired = False
    with transaction.atomic():
        run = RosterImport.objects.select_for_update().get(pk=run.pk)
        if run.actor_id != actor.pk:
            raise OutOfScope
        if run.status != RosterImport.Status.PREVIEWED:
            raise WorkforceError(
                _("This upload is %(status)s; upload the file again to import it.")
                % {"status": run.get_status_display()},
                code="roster_not_pending",
                status=409,
            )
        if clock.now() - run.created_at > CHECK_VALID_FOR:
            expired = True
            run.status, run.content = RosterImport.Status.EXPIRED, b""
            run.save(update_fields=["status", "content"])
        else:
            data = bytes(run.content)
            if hashlib.sha256(data).hexdigest() != run.file_sha256:
                raise WorkforceError(
                    _("The stored file is damaged; upload it again."), code="roster_damaged", status=409
                )
            result = roster_import(actor=actor, data=data, area_code=run.area_code, request=request)
            run.status = RosterImport.Status.IMPORTED if result.written else RosterImport.Status.REFUSED
            run.report = result.as_dict()
            run.content = b""
            run.finished_at = clock.now()
            run.save(update_fields=["status", "report", "content", "finished_at"])
    if expired:  # raised after the block, so that the expiry is saved
        raise WorkforceError(
            _("The check is more than a day old; upload the file again."), code="roster_expired", status=409
        )
    return run
