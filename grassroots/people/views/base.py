"""What every page of the register shares: the record to change, the context, the form page, paging, no-store
answers, and the edit forms' handling of secret fields and masked free text."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from grassroots.accounts.rules import require
from grassroots.masking import mask_numbers_in_text, restore_masked
from grassroots.paging import page_of

from .. import rules

PAGE_SIZE = 50

SECRET_FIELDS = ("phone", "id_number", "contact_phone")

# The free text of the register is shown masked everywhere (``|masked``), its edit forms included: the form
# is filled with the text as the record's page shows it, and each masked number sent back as shown keeps the
# stored digits (``masking.restore_masked``), as a blank ID or phone number keeps the stored one. The date of
# birth, shown as its year, is not filled in at all.
MASKED_ON_EDIT = ("address", "occupation", "contact_name", "notes")


def page(request, queryset, size=PAGE_SIZE):
    return page_of(request, queryset, size)


def form_view(view):
    """A page with a form, for logged-in users: read with GET, sent with POST."""
    return login_required(require_http_methods(["GET", "POST"])(view))


def to_write(request, get_for, pk: int):
    """The register's record ``get_for`` reads (a household, a resident) for a page that changes it: 404
    outside the user's scope, 403 inside it without the right to write the register."""
    record = get_for(user=request.user, pk=pk)
    require(request.user, rules.can_write_register, record.area_code)
    return record


def fields(form, *, secret=SECRET_FIELDS, keep_blank_secret=False) -> dict:
    """Cleaned data for a service call; blank secret fields mean "keep" on an edit form."""
    data = dict(form.cleaned_data)
    for name in secret:
        if keep_blank_secret and name in data and not data[name]:
            del data[name]
    return data


def masked_initial(obj, names) -> dict:
    return {
        f: mask_numbers_in_text(getattr(obj, f)) if f in MASKED_ON_EDIT else getattr(obj, f) for f in names
    }


def restored(data: dict, obj) -> dict:
    """``data`` with the masked numbers of the free text put back as stored."""
    for name in MASKED_ON_EDIT:
        if isinstance(data.get(name), str):
            data[name] = restore_masked(data[name], getattr(obj, name))
    return data


def no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    return response


def context(request, **extra):
    return {"can_use_register": rules.can_use_register(request.user), **extra}


def form_page(request, form, **extra) -> HttpResponse:
    """The shared form page; 400 when the form was sent with errors, so that clients and tests can tell."""
    return render(
        request, "people/form.html", context(request, form=form, **extra), status=400 if form.errors else 200
    )
