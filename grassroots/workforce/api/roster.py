"""A red grid worker's duties, and the grid-worker roster as a spreadsheet (import, template, export)."""

from __future__ import annotations

from dataclasses import asdict

from django.utils.translation import ngettext
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from grassroots import sheets
from grassroots.downloads import attachment
from grassroots.imports.kinds import RowError
from grassroots.masking import MaskedText

from .. import selectors, services
from ..services import roster

router = Router()


class DutiesIn(Schema):
    area_code: str
    duties: list[str] = Field(
        description="policy | information | livelihood | liaison | civility | patrol | hygiene"
    )


@router.put(
    "/workers/{pk}/duties",
    response=list[str],
    summary="Set the duties a red grid worker takes on in an area",
)
def worker_duties(request, pk: int, payload: DutiesIn):
    worker = selectors.worker_get_for(user=request.user, pk=pk)
    rows = services.worker_duties_set(
        actor=request.user, worker=worker, area_code=payload.area_code, duties=payload.duties, request=request
    )
    return sorted(d.duty for d in rows)


class RosterOut(Schema):
    # The rows and errors are the import's own records (dataclasses of services/roster.py), so that the
    # API says exactly what the page shows.
    errors: list[RowError]
    workers_created: int
    assignments_started: int
    duties_added: int
    unchanged_rows: int
    written: bool
    rows: list[roster.RowOutcome]


class RosterRejectedOut(RosterOut):
    """A roster with errors in rows: nothing written, the report as for a check, and why."""

    code: str = Field(description="import_rejected")
    message: MaskedText


def _rejected_message(count: int) -> str:
    return ngettext(
        "Nothing was imported: the file has %(count)d error. Correct it and import the file again.",
        "Nothing was imported: the file has %(count)d errors. Correct them and import the file again.",
        count,
    ) % {"count": count}


@router.post(
    "/roster/import",
    response={200: RosterOut, 422: RosterRejectedOut},
    summary="Import the grid-worker roster from Excel (row-level errors, all or nothing, idempotent)",
)
def roster_import(request, file: File[UploadedFile], dry_run: Form[bool] = False, area: Form[str] = ""):
    """``dry_run`` checks the file and answers what an import would do, writing nothing (the page's check
    step); ``area`` limits the rows to one area, as the roster page of that area does."""
    data = sheets.read_upload(file, max_bytes=roster.roster_max_bytes())
    result = roster.roster_import(
        actor=request.user, data=data, dry_run=dry_run, area_code=area or None, request=request
    )
    if result.errors:
        return Status(
            422,
            {"code": "import_rejected", "message": _rejected_message(len(result.errors)), **asdict(result)},
        )
    return Status(200, result)


@router.get(
    "/roster/template",
    response={200: None},
    summary="The empty roster workbook (Chinese headers and a sheet of instructions)",
)
def roster_template(request):
    return attachment(
        roster.roster_template(actor=request.user), "roster-template.xlsx", sheets.XLSX_CONTENT_TYPE
    )


@router.get("/roster/export", response={200: None}, summary="The roster of an area (phones masked)")
def roster_export(request, area: str):
    data = roster.roster_export(user=request.user, area_code=area)
    return attachment(data, f"roster-{area}.xlsx", sheets.XLSX_CONTENT_TYPE)
