"""The area pages: the browser, an area's page, and the import / export page of an area for its administrators.

Import / export: upload → dry-run preview (the report, row by row) → confirm → the same file is imported.
Downloads: the empty template, the tree of the area as a workbook, its grid boundaries as GeoJSON. Outside the
user's scope every URL answers 404; inside it without the administrator role, 403.
"""

from __future__ import annotations

import functools
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from grassroots.downloads import attachment
from grassroots.errors import NotPermitted
from grassroots.imports.views import RunPages
from grassroots.sheets import XLSX_CONTENT_TYPE

from . import selectors, services
from .codes import Level
from .forms import UPLOAD_FORMS, BoundaryUploadForm, TreeUploadForm
from .models import AreaImport, GridKind


@login_required
def browser(request):
    """The area browser: starts at the user's own areas."""
    roots = list(selectors.area_roots_for(user=request.user))
    if len(roots) == 1:
        return redirect("areas:detail", code=roots[0].code)
    return render(request, "areas/browser.html", {"roots": roots})


@login_required
def detail(request, code: str):
    """An area: where it sits, what it contains, and its grids on a map."""
    area = selectors.area_get_for(user=request.user, code=code)
    if area.level == Level.GRID:
        # A grid has its own page (with its workers); the area URL of a grid leads there.
        return redirect("workforce:grid", code=area.code)
    return render(
        request,
        "areas/detail.html",
        {
            "area": area,
            "children": list(selectors.area_children_for(user=request.user, area=area)),
            "breadcrumbs": selectors.area_breadcrumbs(area)[:-1],
            "grids_geojson_url": reverse("api:area_grids_geojson", kwargs={"code": area.code}),
            "grid_kinds": GridKind.choices,
        },
    )


# --- import / export of an area, for its administrators ------------------------------------------------

RUNS = RunPages(  # the uploads of this page (both kinds), kept as imports.ImportRun
    kinds=tuple(UPLOAD_FORMS),
    run_url="areas:io_run",
    confirm_url="areas:io_confirm",
    template="areas/io_run.html",
    imported=lambda report: (
        _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        % {k: report[k] for k in ("created", "updated", "unchanged")}
    ),
    changed=gettext_lazy("The areas changed since the preview; nothing was imported. See the errors."),
)


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
            "tree_form": forms.get(AreaImport.TREE) or TreeUploadForm(),
            "boundary_form": forms.get(AreaImport.BOUNDARIES) or BoundaryUploadForm(),
            "runs": RUNS.recent(request, area.code),
        },
        status=status,
    )


@_administrator
@require_GET
def import_export_page(request, code: str):
    area = selectors.managed_area_get_for(user=request.user, code=code)
    return _render_page(request, area)


@_administrator
@require_POST
def import_preview(request, code: str, kind: str):
    area = selectors.managed_area_get_for(user=request.user, code=code)
    if kind not in UPLOAD_FORMS:
        raise Http404
    form = UPLOAD_FORMS[kind](request.POST, request.FILES)
    if form.is_valid():
        previewed = RUNS.preview(request, form, code=area.code)
        if previewed is not None:
            return previewed
    return _render_page(request, area, forms={kind: form}, status=400)


@_administrator
@require_GET
def import_run(request, code: str, pk: int):
    return RUNS.show(request, code, pk, area=selectors.managed_area_get_for(user=request.user, code=code))


@_administrator
@require_POST
def import_confirm(request, code: str, pk: int):
    selectors.managed_area_get_for(user=request.user, code=code)
    return RUNS.confirm(request, code, pk)


@_administrator
@require_GET
def tree_template(request, code: str):
    selectors.managed_area_get_for(user=request.user, code=code)
    return attachment(services.tree_template(), "区划导入模板.xlsx", XLSX_CONTENT_TYPE)


@_administrator
@require_GET
def tree_export(request, code: str):
    area = selectors.managed_area_get_for(user=request.user, code=code)
    data = services.tree_export(actor=request.user, root_code=area.code, request=request)
    return attachment(data, f"{area.code}-区划.xlsx", XLSX_CONTENT_TYPE)


@_administrator
@require_GET
def boundaries_export(request, code: str):
    area = selectors.managed_area_get_for(user=request.user, code=code)
    collection = services.boundaries_export(actor=request.user, root_code=area.code, request=request)
    data = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
    return attachment(data, f"{area.code}-网格边界.geojson", "application/geo+json")
