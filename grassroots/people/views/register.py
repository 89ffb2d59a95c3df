"""Where a worker starts, the search, an area's register and the duplicates to merge."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from grassroots.accounts.scoping import OutOfScope
from grassroots.areas.codes import Level
from grassroots.pages import refusals_into

from .. import forms, rules, selectors, services
from ..codes import KeyGroup
from .base import context, form_view, no_store, page


@login_required
def home(request):
    """Where a worker starts: search, their areas, visits due."""
    if not rules.can_use_register(request.user):
        raise OutOfScope
    roots = selectors.register_roots_for(user=request.user)
    due = selectors.visits_due_for(user=request.user)
    return render(
        request,
        "people/home.html",
        context(
            request,
            roots=roots,
            search_form=forms.SearchForm(),
            due_count=due.count(),
            can_import=any(rules.can_transfer(request.user, a.code) for a in roots),
        ),
    )


@form_view
def search(request):
    """Search by POST so that an ID or phone number never lands in a URL, an access log or the history."""
    if not rules.can_use_register(request.user):
        raise OutOfScope
    form = forms.SearchForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        with refusals_into(form):
            result = selectors.search_for(
                user=request.user, q=form.cleaned_data["q"], field=form.cleaned_data["field"] or "auto"
            )
        if result is not None and result.field in ("id_number", "phone"):
            # Never echo a full number back into the page.
            form = forms.SearchForm(initial={"field": result.field})
    return no_store(render(request, "people/search.html", context(request, form=form, result=result)))


@login_required
def area_register(request, code: str):
    """The register of a grid (or of a village, township … : its households, and its parts)."""
    area = selectors.require_register_area(user=request.user, code=code)
    households = page(request, selectors.household_list_for(user=request.user, area_code=code))
    counts = selectors.key_group_counts_for(user=request.user, area_code=code)
    return render(
        request,
        "people/area.html",
        context(
            request,
            area=area,
            is_grid=area.level == Level.GRID,
            children=selectors.child_areas_for(user=request.user, area=area)
            if area.level < Level.GRID
            else [],
            households=households,
            totals=selectors.register_totals_for(user=request.user, area_code=code),
            key_groups=[(KeyGroup(k).label, n) for k, n in sorted(counts.items(), key=lambda kv: -kv[1])],
            can_write=area.level == Level.GRID and rules.can_write_register(request.user, code),
            can_transfer=rules.can_transfer(request.user, code),
        ),
    )


@form_view
def duplicates(request):
    if not rules.can_use_register(request.user):
        raise OutOfScope
    form = forms.MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_into(request):
            kept = selectors.resident_get_for(user=request.user, pk=form.cleaned_data["kept"])
            merged = selectors.resident_get_for(user=request.user, pk=form.cleaned_data["merged"])
            services.resident_merge(
                actor=request.user,
                kept=kept,
                merged=merged,
                reason=form.cleaned_data["reason"],
                request=request,
            )
            messages.success(request, _("Merged; the audit log records it."))
            return redirect("people:duplicates")
    groups = selectors.duplicate_groups_for(user=request.user, area_code=request.GET.get("area") or None)
    return render(request, "people/duplicates.html", context(request, groups=groups, form=form))
