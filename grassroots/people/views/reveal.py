"""Show a record's ID or phone number in full: only as the answer to a POST with a reason, audited by the
service, never cached."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots.accounts.rules import require
from grassroots.pages import refusals_into

from .. import forms, rules, selectors, services
from ..models import Household, Place
from .base import context, no_store


def _reveal(request, obj, back_url: str, title: str):
    require(request.user, rules.can_reveal, obj.area_code)
    form = forms.RevealForm(request.POST)
    if isinstance(obj, Household | Place):
        form.fields["fields"].choices = [("phone", _("phone"))]
    shown = None
    if form.is_valid():
        with refusals_into(form):
            shown = services.reveal(
                actor=request.user,
                obj=obj,
                fields=form.cleaned_data["fields"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
    response = render(
        request,
        "people/reveal.html",
        context(request, form=form, shown=shown, back_url=back_url, title=title),
        status=200 if shown is not None else 400,
    )
    return no_store(response)


@login_required
@require_POST
def resident_reveal(request, pk: int):
    resident = selectors.resident_get_for(user=request.user, pk=pk)
    return _reveal(request, resident, reverse("people:resident", args=[resident.pk]), resident.name)


@login_required
@require_POST
def household_reveal(request, pk: int):
    household = selectors.household_get_for(user=request.user, pk=pk)
    return _reveal(
        request, household, reverse("people:household", args=[household.pk]), household.full_address
    )


@login_required
@require_POST
def place_reveal(request, pk: int):
    place = selectors.place_get_for(user=request.user, pk=pk)
    return _reveal(request, place, reverse("people:place", args=[place.pk]), place.name)
