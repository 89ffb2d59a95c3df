"""The import / export page of an area, for its administrators.

Upload → dry-run preview (the report, row by row) → confirm → the same file is imported. Downloads: the
empty template, the tree of the area as a workbook, its grid boundaries as GeoJSON. Outside the user's
scope every URL answers 404; inside it without the administrator role, 403.
"""

from __future__ import annotations

import functools
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from grassroots.downloads import attachment
from grassroots.errors import NotPermitted
from grassroots.sheets import XLSX_CONTENT_TYPE

from . import import_pages, selectors, selectors_io, services
from .forms_io import UPLOAD_FORMS, BoundaryUploadForm, TreeUploadForm
from .models import ImportRun

KINDS = tuple(UPLOAD_FORMS)  # the imports of this page


def _administrator(view):
    """Login required; NotPermitted (inside scope, wrong role) becomes 403."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from None

    return wrapped


def _render_page(request, area, *, forms=None, status=200):
    forms = forms or {}
    return render(
        request,
        "areas/io.html",
        {
            "area": area,
            "breadcrumbs": selectors.area_breadcrumbs(area),
            "tree_form": forms.get(ImportRun.Kind.TREE) or TreeUploadForm(),
            "boundary_form": forms.get(ImportRun.Kind.BOUNDARIES) or BoundaryUploadForm(),
            "runs": selectors_io.import_run_list_for(user=request.user, code=area.code, kinds=KINDS),
        },
        status=status,
    )


@_administrator
@require_GET
def page(request, code: str):
    area = selectors_io.managed_area_get_for(user=request.user, code=code)
    return _render_page(request, area)


@_administrator
@require_POST
def preview(request, code: str, kind: str):
    area = selectors_io.managed_area_get_for(user=request.user, code=code)
    if kind not in UPLOAD_FORMS:
        raise Http404
    form = UPLOAD_FORMS[kind](request.POST, request.FILES)
    if form.is_valid():
        run = import_pages.preview_upload(request, form, kind=kind, area_code=area.code)
        if run is not None:
            return redirect("areas:io_run", code=area.code, pk=run.pk)
    return _render_page(request, area, forms={kind: form}, status=400)


@_administrator
@require_GET
def run_detail(request, code: str, pk: int):
    area = selectors_io.managed_area_get_for(user=request.user, code=code)
    run = selectors_io.import_run_get_for(user=request.user, code=code, pk=pk, kinds=KINDS)
    return render(
        request,
        "areas/io_run.html",
        {
            "area": area,
            "run": run,
            "report": run.report,
            "may_confirm": run.awaits_confirmation_by(request.user),
        },
    )


@_administrator
@require_POST
def confirm(request, code: str, pk: int):
    selectors_io.managed_area_get_for(user=request.user, code=code)
    run = selectors_io.import_run_get_for(user=request.user, code=code, pk=pk, kinds=KINDS)
    import_pages.confirm_and_tell(
        request,
        run,
        imported=lambda report: (
            _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {k: report[k] for k in ("created", "updated", "unchanged")}
        ),
        changed=_("The areas changed since the preview; nothing was imported. See the errors."),
    )
    return redirect("areas:io_run", code=code, pk=pk)


@_administrator
@require_GET
def template(request, code: str):
    selectors_io.managed_area_get_for(user=request.user, code=code)
    return attachment(services.tree_template(), "区划导入模板.xlsx", XLSX_CONTENT_TYPE)


@_administrator
@require_GET
def export_tree(request, code: str):
    area = selectors_io.managed_area_get_for(user=request.user, code=code)
    data = services.tree_export(actor=request.user, root_code=area.code, request=request)
    return attachment(data, f"{area.code}-区划.xlsx", XLSX_CONTENT_TYPE)


@_administrator
@require_GET
def export_boundaries(request, code: str):
    area = selectors_io.managed_area_get_for(user=request.user, code=code)
    collection = services.boundaries_export(actor=request.user, root_code=area.code, request=request)
    data = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
    return attachment(data, f"{area.code}-网格边界.geojson", "application/geo+json")
