"""The 12345 hotline pages of a desk (docs/integrations.md, "12345 hotline").

An area's page: download the empty sheet under the city's headers → upload the hotline's daily sheet → the
check (row-level errors, or what each row becomes: a new case, unchanged, changed and not applied) → confirm;
and the outcome export by period. The city's sheet layout has its own page. The import's two steps are the
imports app's (``imports.ImportRun``, ``imports.views.RunPages``). Outside the user's scope every URL answers
404; inside it without a desk role, 403.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.accounts.rules import require
from grassroots.accounts.scoping import scope_codes
from grassroots.areas import selectors as area_selectors
from grassroots.downloads import attachment
from grassroots.errors import NotPermitted
from grassroots.imports.views import RunPages
from grassroots.pages import refusals_into
from grassroots.sheets import XLSX_CONTENT_TYPE

from . import rules, selectors, workflow
from .forms import HotlineLayoutForm, HotlinePeriodForm, HotlineUploadForm
from .selectors import hotline as hotline_selectors
from .services import hotline as hotline_services

OUTCOME_LABELS = {
    "created": gettext_lazy("new case"),
    "unchanged": gettext_lazy("taken in before: unchanged"),
    "changed": gettext_lazy("taken in before with other content: not applied"),
}
FIELD_LABELS = hotline_services.FIELD_LABELS | {"other": gettext_lazy("other fields")}


def _imported_message(report: dict) -> str:
    return _(
        "Imported: %(created)d new cases, %(unchanged)d orders taken in before, %(changed)d changed orders "
        "not applied."
    ) % {"created": report["created"], "unchanged": report["unchanged"], "changed": report["changed"]}


RUNS = RunPages(  # the daily sheets uploaded on this page, kept as imports.ImportRun
    kinds=(hotline_services.IMPORT_KIND,),
    run_url="cases:hotline_run",
    confirm_url="cases:hotline_confirm",
    template="cases/hotline_run.html",
    imported=_imported_message,
    changed=gettext_lazy("The work orders changed since the check; nothing was imported. See the errors."),
    row=lambda r: {
        "outcome_label": OUTCOME_LABELS.get(r.get("outcome"), r.get("outcome")),
        "changed_labels": [FIELD_LABELS.get(f, f) for f in r.get("changed_fields", [])],
    },
    texts={
        "heading": gettext_lazy("Hotline sheet import"),
        "back": gettext_lazy("back to the hotline page"),
        "page_url": "cases:hotline",
        "prefix": "hotline",
    },
)


def _desk(view):
    """Login required; the area must be one whose desk the user sits at (404 outside the scope, 403 inside
    it without a desk role)."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, code: str, *args, **kwargs):
        try:
            require(request.user, rules.can_import_hotline, code)
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from None
        return view(request, code, *args, **kwargs)

    return wrapped


@login_required
@require_GET
def hotline_home(request):
    """The header's link: the page of the user's first desk area, else the layout of their city."""
    start = rules.hotline_start(request.user)
    if start is None:
        raise Http404
    kind, code = start
    if kind == "desk":
        return redirect("cases:hotline", code=code)
    return redirect("cases:hotline_layout", city_code=code)  # an administrator of the city: its layout


def _page(request, code: str, *, form=None, period=None, status: int = 200):
    area = area_selectors.area_get_for(user=request.user, code=code)
    city_code = hotline_services.city_of(code)
    return render(
        request,
        "cases/hotline.html",
        {
            "area": area,
            "form": form or HotlineUploadForm(),
            "period": period or HotlinePeriodForm(),
            "runs": RUNS.recent(request, code),
            "max_mb": hotline_services.hotline_max_bytes() / 1024 / 1024,
            "columns": hotline_services.columns_for(hotline_services.layout_for(city_code)),
            "city_code": city_code,
            "may_set_layout": rules.can_set_hotline_layout(request.user, city_code),
        },
        status=status,
    )


@_desk
@require_http_methods(["GET", "POST"])
def hotline(request, code: str):
    form = HotlineUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        previewed = RUNS.preview(request, form, code=code)
        if previewed is not None:
            return previewed
    return _page(request, code, form=form, status=400 if form.errors else 200)


@_desk
@require_GET
def hotline_run(request, code: str, pk: int):
    return RUNS.show(request, code, pk, area=area_selectors.area_get_for(user=request.user, code=code))


@_desk
@require_POST
def hotline_confirm(request, code: str, pk: int):
    return RUNS.confirm(request, code, pk)


@_desk
@require_GET
def hotline_template(request, code: str):
    data = hotline_services.sheet_template(city_code=hotline_services.city_of(code))
    return attachment(data, "12345工单模板.xlsx", XLSX_CONTENT_TYPE)


@_desk
@require_GET
def hotline_export(request, code: str):
    """The outcomes of the area's work orders in the period, as Excel (the form's errors on the page)."""
    period = HotlinePeriodForm(request.GET)
    if period.is_valid():
        with refusals_into(period):
            data = hotline_selectors.outcome_workbook(
                user=request.user,
                start=period.cleaned_data["start"],
                end=period.cleaned_data["end"],
                by=period.cleaned_data["by"],
                area=code,
            )
            name = f"{code}-12345办理结果-{period.cleaned_data['start']:%Y%m%d}-{period.cleaned_data['end']:%Y%m%d}.xlsx"
            return attachment(data, name, XLSX_CONTENT_TYPE)
    return _page(request, code, period=period, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def hotline_layout(request, city_code: str):
    """How the city's hotline sheet reads: whoever sits at a desk in the city reads it; staff whose grant
    covers the city change it."""
    may_set = rules.can_set_hotline_layout(request.user, city_code)
    desks = scope_codes(request.user, roles=workflow.DESK)
    if not may_set and not any(code.startswith(city_code) for code in desks):
        raise Http404
    layout = hotline_services.layout_for(city_code)
    initial = {
        "category_words": "\n".join(f"{w} = {c}" for w, c in (layout.category_words or {}).items()),
        "default_category": layout.default_category,
        "crs": layout.crs,
        **{f"column_{c.key}": c.zh for c in hotline_services.columns_for(layout)},
    }
    form = HotlineLayoutForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        fields=hotline_services.FIELDS,
        labels=hotline_services.FIELD_LABELS,
    )
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied(_("You may not do this here."))
        if form.is_valid():
            with refusals_into(form):
                hotline_services.layout_save(
                    actor=request.user,
                    city_code=city_code,
                    columns=form.headers(),
                    category_words=form.cleaned_data["category_words"],
                    default_category=form.cleaned_data["default_category"],
                    crs=form.cleaned_data["crs"],
                    request=request,
                )
                messages.success(request, _("The layout of the city's hotline sheet is saved."))
                return redirect("cases:hotline_layout", city_code=city_code)
    return render(
        request,
        "cases/hotline_layout.html",
        {
            "city_code": city_code,
            "form": form,
            "header_fields": [form[name] for name in form.header_names],
            "may_set": may_set,
            "layout": layout,
            "categories": selectors.categories_for_choice(),
            "back": next((code for code in desks if code.startswith(city_code)), ""),
        },
        status=400 if form.errors else 200,
    )
