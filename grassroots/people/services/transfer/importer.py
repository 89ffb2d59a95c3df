"""``register_import``: the upload kept in a temporary directory, the checking pass, and either the report of
errors or the writing pass, in one transaction, with its record and audit entry."""

from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from grassroots.accounts.models import User
from grassroots.accounts.rules import require
from grassroots.accounts.services import audit_record
from grassroots.areas.codes import Level
from grassroots.areas.models import Area

from ... import rules
from ...errors import ImportRejected
from ...models import Household, ImportStatus, RegisterImport
from ..registry import reschedule_visits
from .parse import Errors, check_file
from .sheet import MAX_FILE_BYTES
from .validate import spool_checked
from .write import Counts, read_spool, set_heads, write_households, write_residents


def register_import(*, actor: User, area_code: str, upload, request=None) -> RegisterImport:
    """Import a spreadsheet into the register of ``area_code`` (see the module docstring)."""
    require(actor, rules.can_transfer, area_code)
    started = time.perf_counter()
    name = Path(getattr(upload, "name", "upload.xlsx")).name[:200]
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise ImportRejected(
            _("The file is larger than %(mb)d MB; split it into several files.")
            % {"mb": MAX_FILE_BYTES // 2**20},
            code="too_large",
        )
    with translation.override("zh-hans"), tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.xlsx"
        with open(path, "wb") as out:
            for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
                out.write(chunk)
        check_file(path)
        errors = Errors()
        with open(Path(tmp) / "rows.pickle", "w+b") as spool:
            rows = spool_checked(path, area_code, spool, errors)
            record = RegisterImport(created_by=actor, area_code=area_code, file_name=name, rows=rows)
            if errors.count:
                record.status = ImportStatus.REJECTED
                record.error_count, record.errors = errors.count, errors.items
                record.seconds = time.perf_counter() - started
                with transaction.atomic():
                    record.save()
                    audit_record(
                        actor=actor,
                        action="people.import",
                        target=record,
                        request=request,
                        detail={"status": record.status, "rows": rows, "errors": errors.count},
                    )
                return record
            counts = Counts()
            area_by_code = {
                a.code: a for a in Area.objects.filter(level=Level.GRID, code__startswith=area_code)
            }
            with transaction.atomic():
                known: dict = {}
                touched: set[int] = set()
                new_heads: list[int] = []
                for batch in read_spool(spool):
                    write_households(batch, area_by_code, known, counts)
                    write_residents(batch, known, actor, counts, touched, new_heads)
                set_heads(new_heads)
                for household in Household.objects.filter(pk__in=touched - {None}):
                    reschedule_visits(household)
                record.status = ImportStatus.DONE
                for field in dataclasses.fields(counts):
                    setattr(record, field.name, getattr(counts, field.name))
                record.seconds = time.perf_counter() - started
                record.save()
                audit_record(
                    actor=actor,
                    action="people.import",
                    target=record,
                    request=request,
                    detail={"status": record.status, "rows": rows, **dataclasses.asdict(counts)},
                )
    return record
