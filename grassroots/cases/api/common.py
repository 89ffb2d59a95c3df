"""The cases router and what its operations share: the schemas of a case and its parts, and the detail answer."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Router, Schema

from grassroots.masking import MaskedText
from grassroots.paging import Paging

from .. import rules, selectors, workflow
from ..models import Case

router = Router(tags=["cases"])


# --- schemas ---------------------------------------------------------------------------------------------


class CategoryOut(Schema):
    code: str
    name: str = Field(
        alias="shown_name", description="in the request's language where the type has a name in it"
    )
    parent_code: str | None
    category_class: str
    default_urgency: str
    handler_level: int
    handler_type: str
    canned_replies: list[str]

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


class CaseOut(Schema):
    id: int
    reference: str
    state: str
    kind: str
    source: str
    category_code: str
    category_name: str
    urgency: str
    description: MaskedText = Field(description="plain text: escape it before putting it in HTML")
    address: MaskedText
    lon: float | None
    lat: float | None
    area_code: str = Field(description="the area that owns the case now (grid, or where it was escalated to)")
    origin_code: str = Field(description="where the case was routed when reported")
    level: int
    routing_method: str
    assignee_name: str
    version: int = Field(description="send it back as expected_version with the next action")
    reported_at: dt.datetime
    response_due_at: dt.datetime | None
    handling_due_at: dt.datetime | None
    closed_at: dt.datetime | None
    closing_level: int | None
    rework_count: int
    reopen_count: int
    rating: str = Field(
        description="the latest rating given (each closure round's is in the detail's ratings)"
    )
    really_solved: bool | None
    rated_round: int = Field(description="the closure round of the latest rating; 0 when never rated")

    @staticmethod
    def resolve_category_code(obj):
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj):
        return obj.category.shown_name


class CaseEventOut(Schema):
    at: dt.datetime
    action: str
    old_state: str
    new_state: str
    actor_name: str
    note: MaskedText
    message: MaskedText = Field(
        description="what the reporter was told, in the language the caller asked for (Accept-Language)",
        alias="shown_message",
    )
    internal: bool


class CasePhotoOut(Schema):
    stage: str
    url: str
    thumbnail_url: str
    width: int
    height: int

    @staticmethod
    def resolve_url(obj):
        return obj.image.url

    @staticmethod
    def resolve_thumbnail_url(obj):
        return obj.thumbnail.url


class RatingOut(Schema):
    round: int = Field(description="the closure round: 1, and one more after each reopening")
    channel: str = Field(description="reporter, or callback (taken down by staff in a callback survey)")
    rating: str
    really_solved: bool | None
    comment: MaskedText = Field(description="plain text, in the reporter's words, numbers masked")
    rated_at: dt.datetime


class CaseDetailOut(CaseOut):
    reporter_name: MaskedText = Field(
        alias="reporter_display", description="empty when the caller may not see who reported"
    )
    routing_explanation: str = Field(
        alias="shown_routing_explanation",
        description="how the place was decided, naming the area, in the request's language",
    )
    cancel_reason: MaskedText
    merged_into_id: int | None
    actions: list[str] = Field(description="the workflow actions the caller may take now")
    timeline: list[CaseEventOut]
    photos: list[CasePhotoOut] = Field(alias="photo_list")
    ratings: list[RatingOut] = Field(alias="rating_list", description="every closure round's rating, kept")
    deadline_years_unentered: list[int] = Field(
        alias="unentered_years",
        description="years that a running deadline crosses whose official holidays have not been entered: "
        "the deadline counts weekends only there (empty when every year is known)",
    )


class CasePage(Schema):
    count: int
    items: list[CaseOut]


class ListQuery(Paging):
    scope: Literal["queue", "mine", "tasks"] = Field(
        "queue",
        description="queue: the cases of the caller's areas; mine: the caller's reports; tasks: assigned",
    )
    state: str = ""
    overdue: bool = False
    category: str = ""
    level: int | None = None
    source: str = ""
    area: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


class ReportIn(Schema):
    category: str = Field(description="service type code, e.g. 0101")
    description: str
    lon: float | None = None
    lat: float | None = None
    crs: str = Field("wgs84", description="wgs84, cgcs2000, gcj02 or bd09")
    accuracy_m: float | None = None
    kind: str = "problem"
    urgency: str | None = None
    address: str = ""
    anonymous: bool = False
    patrol_id: int | None = Field(
        None,
        description="the caller's own open patrol when reporting on the way: the case's source is then patrol "
        "and it is recorded on the patrol's findings (their own patrol that has ended files an ordinary report; "
        "a patrol that is not theirs is refused with 400 unknown_reference)",
    )
    confirm_far: bool = Field(
        False,
        description="the reporter confirms a point outside their county, or farther than the routing distance "
        "(ROUTING_NEAREST_METRES) from every grid; without it such a report is refused with 400 confirm_far, "
        "whose message names the area it would go to (detail: area_name, distance_m to the nearest grid). "
        "GET /api/v1/areas/destination answers the same before sending",
    )


class EntryIn(Schema):
    """A call, hotline ticket, visit or walk-in entered by staff: the staff page's form, field for field."""

    source: str = Field(description="the channel: phone, hotline, visit, walk_in or patrol")
    category: str = Field(description="service type code, e.g. 0101")
    description: str
    lon: float | None = None
    lat: float | None = None
    crs: str = Field("wgs84", description="wgs84, cgcs2000, gcj02 or bd09")
    accuracy_m: float | None = None
    area_code: str = Field(
        "", description="the area to file it under when the caller cannot say where exactly (no point given)"
    )
    kind: str = "problem"
    urgency: str | None = None
    address: str = ""
    reporter_name: str = Field("", description="the caller's name")
    reporter_phone: str = Field("", description="the caller's phone (stored encrypted, shown masked)")
    anonymous: bool = Field(False, description="the caller asks to stay anonymous")
    received_at: dt.datetime | None = Field(
        None,
        description="when the call or visit was taken, if earlier than now (at most 30 days ago; without an "
        "offset, the server's local time): the case counts from then",
    )


