"""The shared steps of the import pages' views: every page that previews an upload and then imports it on
confirmation (the areas' import / export page, the workforce roster page) calls these, so that the two
steps behave alike everywhere. The page keeps its own URLs, forms, templates and wording of the outcome.

The kinds are registered in :mod:`grassroots.areas.import_kinds`; the logic is in
:mod:`grassroots.areas.services.import_runs`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages

from grassroots.pages import refusals_into

from .models import ImportRun
from .services import import_runs


def preview_upload(request, form, *, kind: str, area_code: str) -> ImportRun | None:
    """Preview the valid ``form``'s file as an import of ``kind`` into ``area_code``. A file that cannot
    be read at all becomes the error of the form's file field (and None is returned); a refusal for want
    of a role is raised, for the page to answer 403."""
    with refusals_into(form, field="file"):
        return import_runs.import_preview(
            actor=request.user,
            kind=kind,
            root_code=area_code,
            file=form.cleaned_data["file"],
            request=request,
        )
    return None


def confirm_and_tell(request, run: ImportRun, *, imported: Callable[[dict], str], changed: str) -> ImportRun:
    """Confirm ``run`` and tell the outcome as a message: ``imported(report)`` when the file was imported,
    ``changed`` when the data changed since the preview so that nothing was, the reason when the run could
    not be confirmed (already done, expired, damaged)."""
    with refusals_into(request):
        run = import_runs.import_confirm(actor=request.user, run=run, request=request)
        if run.status == ImportRun.Status.IMPORTED:
            messages.success(request, imported(run.report))
        else:
            messages.error(request, changed)
    return run
