"""Visits to households: record one, the visits due, a visit's photo."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots import clock, media
from grassroots.accounts.scoping import OutOfScope
from grassroots.pages import refusals_into

from .. import forms, rules, selectors, services
from .base import context, form_page, form_view, page, to_write

FROM_OUTBOX = "X-Grassroots-Outbox"  # sent from the phone's outbox (outbox.js), perhaps recorded offline


@form_view
def visit_new(request, pk: int):
    """Record a visit. The form also works without signal: it waits in the phone's outbox and is sent with its
    idempotency key (one visit however often it arrives); the outbox is answered in JSON."""
    household = to_write(request, selectors.household_get_for, pk)
    form = forms.VisitForm(
        request.POST or None, request.FILES or None, initial={"idempotency_key": uuid.uuid4().hex}
    )
    from_outbox = request.headers.get(FROM_OUTBOX) == "1"
    if request.method == "POST" and form.is_valid():
        with refusals_into(form):
            visit = services.visit_record(
                actor=request.user, household=household, request=request, **form.cleaned_data
            )
            if from_outbox:
                messages.success(request, _("Visit recorded."))
                return JsonResponse({"location": reverse("people:household", kwargs={"pk": household.pk})})
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
    if request.method == "POST" and from_outbox:
        text = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return JsonResponse({"code": "invalid", "message": text}, status=422)
    return form_page(
        request,
        form=form,
        title=_("Visit to %(household)s") % {"household": household.full_address},
        back=household,
        multipart=True,
        outbox=True,
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