class TargetIn(Schema):
    key: str = Field(
        "",
        description="the key of one of the handlers GET /cases/{id}/dispatch-targets offers, e.g. grid_worker:12",
    )
    kind: str = Field("", description="instead of key: grid_worker, user, department or unit, with ref")
    ref: str = Field("", description="with kind: the handler's id in its register (the part after the colon)")
    user_id: int | None = Field(None, description="instead of key: a staff login offered as user:<id>")


class TargetOut(Schema):
    key: str = Field(description="send it as target.key to dispatch")
    kind: str
    label: str
    group: str


def _detail(request, case: Case, *, fresh: bool = False) -> Case:
    """The case with what the detail schema adds, for the caller: their actions, the timeline they may
    read, and the reporter's name only when they may know it. ``fresh``: the case was just written by
    this request, and its events and photos are those the service kept on it (no reading back)."""
    user = request.user
    if fresh:
        case.timeline = selectors.timeline_of_written(user=user, case=case, events=case.written_events)
        case.photo_list = sorted(case.written_photos, key=lambda p: p.pk)
        case.rating_list = []
    else:
        case.timeline = selectors.timeline_for(user=user, case=case)
        case.photo_list = list(case.photos.all().order_by("id"))
        case.rating_list = selectors.ratings_of(case)
    case.actions = workflow.available_actions(user, case)
    case.unentered_years = selectors.unentered_years_for(case)
    case.reporter_display = (
        (case.reporter_name or (str(case.reporter) if case.reporter_id else ""))
        if rules.can_see_reporter(user, case)
        else ""
    )
    return case


def _target_key(spec: TargetIn | None) -> str:
    """The key the caller names; the service looks it up among the handlers offered (nothing else)."""
    if spec is None:
        return ""
    if spec.key:
        return spec.key
    if spec.kind and spec.ref:
        return f"{spec.kind}:{spec.ref}"
    if spec.user_id is not None:
        return f"{spec.kind or 'user'}:{spec.user_id}"
    return ""
