"""The register as a spreadsheet: import (with its record), the template, and the masked export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from grassroots.accounts.scoping import OutOfScope
from grassroots.downloads import attachment
from grassroots.pages import refusals_into

from .. import forms, rules, selectors
from ..services import transfer
from .base import context, form_view, no_store


@form_view
def import_page(request):
    if not rules.can_use_register(request.user):
        raise OutOfScope
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with refusals_into(form):
            record = transfer.register_import(
                actor=request.user,
                area_code=form.cleaned_data["area_code"],
                upload=form.cleaned_data["file"],
                request=request,
            )
            return redirect("people:import_detail", pk=record.pk)
    imports = selectors.import_list_for(user=request.user)[:20]
    return render(
        request,
        "people/import.html",
        context(request, form=form, imports=imports),
        status=400 if form.errors else 200,
    )


@login_required
def import_detail(request, pk: int):
    record = selectors.import_get_for(user=request.user, pk=pk)
    return render(request, "people/import_detail.html", context(request, record=record))


@login_required
def import_template(request):
    if not rules.can_use_register(request.user):
        raise OutOfScope
    return attachment(transfer.template_bytes(), "register-template.xlsx", transfer.XLSX)


@login_required
@never_cache
def export(request, code: str):
    """The register of an area as a spreadsheet: masked, marked with who exported it, logged."""
    selectors.require_register_area(user=request.user, code=code)
    path = transfer.register_export(actor=request.user, area_code=code, request=request)
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it after sending
    response = FileResponse(
        handle, content_type=transfer.XLSX, as_attachment=True, filename=f"register-{code}.xlsx"
    )
    path.unlink(missing_ok=True)  # the open handle keeps the data until the response is sent
    return no_store(response)
