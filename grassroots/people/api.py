"""JSON API of the register (mounted at /api/v1/people): the same selectors, services and permissions as
the pages. Outside scope → 404; in scope without the role → 403; invalid input → 400 with a code.

Every list and object carries masks only (``id_masked``, ``phone_masked``); the ``/reveal`` operations are
the only answers with a full number, and each writes an audit record. Searches are POSTs so that a number
never appears in a URL or an access log.
"""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse, HttpResponse
from django.utils.translation import ngettext
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from grassroots.accounts.rules import require
from grassroots.downloads import attachment
from grassroots.masking import MaskedText, mask_numbers_in_text
from grassroots.paging import Paging

from . import rules, selectors, services
from .models import ImportStatus
from .services import transfer

router = Router(tags=["people"])


# --- schemas ------------------------------------------------------------------------------------------------


class LabelOut(Schema):
    kind: str
    attention: int
    note: MaskedText


class ResidentOut(Schema):
    id: int
    household_id: int | None
    area_code: str
    name: str
    name_pinyin: str
    id_masked: str
    birth_year: int | None
    sex: str
    relation: str
    ethnicity: str
    phone_masked: str
    political_status: str
    occupation: MaskedText
    status: str
    notes: MaskedText
    labels: list[LabelOut]
    is_synthetic: bool

    @staticmethod
    def resolve_birth_year(obj):
        return obj.birth_date.year if obj.birth_date else None

    @staticmethod
    def resolve_notes(obj):
        return mask_numbers_in_text(obj.notes)

    @staticmethod
    def resolve_labels(obj):
        return list(obj.labels.all())


class HouseholdOut(Schema):
    id: int
    area_code: str
    number: str
    address: MaskedText
    building: str
    unit: str
    room: str
    full_address: MaskedText
    head_id: int | None
    head_name: str
    phone_masked: str
    residence_type: str
    tags: list[str]
    notes: MaskedText
    longitude: float | None
    latitude: float | None
    visit_interval_days: int | None
    last_visited_on: dt.date | None
    next_visit_due: dt.date | None
    member_count: int | None = None
    key_group_count: int | None = None
    is_synthetic: bool

    @staticmethod
    def resolve_head_name(obj):
        return obj.head.name if obj.head_id and obj.head else ""

    @staticmethod
    def resolve_notes(obj):
        return mask_numbers_in_text(obj.notes)


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    next_offset: int | None


class ResidentPage(Schema):
    items: list[ResidentOut]
    next_offset: int | None


class HouseholdIn(Schema):
    grid_code: str
    address: str
    number: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""
    phone: str = ""
    residence_type: str = "registered"
    tags: list[str] = []
    notes: str = ""
    longitude: float | None = None
    latitude: float | None = None


class HouseholdPatch(Schema):
    address: str | None = None
    number: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    phone: str | None = None
    residence_type: str | None = None
    tags: list[str] | None = None
    notes: str | None = None
    longitude: float | None = None
    latitude: float | None = None


class ResidentIn(Schema):
    household_id: int
    name: str
    id_number: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    relation: str = "other"
    ethnicity: str = ""
    phone: str = ""
    political_status: str = "masses"
    occupation: str = ""
    notes: str = ""


class ResidentPatch(Schema):
    name: str | None = None
    id_number: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None
    relation: str | None = None
    ethnicity: str | None = None
    phone: str | None = None
    political_status: str | None = None
    occupation: str | None = None
    status: str | None = None
    notes: str | None = None


class MoveHouseholdIn(Schema):
    to_grid_code: str
    reason: str = ""


class MoveResidentIn(Schema):
    to_household_id: int
    reason: str = ""


class MoveOut(Schema):
    id: int
    from_code: str
    to_code: str
    reason: MaskedText


class RevealIn(Schema):
    fields: list[str] = Field(..., description="id_number and/or phone")
    reason: str = Field(..., description="Why the full value is needed; recorded in the audit log")


class LabelIn(Schema):
    attention: int
    note: str = ""
    since: dt.date | None = None


class SearchIn(Schema):
    q: str
    field: str = "auto"


