"""A household: add, read, edit, move to another grid."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from grassroots.accounts.rules import require
from grassroots.pages import refusals_into

from .. import extensions, forms, rules, selectors, services
from .base import context, fields, form_page, form_view, masked_initial, restored, to_write


@form_view
def household_new(request, code: str):
    area = selectors.require_register_area(user=request.user, code=code)
    require(request.user, rules.can_write_register, code)
    form = forms.HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_into(form):
            household = services.household_create(
                actor=request.user, grid_code=code, request=request, **fields(form)
            )
            messages.success(request, _("Household added."))
            return redirect("people:household", pk=household.pk)
    return form_page(request, form=form, title=_("New household in %(grid)s") % {"grid": area.name})


@login_required
def household_detail(request, pk: int):
    household = selectors.household_get_for(user=request.user, pk=pk)
    code = household.area_code
    return render(
        request,
        "people/household.html",
        context(
            request,
            household=household,
            members=selectors.household_members(household),
            visits=selectors.household_visits(household),
            moves=selectors.household_moves(household),
            panels=extensions.panels_for(extensions.household_panels, request=request, household=household),
            can_write=rules.can_write_register(request.user, code),
            can_reveal=rules.can_reveal(request.user, code) and bool(household.phone_masked),
            reveal_form=forms.RevealForm(initial={"fields": ["phone"]}),
        ),
    )


@form_view
def household_edit(request, pk: int):
    household = to_write(request, selectors.household_get_for, pk)
    initial = masked_initial(
        household,
        ("number", "address", "building", "unit", "room", "residence_type", "notes", "longitude", "latitude"),
    )
    initial["tags"] = ", ".join(household.tags)
    form = forms.HouseholdForm(request.POST or None, initial=initial)
    form.fields["phone"].widget.attrs["placeholder"] = household.phone_masked
    if request.method == "POST" and form.is_valid():
        with refusals_into(form):
            services.household_update(
                actor=request.user,
                household=household,
                request=request,
                **restored(fields(form, keep_blank_secret=True), household),
            )
            messages.success(request, _("Saved."))
            return redirect("people:household", pk=household.pk)
    return form_page(request, form=form, title=household.full_address, back=household)


@form_view
def household_move(request, pk: int):
    household = to_write(request, selectors.household_get_for, pk)
    form = forms.MoveHouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_into(form):
            services.household_move(
                actor=request.user, household=household, request=request, **form.cleaned_data
            )
            messages.success(request, _("The household moved; its history keeps the old grid."))
            return redirect("people:household", pk=household.pk)
    return form_page(
        request,
        form=form,
        title=_("Move %(household)s to another grid") % {"household": household.full_address},
        back=household,
    )
