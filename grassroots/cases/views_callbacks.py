"""The callback survey pages (回访): the desk's list of closed cases whose reporter is to be called, one call
recorded at a time, and the reporter's phone shown whole through the audited reveal.

Who is on the list is ``callback_list.due`` (through ``selectors.callback_list_for``, scoped); who may call is
the transition table's ``callback`` row (the desk, never whoever handled the case). Views parse, check, call
``services.callbacks`` or a selector, render; a refusal goes through ``grassroots.pages.refusals_into``.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots.pages import refusals_into
from grassroots.paging import page_of

from . import rules, selectors
from .forms import CallbackForm, CallbackRevealForm
from .services import callbacks as callback_services


def _desk_or_404(user) -> None:
    if not rules.can_call_back(user):
        raise Http404


def _key() -> str:
    return uuid.uuid4().hex


def _no_store(response):
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    return response


@login_required
def callback_list(request):
    """The closed cases of the user's desk whose reporter is to be called back, oldest closure first, each
    with this round's calls, the masked phone and the form to record the next call."""
    _desk_or_404(request.user)
    page = page_of(request, selectors.callback_list_for(user=request.user), selectors.CALLBACK_PAGE_SIZE)
    rows = selectors.callback_rows_for(user=request.user, cases=page.object_list)
    return render(
        request,
        "cases/callbacks.html",
        {
            "page": page,
            "rows": rows,
            "form": CallbackForm(),
            "key": _key(),
            "reveal_form": CallbackRevealForm(),
        },
    )


@login_required
@require_POST
def callback_record(request, pk: int):
    """Record one call (the service checks the table, the guard and the version)."""
    _desk_or_404(request.user)
    case = selectors.case_get_for(user=request.user, pk=pk)
    form = CallbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("cases:callbacks")
    d = form.cleaned_data
    with refusals_into(request) as outcome:
        updated = callback_services.callback_record(
            actor=request.user,
            case=case,
            expected_version=d["expected_version"],
            reached=d["reached"],
            rating=d["rating"],
            really_solved=d["really_solved"],
            note=d["note"],
            reopen_if_unsolved=d["reopen_if_unsolved"],
            idempotency_key=d["idempotency_key"],
        )
    if not outcome.refused:
        if d["reached"]:
            messages.success(
                request,
                _("Callback of %(ref)s recorded with the reporter's rating.") % {"ref": case.reference},
            )
        else:
            messages.success(
                request,
                _("Call %(n)d to the reporter of %(ref)s recorded: not reached.")
                % {"n": len([c for c in selectors.callback_calls_of(updated) if c.round == updated.round]),
                   "ref": case.reference},
            )  # fmt: skip
    return redirect("cases:callbacks")


@login_required
@require_POST
def callback_reveal(request, pk: int):
    """The reporter's phone, whole, to dial it: with a reason, recorded in the audit log."""
    _desk_or_404(request.user)
    case = selectors.callback_get_for(user=request.user, pk=pk)
    form = CallbackRevealForm(request.POST)
    phone = None
    if form.is_valid():
        with refusals_into(form):
            phone = callback_services.callback_phone_reveal(
                actor=request.user, case=case, reason=form.cleaned_data["reason"], request=request
            )
    response = render(
        request,
        "cases/callback_reveal.html",
        {"case": case, "form": form, "revealed": phone},
        status=200 if phone is not None else 400,
    )
    return _no_store(response)