class SearchOut(Schema):
    field: str
    message: MaskedText
    residents: list[ResidentOut]
    households: list[HouseholdOut]


class ResidentMergeIn(Schema):
    kept_id: int
    merged_id: int
    reason: str


class DuplicateGroupOut(Schema):
    name: str
    birth_year: int
    residents: list[ResidentOut]


class VisitPhotoOut(Schema):
    id: int


class VisitOut(Schema):
    id: int
    household_id: int
    area_code: str
    visited_on: dt.date
    visitor_name: str
    met_with: MaskedText
    found: MaskedText
    need: MaskedText
    case_reference: str
    photos: list[VisitPhotoOut]

    @staticmethod
    def resolve_found(obj):
        return mask_numbers_in_text(obj.found)

    @staticmethod
    def resolve_need(obj):
        return mask_numbers_in_text(obj.need)

    @staticmethod
    def resolve_photos(obj):
        return list(obj.photos.all())


class VisitIn(Schema):
    visited_on: dt.date
    found: str
    met_with: str = ""
    need: str = ""
    open_case: bool = False


class StepOut(Schema):
    action: str
    from_status: str
    to_status: str
    note: MaskedText
    actor_name: str
    at: dt.datetime

    @staticmethod
    def resolve_note(obj):
        return mask_numbers_in_text(obj.note)


class ProxyServiceOut(Schema):
    id: int
    resident_id: int
    resident_name: str
    area_code: str
    item: MaskedText
    description: MaskedText
    status: str
    due_on: dt.date | None
    completed_at: dt.datetime | None
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_resident_name(obj):
        return obj.resident.name

    @staticmethod
    def resolve_description(obj):
        return mask_numbers_in_text(obj.description)


class ServiceDetailOut(ProxyServiceOut):
    steps: list[StepOut]
    actions: list[str]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())

    @staticmethod
    def resolve_actions(obj, context):
        request = context["request"]
        if not rules.can_write_register(request.user, obj.area_code):
            return []
        return services.service_actions_for(obj)


class ProxyServiceIn(Schema):
    item: str
    description: str = ""
    due_on: dt.date | None = None


class ServiceActionIn(Schema):
    action: str
    note: str = ""
    version: int | None = None


class PlaceOut(Schema):
    id: int
    kind: str
    name: str
    area_code: str
    address: MaskedText
    contact_name: MaskedText
    contact_phone_masked: str
    accepts_cases: bool
    longitude: float | None
    latitude: float | None
    is_active: bool
    is_synthetic: bool


class PlaceIn(Schema):
    kind: str
    name: str
    area_code: str
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    accepts_cases: bool = False
    notes: str = ""
    longitude: float | None = None
    latitude: float | None = None


class PlacePatch(Schema):
    kind: str | None = None
    name: str | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    accepts_cases: bool | None = None
    notes: str | None = None
    is_active: bool | None = None
    longitude: float | None = None
    latitude: float | None = None


class ImportErrorOut(Schema):
    row: int | None
    column: str
    message: MaskedText


class ImportOut(Schema):
    id: int
    area_code: str
    file_name: MaskedText
    status: str
    rows: int
    households_created: int
    households_updated: int
    residents_created: int
    residents_updated: int
    unchanged: int
    error_count: int
    errors: list[ImportErrorOut]
    created_at: dt.datetime


class RegisterImportRejectedOut(ImportOut):
    """An import refused for errors in rows: nothing written, the record, and why."""

    code: str = Field(description="import_rejected")
    message: MaskedText


class AreaRegisterOut(Schema):
    code: str
    name: str
    households: int
    residents: int
    key_groups: dict[str, int]


# --- helpers ------------------------------------------------------------------------------------------------


def _set(payload: Schema) -> dict:
    return payload.dict(exclude_unset=True)


# --- areas --------------------------------------------------------------------------------------------------


