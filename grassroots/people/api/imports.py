"""The register's spreadsheet import: the template, an import (all rows or none), the records."""

from __future__ import annotations

from django.utils.translation import ngettext
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from grassroots.accounts.rules import require
from grassroots.accounts.scoping import OutOfScope
from grassroots.downloads import attachment

from .. import rules, selectors
from ..models import ImportStatus
from ..services import transfer
from .schemas import ImportOut, RegisterImportRejectedOut

router = Router()


@router.get("/imports/template", summary="The import template (.xlsx, Chinese headers)")
def import_template(request):
    if not rules.can_use_register(request.user):
        raise OutOfScope
    return attachment(transfer.template_bytes(), "register-template.xlsx", transfer.XLSX)


@router.post(
    "/imports",
    response={201: ImportOut, 422: RegisterImportRejectedOut},
    summary="Import a spreadsheet; all rows or none",
    description="201 with the import's record; 422 `import_rejected` with the record (each row's error in it) "
    "when rows have errors and nothing was written; 400 when the file as a whole is unusable.",
)
def import_create(request, area_code: Form[str], file: File[UploadedFile]):
    require(request.user, rules.can_transfer, area_code)
    record = transfer.register_import(actor=request.user, area_code=area_code, upload=file, request=request)
    if record.status == ImportStatus.REJECTED:
        record.code = "import_rejected"
        record.message = ngettext(
            "Nothing was imported: the file has %(count)d error. Correct it and import the file again.",
            "Nothing was imported: the file has %(count)d errors. Correct them and import the file again.",
            record.error_count,
        ) % {"count": record.error_count}
        return Status(422, record)
    return Status(201, record)


@router.get("/imports", response=list[ImportOut])
def import_list(request):
    return list(selectors.import_list_for(user=request.user)[:50])


@router.get("/imports/{import_id}", response=ImportOut)
def import_detail(request, import_id: int):
    return selectors.import_get_for(user=request.user, pk=import_id)
