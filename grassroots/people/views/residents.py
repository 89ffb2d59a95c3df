"""A resident: add, read, edit, move to another household, and the key-group labels."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots.accounts.scoping import OutOfScope
from grassroots.pages import refusals_into

from .. import extensions, forms, rules, selectors, services
from ..codes import KEY_GROUP_ZH
from .base import SECRET_FIELDS, context, fields, form_page, form_view, masked_initial, restored, to_write


@form_view
def resident_new(request, pk: int):
    household = to_write(request, selectors.household_get_for, pk)
    form = forms.ResidentForm(
        request.POST or None, initial={"relation": "other", "political_status": "masses", "status": "present"}
    )
    if request.method == "POST" and form.is_valid():
        with refusals_into(form):
            resident = services.resident_create(
                actor=request.user, household=household, request=request, **fields(form)
            )
            messages.success(request, _("%(name)s added to the household.") % {"name": resident.name})
            return redirect("people:resident", pk=resident.pk)
    return form_page(
        request,
        form=form,
        title=_("New member of %(household)s") % {"household": household.full_address},
        back=household,
    )


@login_required
def resident_detail(request, pk: int):
    resident = selectors.resident_get_for(user=request.user, pk=pk)
    code = resident.area_code
    can_write = rules.can_write_register(request.user, code)
    return render(
        request,
        "people/resident.html",
        context(
            request,
            resident=resident,
            labels=selectors.resident_labels(resident),
            visits=selectors.resident_visits(resident),
            services=selectors.resident_services(resident),
            moves=selectors.resident_moves(resident),
            panels=extensions.panels_for(extensions.resident_panels, request=request, resident=resident),
            can_write=can_write and resident.status != "merged",
            can_reveal=rules.can_reveal(request.user, code)
            and bool(resident.id_masked or resident.phone_masked),
            reveal_form=forms.RevealForm(initial={"fields": ["id_number", "phone"]}),
            label_form=forms.LabelForm(),
            key_group_zh=KEY_GROUP_ZH,
        ),
    )


@form_view
def resident_edit(request, pk: int):
    resident = to_write(request, selectors.resident_get_for, pk)
    initial = masked_initial(
        resident,
        ("name", "sex", "relation", "ethnicity", "political_status", "occupation", "status", "notes"),
    )
    form = forms.ResidentForm(request.POST or None, initial=initial)
    form.fields["id_number"].widget.attrs["placeholder"] = resident.id_masked
    form.fields["phone"].widget.attrs["placeholder"] = resident.phone_masked
    if resident.birth_date:
        form.fields["birth_date"].help_text = _(
            "Recorded: born in %(year)s. Leave empty to keep it; only when there is no ID number."
        ) % {"year": resident.birth_date.year}
    if request.method == "POST" and form.is_valid():
        with refusals_into(form):
            services.resident_update(
                actor=request.user,
                resident=resident,
                request=request,
                **restored(
                    fields(form, secret=(*SECRET_FIELDS, "birth_date"), keep_blank_secret=True), resident
                ),
            )
            messages.success(request, _("Saved."))
            return redirect("people:resident", pk=resident.pk)
    return form_page(request, form=form, title=resident.name, back=resident)


@form_view
def resident_move(request, pk: int):
    resident = to_write(request, selectors.resident_get_for, pk)
    form = forms.MoveResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_into(form):
            try:
                target = selectors.household_get_for(user=request.user, pk=form.cleaned_data["to_household"])
                services.resident_move(
                    actor=request.user,
                    resident=resident,
                    to_household=target,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except OutOfScope:
                form.add_error("to_household", _("There is no such household in your area."))
            else:
                messages.success(request, _("Moved; the history keeps the old household."))
                return redirect("people:resident", pk=resident.pk)
    return form_page(
        request,
        form=form,
        title=_("Move %(name)s to another household") % {"name": resident.name},
        back=resident,
    )


@login_required
@require_POST
def label_set(request, pk: int):
    resident = to_write(request, selectors.resident_get_for, pk)
    form = forms.LabelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a key group and an attention level."))
        return redirect("people:resident", pk=resident.pk)
    with refusals_into(request):
        services.label_set(actor=request.user, resident=resident, request=request, **form.cleaned_data)
        messages.success(request, _("Label saved; the visit schedule follows it."))
    return redirect("people:resident", pk=resident.pk)


@login_required
@require_POST
def label_remove(request, pk: int, kind: str):
    resident = to_write(request, selectors.resident_get_for, pk)
    with refusals_into(request):
        services.label_remove(actor=request.user, resident=resident, kind=kind, request=request)
    return redirect("people:resident", pk=resident.pk)