@router.get(
    "/areas/{code}", response=AreaRegisterOut, summary="An area's register: totals and key-group counts"
)
def area_register(request, code: str):
    area = selectors.require_register_area(user=request.user, code=code)
    totals = selectors.register_totals_for(user=request.user, area_code=code)
    return {
        "code": area.code,
        "name": area.name,
        **totals,
        "key_groups": selectors.key_group_counts_for(user=request.user, area_code=code),
    }


@router.get("/areas/{code}/export", summary="The area's register as a masked .xlsx (logged, marked with who)")
def area_export(request, code: str):
    selectors.require_register_area(user=request.user, code=code)
    path = transfer.register_export(actor=request.user, area_code=code, request=request)
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it after sending
    path.unlink(missing_ok=True)
    response = FileResponse(
        handle, content_type=transfer.XLSX, as_attachment=True, filename=f"register-{code}.xlsx"
    )
    response["Cache-Control"] = "no-store, private"
    return response


# --- households ---------------------------------------------------------------------------------------------


@router.get("/households", response=HouseholdPage, summary="Households in scope (optionally under an area)")
def household_list(request, page: Query[Paging], area: str | None = None):
    return page.window_and_next(selectors.household_list_for(user=request.user, area_code=area))


@router.post("/households", response={201: HouseholdOut}, summary="Register a household in a grid")
def household_create(request, payload: HouseholdIn):
    data = payload.dict()
    grid_code = data.pop("grid_code")
    household = services.household_create(actor=request.user, grid_code=grid_code, request=request, **data)
    return Status(201, selectors.household_get_for(user=request.user, pk=household.pk))


@router.get("/households/{household_id}", response=HouseholdOut)
def household_detail(request, household_id: int):
    return selectors.household_get_for(user=request.user, pk=household_id)


@router.patch("/households/{household_id}", response=HouseholdOut)
def household_update(request, household_id: int, payload: HouseholdPatch):
    household = selectors.household_get_for(user=request.user, pk=household_id)
    services.household_update(actor=request.user, household=household, request=request, **_set(payload))
    return selectors.household_get_for(user=request.user, pk=household_id)


@router.post("/households/{household_id}/move", response=MoveOut, summary="Move a household to another grid")
def household_move(request, household_id: int, payload: MoveHouseholdIn):
    household = selectors.household_get_for(user=request.user, pk=household_id)
    return services.household_move(actor=request.user, household=household, request=request, **payload.dict())


@router.post(
    "/households/{household_id}/reveal", response=dict[str, str], summary="Show the phone in full (audited)"
)
def household_reveal(request, household_id: int, payload: RevealIn, response: HttpResponse):
    household = selectors.household_get_for(user=request.user, pk=household_id)
    response["Cache-Control"] = "no-store, private"
    return services.reveal(
        actor=request.user, obj=household, fields=payload.fields, reason=payload.reason, request=request
    )


@router.get("/households/{household_id}/members", response=list[ResidentOut])
def household_members(request, household_id: int):
    household = selectors.household_get_for(user=request.user, pk=household_id)
    return selectors.household_members(household)


@router.get("/households/{household_id}/visits", response=list[VisitOut])
def household_visits(request, household_id: int):
    household = selectors.household_get_for(user=request.user, pk=household_id)
    return selectors.household_visits(household)


@router.post(
    "/households/{household_id}/visits",
    response={201: VisitOut},
    summary="Record a visit (multipart form; photos optional). A need with open_case becomes a case when the "
    "cases app is installed.",
)
def visit_record(request, household_id: int, payload: Form[VisitIn], photos: File[list[UploadedFile]] = None):
    household = selectors.household_get_for(user=request.user, pk=household_id)
    visit = services.visit_record(
        actor=request.user, household=household, photos=photos or [], request=request, **payload.dict()
    )
    return Status(201, visit)


# --- residents ----------------------------------------------------------------------------------------------


@router.get(
    "/residents", response=ResidentPage, summary="People in scope (optionally under an area, in a key group)"
)
def resident_list(request, page: Query[Paging], area: str | None = None, key_group: str | None = None):
    return page.window_and_next(
        selectors.resident_list_for(user=request.user, area_code=area, key_group=key_group)
    )


