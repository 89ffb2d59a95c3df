"""Pages of the register. Thin: parse, check the permission, call a selector or a service, render.

Nothing here renders a decrypted ID or phone number except the "show in full" page, which exists only as
the answer to a POST with a reason and is never cached.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from grassroots import media
from grassroots.accounts.rules import require
from grassroots.accounts.scoping import OutOfScope, scope_codes
from grassroots.areas.codes import Level
from grassroots.areas.models import Area
from grassroots.downloads import attachment
from grassroots.errors import DomainError
from grassroots.masking import mask_numbers_in_text, restore_masked
from grassroots.paging import page_of

from . import extensions, forms, rules, selectors, services
from .codes import KEY_GROUP_ZH, KeyGroup
from .models import Household, Place, Resident
from .services import transfer

PAGE_SIZE = 50


def login_required(view):
    """Log in first; a domain refusal that escapes a view becomes a 403 (not permitted) or a 400 page."""
    import functools

    from django.contrib.auth.decorators import login_required as _login_required
    from django.core.exceptions import PermissionDenied

    from grassroots.errors import NotPermitted

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotPermitted as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return render(request, "people/refused.html", {"message": exc.message}, status=exc.status)

    return _login_required(wrapper)


def _page(request, queryset, size=PAGE_SIZE):
    return page_of(request, queryset, size)


SECRET_FIELDS = ("phone", "id_number", "contact_phone")


def _fields(form, *, secret=SECRET_FIELDS, keep_blank_secret=False) -> dict:
    """Cleaned data for a service call; blank secret fields mean "keep" on an edit form."""
    data = dict(form.cleaned_data)
    for name in secret:
        if keep_blank_secret and name in data and not data[name]:
            del data[name]
    return data


# The free text of the register is shown masked everywhere (``|masked``), its edit forms included: the form
# is filled with the text as the record's page shows it, and each masked number sent back as shown keeps the
# stored digits (``masking.restore_masked``), as a blank ID or phone number keeps the stored one. The date of
# birth, shown as its year, is not filled in at all.
MASKED_ON_EDIT = ("address", "occupation", "contact_name", "notes")


def _masked_initial(obj, names) -> dict:
    return {
        f: mask_numbers_in_text(getattr(obj, f)) if f in MASKED_ON_EDIT else getattr(obj, f) for f in names
    }


def _restored(data: dict, obj) -> dict:
    """``data`` with the masked numbers of the free text put back as stored."""
    for name in MASKED_ON_EDIT:
        if isinstance(data.get(name), str):
            data[name] = restore_masked(data[name], getattr(obj, name))
    return data


def _fail(form, exc: DomainError) -> None:
    form.add_error(None, str(exc.message))


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    return response


def _ctx(request, **extra):
    return {"can_use_register": rules.can_use_register(request.user), **extra}


def _form_page(request, form, **extra) -> HttpResponse:
    """The shared form page; 400 when the form was sent with errors, so that clients and tests can tell."""
    return render(
        request, "people/form.html", _ctx(request, form=form, **extra), status=400 if form.errors else 200
    )


# --- home, search, area register ----------------------------------------------------------------------------


@login_required
def home(request):
    """Where a worker starts: search, their areas, visits due."""
    if not rules.can_use_register(request.user):
        raise OutOfScope
    codes = (
        scope_codes(request.user, roles=rules.REGISTER_READ_ROLES) if not request.user.is_superuser else []
    )
    roots = list(Area.objects.filter(code__in=codes).order_by("code")) if codes else []
    if request.user.is_superuser and not roots:
        roots = list(Area.objects.current().filter(parent__isnull=True))
    due = selectors.visits_due_for(user=request.user)
    return render(
        request,
        "people/home.html",
        _ctx(
            request,
            roots=roots,
            search_form=forms.SearchForm(),
            due_count=due.count(),
            can_import=any(rules.can_transfer(request.user, a.code) for a in roots),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def search(request):
    """Search by POST so that an ID or phone number never lands in a URL, an access log or the history."""
    if not rules.can_use_register(request.user):
        raise OutOfScope
    form = forms.SearchForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = selectors.search_for(
                user=request.user, q=form.cleaned_data["q"], field=form.cleaned_data["field"] or "auto"
            )
        except DomainError as exc:
            _fail(form, exc)
        if result is not None and result.field in ("id_number", "phone"):
            # Never echo a full number back into the page.
            form = forms.SearchForm(initial={"field": result.field})
    return _no_store(render(request, "people/search.html", _ctx(request, form=form, result=result)))


@login_required
def area_register(request, code: str):
    """The register of a grid (or of a village, township … : its households, and its parts)."""
    area = selectors.require_register_area(user=request.user, code=code)
    households = _page(request, selectors.household_list_for(user=request.user, area_code=code))
    counts = selectors.key_group_counts_for(user=request.user, area_code=code)
    return render(
        request,
        "people/area.html",
        _ctx(
            request,
            area=area,
            is_grid=area.level == Level.GRID,
            children=selectors.child_areas_for(user=request.user, area=area)
            if area.level < Level.GRID
            else [],
            households=households,
            totals=selectors.register_totals_for(user=request.user, area_code=code),
            key_groups=[(KeyGroup(k).label, n) for k, n in sorted(counts.items(), key=lambda kv: -kv[1])],
            can_write=area.level == Level.GRID and rules.can_write_register(request.user, code),
            can_transfer=rules.can_transfer(request.user, code),
        ),
    )


# --- households ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def household_new(request, code: str):
    area = selectors.require_register_area(user=request.user, code=code)
    require(request.user, rules.can_write_register, code)
    form = forms.HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(
                actor=request.user, grid_code=code, request=request, **_fields(form)
            )
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("Household added."))
            return redirect("people:household", pk=household.pk)
    return _form_page(request, form=form, title=_("New household in %(grid)s") % {"grid": area.name})


@login_required
def household_detail(request, pk: int):
    household = selectors.household_get_for(user=request.user, pk=pk)
    code = household.area_code
    return render(
        request,
        "people/household.html",
        _ctx(
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


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, pk: int):
    household = selectors.household_get_for(user=request.user, pk=pk)
    require(request.user, rules.can_write_register, household.area_code)
    initial = _masked_initial(
        household,
        ("number", "address", "building", "unit", "room", "residence_type", "notes", "longitude", "latitude"),
    )
    initial["tags"] = ", ".join(household.tags)
    form = forms.HouseholdForm(request.POST or None, initial=initial)
    form.fields["phone"].widget.attrs["placeholder"] = household.phone_masked
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(
                actor=request.user,
                household=household,
                request=request,
                **_restored(_fields(form, keep_blank_secret=True), household),
            )
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("people:household", pk=household.pk)
    return _form_page(request, form=form, title=household.full_address, back=household)


@login_required
@require_http_methods(["GET", "POST"])
def household_move(request, pk: int):
    household = selectors.household_get_for(user=request.user, pk=pk)
    require(request.user, rules.can_write_register, household.area_code)
    form = forms.MoveHouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_move(
                actor=request.user, household=household, request=request, **form.cleaned_data
            )
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("The household moved; its history keeps the old grid."))
            return redirect("people:household", pk=household.pk)
    return _form_page(
        request,
        form=form,
        title=_("Move %(household)s to another grid") % {"household": household.full_address},
        back=household,
    )


# --- residents ----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def resident_new(request, pk: int):
    household = selectors.household_get_for(user=request.user, pk=pk)
    require(request.user, rules.can_write_register, household.area_code)
    form = forms.ResidentForm(
        request.POST or None, initial={"relation": "other", "political_status": "masses", "status": "present"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_create(
                actor=request.user, household=household, request=request, **_fields(form)
            )
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("%(name)s added to the household.") % {"name": resident.name})
            return redirect("people:resident", pk=resident.pk)
    return _form_page(
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
        _ctx(
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


@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request, pk: int):
    resident = selectors.resident_get_for(user=request.user, pk=pk)
    require(request.user, rules.can_write_register, resident.area_code)
    initial = _masked_initial(
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
        try:
            services.resident_update(
                actor=request.user,
                resident=resident,
                request=request,
                **_restored(
                    _fields(form, secret=(*SECRET_FIELDS, "birth_date"), keep_blank_secret=True), resident
                ),
            )
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("people:resident", pk=resident.pk)
    return _form_page(request, form=form, title=resident.name, back=resident)


@login_required
@require_http_methods(["GET", "POST"])
def resident_move(request, pk: int):
    resident = selectors.resident_get_for(user=request.user, pk=pk)
    require(request.user, rules.can_write_register, resident.area_code)
    form = forms.MoveResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
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
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("Moved; the history keeps the old household."))
            return redirect("people:resident", pk=resident.pk)
    return _form_page(
        request,
        form=form,
        title=_("Move %(name)s to another household") % {"name": resident.name},
        back=resident,
    )


@login_required
@require_POST
def label_set(request, pk: int):
    resident = selectors.resident_get_for(user=request.user, pk=pk)
    require(request.user, rules.can_write_register, resident.area_code)
    form = forms.LabelForm(request.POST)
    if form.is_valid():
        try:
            services.label_set(actor=request.user, resident=resident, request=request, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Label saved; the visit schedule follows it."))
    else:
        messages.error(request, _("Choose a key group and an attention level."))
    return redirect("people:resident", pk=resident.pk)


@login_required
@require_POST
def label_remove(request, pk: int, kind: str):
    resident = selectors.resident_get_for(user=request.user, pk=pk)
    require(request.user, rules.can_write_register, resident.area_code)
    try:
        services.label_remove(actor=request.user, resident=resident, kind=kind, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("people:resident", pk=resident.pk)


# --- show in full -------------------------------------------------------------------------------------------


def _reveal(request, obj, back_url: str, title: str):
    require(request.user, rules.can_reveal, obj.area_code)
    form = forms.RevealForm(request.POST)
    if isinstance(obj, Household | Place):
        form.fields["fields"].choices = [("phone", _("phone"))]
    shown = None
    if form.is_valid():
        try:
            shown = services.reveal(
                actor=request.user,
                obj=obj,
                fields=form.cleaned_data["fields"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except DomainError as exc:
            _fail(form, exc)
    response = render(
        request,
        "people/reveal.html",
        _ctx(request, form=form, shown=shown, back_url=back_url, title=title),
        status=200 if shown is not None else 400,
    )
    return _no_store(response)


@login_required
@require_POST
def resident_reveal(request, pk: int):
    resident = selectors.resident_get_for(user=request.user, pk=pk)
    return _reveal(request, resident, resident_url(resident), resident.name)


@login_required
@require_POST
def household_reveal(request, pk: int):
    household = selectors.household_get_for(user=request.user, pk=pk)
    return _reveal(request, household, household_url(household), household.full_address)


@login_required
@require_POST
def place_reveal(request, pk: int):
    place = selectors.place_get_for(user=request.user, pk=pk)
    return _reveal(request, place, place_url(place), place.name)


def resident_url(r: Resident) -> str:
    from django.urls import reverse

    return reverse("people:resident", args=[r.pk])


def household_url(h: Household) -> str:
    from django.urls import reverse

    return reverse("people:household", args=[h.pk])


def place_url(p: Place) -> str:
    from django.urls import reverse

    return reverse("people:place", args=[p.pk])


# --- duplicates ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def duplicates(request):
    if not rules.can_use_register(request.user):
        raise OutOfScope
    form = forms.MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kept = selectors.resident_get_for(user=request.user, pk=form.cleaned_data["kept"])
            merged = selectors.resident_get_for(user=request.user, pk=form.cleaned_data["merged"])
            services.resident_merge(
                actor=request.user,
                kept=kept,
                merged=merged,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Merged; the audit log records it."))
            return redirect("people:duplicates")
    groups = selectors.duplicate_groups_for(user=request.user, area_code=request.GET.get("area") or None)
    return render(request, "people/duplicates.html", _ctx(request, groups=groups, form=form))


# --- visits -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request, pk: int):
    household = selectors.household_get_for(user=request.user, pk=pk)
    require(request.user, rules.can_write_register, household.area_code)
    form = forms.VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_record(
                actor=request.user, household=household, request=request, **form.cleaned_data
            )
        except DomainError as exc:
            _fail(form, exc)
        else:
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
    return _form_page(
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
    from grassroots import clock

    households = _page(request, selectors.visits_due_for(user=request.user))
    return render(
        request, "people/visits_due.html", _ctx(request, households=households, today=clock.today())
    )


@login_required
def visit_photo(request, pk: int):
    """A visit photo, served only inside scope (photos of homes are not public media)."""
    from .models import VisitPhoto

    photo = VisitPhoto.objects.select_related("visit").filter(pk=pk).first()
    if photo is None:
        raise OutOfScope
    selectors.visit_get_for(user=request.user, pk=photo.visit_id)
    return media.file_response(photo.image.name)


# --- proxy services -----------------------------------------------------------------------------------------


@login_required
def service_list(request):
    if not rules.can_use_register(request.user):
        raise OutOfScope
    status = request.GET.get("status") or None
    page = _page(request, selectors.service_list_for(user=request.user, status=status))
    from .models import ServiceStatus

    return render(
        request,
        "people/services.html",
        _ctx(request, services=page, status=status, statuses=ServiceStatus.choices),
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_new(request, pk: int):
    resident = selectors.resident_get_for(user=request.user, pk=pk)
    require(request.user, rules.can_write_register, resident.area_code)
    form = forms.ServiceRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_request(
                actor=request.user, resident=resident, request=request, **form.cleaned_data
            )
        except DomainError as exc:
            _fail(form, exc)
        else:
            return redirect("people:service", pk=service.pk)
    return _form_page(
        request, form=form, title=_("Proxy service for %(name)s") % {"name": resident.name}, back=resident
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_detail(request, pk: int):
    service = selectors.service_get_for(user=request.user, pk=pk)
    can_write = rules.can_write_register(request.user, service.area_code)
    form = forms.ServiceActionForm(request.POST or None, initial={"version": service.version})
    if request.method == "POST":
        require(request.user, rules.can_write_register, service.area_code)
        if form.is_valid():
            try:
                services.service_act(
                    actor=request.user, service=service, request=request, **form.cleaned_data
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))
            return redirect("people:service", pk=service.pk)
    return render(
        request,
        "people/service.html",
        _ctx(
            request,
            service=service,
            steps=list(service.steps.all()),
            actions=services.service_actions_for(service) if can_write else [],
            form=form,
        ),
    )


# --- places -------------------------------------------------------------------------------------------------


@login_required
def place_list(request):
    if not rules.can_use_places(request.user):
        raise OutOfScope
    places = _page(
        request,
        selectors.place_list_for(
            user=request.user, kind=request.GET.get("kind") or None, area_code=request.GET.get("area") or None
        ),
    )
    from .codes import PlaceKind

    codes = scope_codes(request.user, roles=rules.PLACE_WRITE_ROLES)
    return render(
        request,
        "people/places.html",
        _ctx(
            request,
            places=places,
            kinds=PlaceKind.choices,
            kind=request.GET.get("kind") or "",
            can_add=bool(codes) or request.user.is_superuser,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def place_new(request):
    form = forms.PlaceForm(request.POST or None, initial={"area_code": request.GET.get("area", "")})
    if request.method == "POST" and form.is_valid():
        data = _fields(form)
        try:
            place = services.place_create(actor=request.user, request=request, **data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            return redirect("people:place", pk=place.pk)
    elif not scope_codes(request.user, roles=rules.PLACE_WRITE_ROLES) and not request.user.is_superuser:
        raise OutOfScope
    return _form_page(request, form=form, title=_("New place or organisation"))


@login_required
def place_detail(request, pk: int):
    place = selectors.place_get_for(user=request.user, pk=pk)
    return render(
        request,
        "people/place.html",
        _ctx(
            request,
            place=place,
            can_write=rules.can_write_places(request.user, place.area_code),
            can_reveal=rules.can_reveal(request.user, place.area_code) and bool(place.contact_phone_masked),
            reveal_form=forms.RevealForm(initial={"fields": ["phone"]}),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def place_edit(request, pk: int):
    place = selectors.place_get_for(user=request.user, pk=pk)
    require(request.user, rules.can_write_places, place.area_code)
    initial = _masked_initial(
        place, ("kind", "name", "area_code", "address", "contact_name", "accepts_cases", "notes")
    )
    form = forms.PlaceForm(request.POST or None, initial=initial)
    form.fields["area_code"].disabled = True
    form.fields["contact_phone"].widget.attrs["placeholder"] = place.contact_phone_masked
    if request.method == "POST" and form.is_valid():
        data = _restored(_fields(form, keep_blank_secret=True), place)
        data.pop("area_code", None)
        try:
            services.place_update(actor=request.user, place=place, request=request, **data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            return redirect("people:place", pk=place.pk)
    return _form_page(request, form=form, title=place.name, back=place)


# --- import and export --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    if not rules.can_use_register(request.user):
        raise OutOfScope
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = transfer.register_import(
                actor=request.user,
                area_code=form.cleaned_data["area_code"],
                upload=form.cleaned_data["file"],
                request=request,
            )
        except DomainError as exc:
            _fail(form, exc)
        else:
            return redirect("people:import_detail", pk=record.pk)
    imports = selectors.import_list_for(user=request.user)[:20]
    return render(
        request,
        "people/import.html",
        _ctx(request, form=form, imports=imports),
        status=400 if form.errors else 200,
    )


@login_required
def import_detail(request, pk: int):
    record = selectors.import_get_for(user=request.user, pk=pk)
    return render(request, "people/import_detail.html", _ctx(request, record=record))


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
    return _no_store(response)
