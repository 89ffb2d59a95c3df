"""Proxy services (代办): the list, a new request for a resident, and one request with its actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from grassroots.accounts.rules import require
from grassroots.accounts.scoping import OutOfScope
from grassroots.pages import refusals_into

from .. import forms, rules, selectors, services
from ..models import ServiceStatus
from .base import context, form_page, form_view, page, to_write


@login_required
def service_list(request):
    if not rules.can_use_register(request.user):
        raise OutOfScope
    status = request.GET.get("status") or None
    services_page = page(request, selectors.service_list_for(user=request.user, status=status))
    return render(
        request,
        "people/services.html",
        context(request, services=services_page, status=status, statuses=ServiceStatus.choices),
    )


@form_view
def service_new(request, pk: int):
    resident = to_write(request, selectors.resident_get_for, pk)
    form = forms.ServiceRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_into(form):
            service = services.service_request(
                actor=request.user, resident=resident, request=request, **form.cleaned_data
            )
            return redirect("people:service", pk=service.pk)
    return form_page(
        request, form=form, title=_("Proxy service for %(name)s") % {"name": resident.name}, back=resident
    )


@form_view
def service_detail(request, pk: int):
    service = selectors.service_get_for(user=request.user, pk=pk)
    can_write = rules.can_write_register(request.user, service.area_code)
    form = forms.ServiceActionForm(request.POST or None, initial={"version": service.version})
    if request.method == "POST":
        require(request.user, rules.can_write_register, service.area_code)
        if form.is_valid():
            with refusals_into(request):
                services.service_act(
                    actor=request.user, service=service, request=request, **form.cleaned_data
                )
            return redirect("people:service", pk=service.pk)
    return render(
        request,
        "people/service.html",
        context(
            request,
            service=service,
            steps=list(service.steps.all()),
            actions=services.service_actions_for(service) if can_write else [],
            form=form,
        ),
    )