@router.post("/residents", response={201: ResidentOut}, summary="Register a person in a household")
def resident_create(request, payload: ResidentIn):
    data = payload.dict()
    household = selectors.household_get_for(user=request.user, pk=data.pop("household_id"))
    resident = services.resident_create(actor=request.user, household=household, request=request, **data)
    return Status(201, selectors.resident_get_for(user=request.user, pk=resident.pk))


@router.get("/residents/{resident_id}", response=ResidentOut)
def resident_detail(request, resident_id: int):
    return selectors.resident_get_for(user=request.user, pk=resident_id)


@router.patch("/residents/{resident_id}", response=ResidentOut)
def resident_update(request, resident_id: int, payload: ResidentPatch):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    services.resident_update(actor=request.user, resident=resident, request=request, **_set(payload))
    return selectors.resident_get_for(user=request.user, pk=resident_id)


@router.post("/residents/{resident_id}/move", response=MoveOut, summary="Move a person to another household")
def resident_move(request, resident_id: int, payload: MoveResidentIn):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    target = selectors.household_get_for(user=request.user, pk=payload.to_household_id)
    return services.resident_move(
        actor=request.user, resident=resident, to_household=target, reason=payload.reason, request=request
    )


@router.post(
    "/residents/{resident_id}/reveal", response=dict[str, str], summary="Show ID / phone in full (audited)"
)
def resident_reveal(request, resident_id: int, payload: RevealIn, response: HttpResponse):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    response["Cache-Control"] = "no-store, private"
    return services.reveal(
        actor=request.user, obj=resident, fields=payload.fields, reason=payload.reason, request=request
    )


@router.put("/residents/{resident_id}/labels/{kind}", response=LabelOut, summary="Set a key-group label")
def label_set(request, resident_id: int, kind: str, payload: LabelIn):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    return services.label_set(
        actor=request.user, resident=resident, kind=kind, request=request, **payload.dict()
    )


@router.delete("/residents/{resident_id}/labels/{kind}", response={204: None})
def label_remove(request, resident_id: int, kind: str):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    services.label_remove(actor=request.user, resident=resident, kind=kind, request=request)
    return Status(204, None)


@router.get("/residents/{resident_id}/services", response=list[ProxyServiceOut])
def resident_services(request, resident_id: int):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    return selectors.resident_services(resident)


@router.post(
    "/residents/{resident_id}/services", response={201: ProxyServiceOut}, summary="Take on a proxy service"
)
def service_request(request, resident_id: int, payload: ProxyServiceIn):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    service = services.service_request(
        actor=request.user, resident=resident, request=request, **payload.dict()
    )
    return Status(201, service)


# --- search, duplicates -------------------------------------------------------------------------------------


@router.post(
    "/search",
    response=SearchOut,
    summary="Search in scope: name, pinyin/initials, exact ID or phone, address",
)
def search(request, payload: SearchIn):
    result = selectors.search_for(user=request.user, q=payload.q, field=payload.field)
    return {
        "field": result.field,
        "message": result.message,
        "residents": result.residents,
        "households": result.households,
    }


@router.get(
    "/duplicates", response=list[DuplicateGroupOut], summary="Possible duplicates: same name and birth date"
)
def duplicates(request, area: str | None = None):
    return [
        {"name": g.name, "birth_year": g.birth_date.year, "residents": g.residents}
        for g in selectors.duplicate_groups_for(user=request.user, area_code=area)
    ]


@router.post(
    "/duplicates/merge", response=ResidentOut, summary="Merge a duplicate into the record kept (audited)"
)
def merge(request, payload: ResidentMergeIn):
    kept = selectors.resident_get_for(user=request.user, pk=payload.kept_id)
    merged = selectors.resident_get_for(user=request.user, pk=payload.merged_id)
    services.resident_merge(
        actor=request.user, kept=kept, merged=merged, reason=payload.reason, request=request
    )
    return selectors.resident_get_for(user=request.user, pk=kept.pk)


# --- visits and services ------------------------------------------------------------------------------------


