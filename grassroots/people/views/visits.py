"""Visits to households: record one, the visits due, a visit's photo."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from grassroots import clock, media
from grassroots.accounts.scoping import OutOfScope
from grassroots.pages import refusals_into

from .. import forms, rules, selectors, services
from .base import context, form_page, form_view, page, to_write


@form_view
def visit_new(request, pk: int):
    household = to_write(request, selectors.household_get_for, pk)
    form = forms.VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with refusals_into(form):
            visit = services.visit_record(
                actor=request.user, household=household, request=request, **form.cleaned_data
            )
            if visit.need and form.cleaned_data["open_case"] and not visit.case_reference:
                messages.warning(
                    request,
                    _(
                        "The visit and its need are recorded. Cases are not available yet, so the need waits here."
                    ),
                )
            else:
                messages.success(request, _("Visit recorded."))
            return redirect("people:household", pk=household.pk)
    return form_page(
        request,
        form=form,
        title=_("Visit to %(household)s") % {"household": household.full_address},
        back=household,
        multipart=True,
    )


@login_required
def visits_due(request):
    """My visits due: key-group households whose visit is due within a week or overdue."""
    if not rules.can_use_register(request.user):
        raise OutOfScope
    households = page(request, selectors.visits_due_for(user=request.user))
    return render(
        request, "people/visits_due.html", context(request, households=households, today=clock.today())
    )


@login_required
def visit_photo(request, pk: int):
    """A visit photo, served only inside scope (photos of homes are not public media)."""
    photo = selectors.visit_photo_get_for(user=request.user, pk=pk)
    return media.file_response(photo.image.name)
