"""The shapes of the register's API: what it answers (masks only) and what it takes."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from grassroots.masking import MaskedText, mask_numbers_in_text

from .. import rules, services


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


class MapPointIn(Schema):
    """Where a household or a place is on the map, when it is known."""

    longitude: float | None = None
    latitude: float | None = None


class HouseholdIn(MapPointIn):
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


class HouseholdPatch(MapPointIn):
    address: str | None = None
    number: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    phone: str | None = None
    residence_type: str | None = None
    tags: list[str] | None = None
    notes: str | None = None


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


class PlaceIn(MapPointIn):
    kind: str
    name: str
    area_code: str
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    accepts_cases: bool = False
    notes: str = ""


class PlacePatch(MapPointIn):
    kind: str | None = None
    name: str | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    accepts_cases: bool | None = None
    notes: str | None = None
    is_active: bool | None = None


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


def set_fields(payload: Schema) -> dict:
    """The fields a PATCH sent (those left out keep their value)."""
    return payload.dict(exclude_unset=True)