@router.get(
    "/visits/due", response=HouseholdPage, summary="My visits due: key-group households due within a week"
)
def visits_due(request, page: Query[Paging]):
    return page.window_and_next(selectors.visits_due_for(user=request.user))


@router.get("/services", response=list[ProxyServiceOut], summary="Proxy services in scope")
def service_list(request, page: Query[Paging], status: str | None = None):
    return list(page.window(selectors.service_list_for(user=request.user, status=status)))


@router.get("/services/{service_id}", response=ServiceDetailOut)
def service_detail(request, service_id: int):
    return selectors.service_get_for(user=request.user, pk=service_id)


@router.post(
    "/services/{service_id}/actions", response=ServiceDetailOut, summary="Move a proxy service along"
)
def service_act(request, service_id: int, payload: ServiceActionIn):
    service = selectors.service_get_for(user=request.user, pk=service_id)
    services.service_act(actor=request.user, service=service, request=request, **payload.dict())
    return selectors.service_get_for(user=request.user, pk=service_id)


# --- places -------------------------------------------------------------------------------------------------


@router.get(
    "/places", response=list[PlaceOut], summary="Places and organisations in scope (dispatch targets too)"
)
def place_list(
    request,
    page: Query[Paging],
    area: str | None = None,
    kind: str | None = None,
    accepts_cases: bool | None = None,
):
    qs = selectors.place_list_for(user=request.user, area_code=area, kind=kind, accepts_cases=accepts_cases)
    return list(page.window(qs))


@router.post("/places", response={201: PlaceOut})
def place_create(request, payload: PlaceIn):
    data = payload.dict()
    return Status(201, services.place_create(actor=request.user, request=request, **data))


@router.get("/places/{place_id}", response=PlaceOut)
def place_detail(request, place_id: int):
    return selectors.place_get_for(user=request.user, pk=place_id)


@router.patch("/places/{place_id}", response=PlaceOut)
def place_update(request, place_id: int, payload: PlacePatch):
    place = selectors.place_get_for(user=request.user, pk=place_id)
    return services.place_update(actor=request.user, place=place, request=request, **_set(payload))


@router.post(
    "/places/{place_id}/reveal", response=dict[str, str], summary="Show the contact phone in full (audited)"
)
def place_reveal(request, place_id: int, payload: RevealIn, response: HttpResponse):
    place = selectors.place_get_for(user=request.user, pk=place_id)
    response["Cache-Control"] = "no-store, private"
    return services.reveal(
        actor=request.user, obj=place, fields=payload.fields, reason=payload.reason, request=request
    )


# --- import -------------------------------------------------------------------------------------------------


@router.get("/imports/template", summary="The import template (.xlsx, Chinese headers)")
def import_template(request):
    if not rules.can_use_register(request.user):
        from grassroots.accounts.scoping import OutOfScope

        raise OutOfScope
    return attachment(transfer.template_bytes(), "register-template.xlsx", transfer.XLSX)


@router.post(
    "/imports",
    response={201: ImportOut, 422: RegisterImportRejectedOut},
    summary="Import a spreadsheet; all rows or none",
    description="201 with the import's record; 422 `import_rejected` with the record (each row's error in it) "
    "when rows have errors and nothing was written; 400 when the file as a whole is unusable.",
)
def import_create(request, area_code: Form[str], file: File[UploadedFile]):
    require(request.user, rules.can_transfer, area_code)
    record = transfer.register_import(actor=request.user, area_code=area_code, upload=file, request=request)
    if record.status == ImportStatus.REJECTED:
        record.code = "import_rejected"
        record.message = ngettext(
            "Nothing was imported: the file has %(count)d error. Correct it and import the file again.",
            "Nothing was imported: the file has %(count)d errors. Correct them and import the file again.",
            record.error_count,
        ) % {"count": record.error_count}
        return Status(422, record)
    return Status(201, record)


@router.get("/imports", response=list[ImportOut])
def import_list(request):
    return list(selectors.import_list_for(user=request.user)[:50])


@router.get("/imports/{import_id}", response=ImportOut)
def import_detail(request, import_id: int):
    return selectors.import_get_for(user=request.user, pk=import_id)
