"""Places and organisations: the list, add, read, edit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from grassroots.accounts.rules import require
from grassroots.accounts.scoping import OutOfScope, scope_codes
from grassroots.pages import refusals_into

from .. import forms, rules, selectors, services
from ..codes import PlaceKind
from .base import context, fields, form_page, form_view, masked_initial, page, restored


@login_required
def place_list(request):
    if not rules.can_use_places(request.user):
        raise OutOfScope
    places = page(
        request,
        selectors.place_list_for(
            user=request.user, kind=request.GET.get("kind") or None, area_code=request.GET.get("area") or None
        ),
    )
    codes = scope_codes(request.user, roles=rules.PLACE_WRITE_ROLES)
    return render(
        request,
        "people/places.html",
        context(
            request,
            places=places,
            kinds=PlaceKind.choices,
            kind=request.GET.get("kind") or "",
            can_add=bool(codes) or request.user.is_superuser,
        ),
    )


@form_view
def place_new(request):
    form = forms.PlaceForm(request.POST or None, initial={"area_code": request.GET.get("area", "")})
    if request.method == "POST" and form.is_valid():
        with refusals_into(form):
            place = services.place_create(actor=request.user, request=request, **fields(form))
            return redirect("people:place", pk=place.pk)
    elif not scope_codes(request.user, roles=rules.PLACE_WRITE_ROLES) and not request.user.is_superuser:
        raise OutOfScope
    return form_page(request, form=form, title=_("New place or organisation"))


@login_required
def place_detail(request, pk: int):
    place = selectors.place_get_for(user=request.user, pk=pk)
    return render(
        request,
        "people/place.html",
        context(
            request,
            place=place,
            can_write=rules.can_write_places(request.user, place.area_code),
            can_reveal=rules.can_reveal(request.user, place.area_code) and bool(place.contact_phone_masked),
            reveal_form=forms.RevealForm(initial={"fields": ["phone"]}),
        ),
    )


@form_view
def place_edit(request, pk: int):
    place = selectors.place_get_for(user=request.user, pk=pk)
    require(request.user, rules.can_write_places, place.area_code)
    initial = masked_initial(
        place, ("kind", "name", "area_code", "address", "contact_name", "accepts_cases", "notes")
    )
    form = forms.PlaceForm(request.POST or None, initial=initial)
    form.fields["area_code"].disabled = True
    form.fields["contact_phone"].widget.attrs["placeholder"] = place.contact_phone_masked
    if request.method == "POST" and form.is_valid():
        data = restored(fields(form, keep_blank_secret=True), place)
        data.pop("area_code", None)
        with refusals_into(form):
            services.place_update(actor=request.user, place=place, request=request, **data)
            return redirect("people:place", pk=place.pk)
    return form_page(request, form=form, title=place.name, back=place)
