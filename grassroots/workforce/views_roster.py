"""The roster page of an area, for those who manage its workforce.

Download the template (or the current roster) → upload a workbook → the check: row-level errors, or a
preview of what the import will do → confirm → the counts. Outside the user's scope every URL answers 404;
inside it without a managing role, 403 — nothing is read or written then.
"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.accounts.rules import require
from grassroots.areas import selectors as area_selectors
from grassroots.downloads import attachment
from grassroots.errors import NotPermitted
from grassroots.imports.views import RunPages
from grassroots.sheets import XLSX_CONTENT_TYPE

from . import rules
from .forms import RosterUploadForm
from .services import roster as roster_service

ACTION_LABELS = {
    "worker_created": gettext_lazy("new worker"),
    "assignment_started": gettext_lazy("new assignment"),
    "duties_added": gettext_lazy("new duties"),
}


def _imported_message(report: dict) -> str:
    return _(
        "Imported: %(workers)d new workers, %(assignments)d new assignments, %(duties)d duties "
        "added, %(unchanged)d rows unchanged."
    ) % {
        "workers": report["workers_created"],
        "assignments": report["assignments_started"],
        "duties": report["duties_added"],
        "unchanged": report["unchanged_rows"],
    }


RUNS = RunPages(  # the uploads of this page, kept as imports.ImportRun
    kinds=(roster_service.IMPORT_KIND,),
    run_url="workforce:roster_run",
    confirm_url="workforce:roster_confirm",
    template="workforce/roster_run.html",
    imported=_imported_message,
    changed=gettext_lazy("The workers changed since the check; nothing was imported. See the errors."),
    row=lambda r: {"action_labels": [ACTION_LABELS.get(a, a) for a in r.get("actions", [])]},
    texts={
        "heading": gettext_lazy("Roster import"),
        "back": gettext_lazy("back to the roster page"),
        "page_url": "workforce:roster",
        "prefix": "roster",
    },
)


def _manager(view):
    """Login required; the area must be one the user manages the workforce of (404 outside the scope,
    403 inside it without the role)."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, code: str, *args, **kwargs):
        try:
            require(request.user, rules.can_manage_workforce, code)
            return view(request, code, *args, **kwargs)
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from None

    return wrapped


def _area(request, code):
    return area_selectors.area_get_for(user=request.user, code=code)


@_manager
@require_http_methods(["GET", "POST"])
def roster(request, code: str):
    area = _area(request, code)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        previewed = RUNS.preview(request, form, code=code)
        if previewed is not None:
            return previewed
    return render(
        request,
        "workforce/roster.html",
        {
            "area": area,
            "form": form,
            "runs": RUNS.recent(request, code),
            "max_mb": roster_service.roster_max_bytes() / 1024 / 1024,
            "columns": roster_service.COLUMNS,
        },
        status=400 if form.errors else 200,
    )


@_manager
@require_GET
def roster_run(request, code: str, pk: int):
    return RUNS.show(request, code, pk, area=_area(request, code))


@_manager
@require_POST
def roster_confirm(request, code: str, pk: int):
    return RUNS.confirm(request, code, pk)


@_manager
@require_GET
def roster_template(request, code: str):
    return attachment(
        roster_service.roster_template(actor=request.user), "网格员名册模板.xlsx", XLSX_CONTENT_TYPE
    )


@_manager
@require_GET
def roster_export(request, code: str):
    data = roster_service.roster_export(user=request.user, area_code=code)
    return attachment(data, f"{code}-网格员名册.xlsx", XLSX_CONTENT_TYPE)
