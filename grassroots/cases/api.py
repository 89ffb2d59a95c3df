"""JSON API for cases (mounted at /api/v1/cases): submit, staff entry, list, detail, every workflow action,
categories.

Submitting, and staff entry of a call or visit (``/entries``), is multipart (form fields + up to 9 ``photos``)
with an ``Idempotency-Key`` header: a retry with the same key returns the case made the first time (200
instead of 201) and never a second case. Every action goes through the same services as the pages, so the permissions are the workflow table's; refusals
come back as ``{code, message}`` with 403, 404 (outside scope) or 409 (wrong state or stale version).
Descriptions and notes are returned as plain text: clients must escape them when rendering HTML.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import create_model

from grassroots.accounts.scoping import OutOfScope
from grassroots.areas.codes import CodeError
from grassroots.masking import MaskedText
from grassroots.paging import Paging

from . import integrations, rules, selectors, services, workflow
from . import metrics as case_metrics
from .models import Case, LimitUnit
from .services import registry
from .workflow import CaseError

router = Router(tags=["cases"])


# --- schemas ---------------------------------------------------------------------------------------------


class CategoryOut(Schema):
    code: str
    name: str
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
        return obj.category.name


class CaseEventOut(Schema):
    at: dt.datetime
    action: str
    old_state: str
    new_state: str
    actor_name: str
    note: MaskedText
    message: MaskedText
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
    routing_explanation: str
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


# --- endpoints ---------------------------------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], summary="The active service types, tree order")
def category_list(request):
    return list(selectors.categories_for_choice())


def _idempotency_key():
    """The ``Idempotency-Key`` header, declared as the parameter of each operation that honours it."""
    return Header(
        "",
        alias="Idempotency-Key",
        max_length=64,
        description="made by the client for each report and sent again with each retry of it: the case made "
        "the first time is answered (200) and no second one is made",
    )


@router.post(
    "/",
    response={200: CaseDetailOut, 201: CaseDetailOut},
    summary="Report a case (multipart; repeat with the same Idempotency-Key to retry safely)",
)
def case_submit(
    request: HttpRequest,
    payload: Form[ReportIn],
    photos: File[list[UploadedFile]] = None,
    idempotency_key: str = _idempotency_key(),
):
    case = integrations.case_report_on_patrol(
        actor=request.user,
        patrol_id=payload.patrol_id,
        category=payload.category,
        description=payload.description,
        lon=payload.lon,
        lat=payload.lat,
        crs=payload.crs,
        accuracy_m=payload.accuracy_m,
        kind=payload.kind,
        urgency=payload.urgency,
        address=payload.address,
        anonymous=payload.anonymous,
        photo_files=photos or [],
        source="api",
        idempotency_key=idempotency_key,
        confirm_far=payload.confirm_far,
    )
    if case.replayed:
        return Status(200, _detail(request, selectors.case_get_for(user=request.user, pk=case.pk)))
    return Status(201, _detail(request, case, fresh=True))  # answered from what was just written


@router.post(
    "/entries",
    response={200: CaseDetailOut, 201: CaseDetailOut},
    summary="Staff enter a call, hotline ticket, visit or walk-in (multipart; Idempotency-Key as for reports)",
)
def case_entry(
    request: HttpRequest,
    payload: Form[EntryIn],
    photos: File[list[UploadedFile]] = None,
    idempotency_key: str = _idempotency_key(),
):
    """The staff entry page's service and permission (staff who take calls and visits, for places inside
    their area; 403 for anyone else). The caller's phone is kept encrypted and answered masked."""
    case = services.case_enter(
        actor=request.user,
        source=payload.source,
        category=payload.category,
        description=payload.description,
        lon=payload.lon,
        lat=payload.lat,
        crs=payload.crs,
        accuracy_m=payload.accuracy_m,
        area_code=payload.area_code or None,
        kind=payload.kind,
        urgency=payload.urgency,
        address=payload.address,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        anonymous=payload.anonymous,
        received_at=payload.received_at,
        photo_files=photos or [],
        idempotency_key=idempotency_key,
    )
    if case.replayed:
        return Status(200, _detail(request, selectors.case_get_for(user=request.user, pk=case.pk)))
    return Status(201, _detail(request, case, fresh=True))


@router.get("/", response=CasePage, summary="Cases: the caller's queue, own reports or tasks, paged")
def case_list(request, q: Query[ListQuery]):
    user = request.user
    if q.scope == "mine":
        qs = selectors.my_reports_for(user=user)
    elif q.scope == "tasks":
        qs = selectors.my_tasks_for(user=user)
    else:
        qs = selectors.case_queue_for(
            user=user,
            filters=selectors.QueueFilters(
                state=q.state, overdue=q.overdue, category=q.category, level=q.level, source=q.source,
                area=q.area, since=q.since, until=q.until,
            ),
        )  # fmt: skip
    return {"count": qs.count(), "items": list(q.window(qs))}


@router.get(
    "/{int:case_id}", response=CaseDetailOut, summary="One case with its timeline and the caller's actions"
)
def case_detail(request, case_id: int):
    return _detail(request, selectors.case_get_for(user=request.user, pk=case_id))


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


@router.get(
    "/{int:case_id}/dispatch-targets",
    response=list[TargetOut],
    summary="The handlers the caller may dispatch the case to (the same list as the case page)",
)
def dispatch_targets(request, case_id: int):
    case = selectors.case_get_for(user=request.user, pk=case_id)
    return selectors.dispatch_targets_for(case=case, actor=request.user)


# --- the workflow actions: one operation per row of the registry ---------------------------------------------

# The body fields each registry input brings to an action's schema (pydantic field definitions).
_INPUT_FIELDS: dict[str, dict] = {
    "note": {"note": (str, "")},
    "reason": {"reason": (str, ""), "note": (str, Field("", description="taken when reason is empty"))},
    "target": {"target": (TargetIn | None, None)},
    "amount": {"amount": (int | None, None), "unit": (str, LimitUnit.DAYS)},
    "card": {"card": (str, Field("normal", description="normal, yellow or red"))},
    "master": {"master_id": (int | None, Field(None, description="the original case: its id or reference"))},
    "rating": {
        "rating": (str, ""),
        "really_solved": (bool | None, None),
        "reopen_if_unsolved": (bool, False),
        "note": (str, Field("", description="the reporter's comment")),
    },
}


def _action_schema(spec: registry.ActionSpec) -> type[Schema]:
    """The JSON body of one action: the version the caller saw and the action's own inputs."""
    fields: dict = {"expected_version": (int, ...)}
    for name in spec.inputs:
        fields.update(_INPUT_FIELDS.get(name, {}))
    title = "".join(part.title() for part in spec.name.split("_"))
    return create_model(f"Case{title}In", __base__=Schema, **fields)


def _values(body, *, photos=()) -> registry.ActionInput:
    get = body.__dict__.get
    return registry.ActionInput(
        expected_version=body.expected_version,
        text=get("reason") or get("note") or "",
        target=_target_key(get("target")),
        card=get("card") or "normal",
        amount=get("amount"),
        unit=get("unit") or LimitUnit.DAYS,
        master=get("master_id"),
        master_field="master_id",
        photos=photos,
        rating=get("rating") or "",
        really_solved=get("really_solved"),
        reopen_if_unsolved=bool(get("reopen_if_unsolved")),
    )


def _performed(request, case_id: int, action: str, values: registry.ActionInput) -> Case:
    case = selectors.case_get_for(user=request.user, pk=case_id)
    updated = registry.perform(action, actor=request.user, case=case, values=values)
    return _detail(request, selectors.case_get_for(user=request.user, pk=updated.pk))


def _json_operation(spec: registry.ActionSpec):
    body_schema = _action_schema(spec)

    def operation(request, case_id: int, body):
        return _performed(request, case_id, spec.name, _values(body))

    operation.__annotations__ = {"request": HttpRequest, "case_id": int, "body": body_schema}
    return operation


def _multipart_operation(spec: registry.ActionSpec):
    def operation(request, case_id: int, expected_version: int, note: str, photos=None):
        body = SimpleNamespace(expected_version=expected_version, note=note)
        return _performed(request, case_id, spec.name, _values(body, photos=photos or []))

    operation.__annotations__ = {
        "request": HttpRequest, "case_id": int, "expected_version": Form[int], "note": Form[str],
        "photos": File[list[UploadedFile]],
    }  # fmt: skip
    return operation


for _spec in registry.ACTIONS.values():
    _make = _multipart_operation if "photos" in _spec.inputs else _json_operation
    router.post(
        f"/{{int:case_id}}/actions/{_spec.name}",
        response=CaseDetailOut,
        summary=_spec.summary,
        operation_id=f"cases_action_{_spec.name}",
    )(_make(_spec))


# --- the figures ----------------------------------------------------------------------------------------------


class RateOut(Schema):
    key: str
    label: str
    percent: str | None = Field(description="rounded half up to 0.01; null when nothing was due (not 0 %)")
    numerator: int
    denominator: int
    definition: str


class RatingCountsOut(Schema):
    given: int = Field(description="ratings given in the period (the satisfaction rate's denominator)")
    satisfied: int
    basically: int
    unsatisfied: int
    by_callback: int = Field(description="of them, taken down by staff in a callback survey (回访)")


class CaseFiguresOut(Schema):
    reported: int
    score: str | None = Field(description="综合指标值, out of 100; null without handled cases")
    rates: list[RateOut]
    ratings: RatingCountsOut


class ChannelOut(Schema):
    channel: str = Field(description="who gave the ratings: reporter or callback")
    source: str = Field(description="the channel the cases came in through")
    name: str
    figures: CaseFiguresOut


class BreakdownOut(Schema):
    key: str = Field(description="an area code, a service type code, or kind:name of a department or unit")
    name: str
    figures: CaseFiguresOut


class MetricsOut(Schema):
    area_code: str
    area_name: str
    period: str
    basically_satisfied_counts: bool
    figures: CaseFiguresOut
    areas: list[BreakdownOut] = Field(description="each area one level below with cases")
    service_types: list[BreakdownOut] = Field(description="each top-level service type, most reported first")
    handlers: list[BreakdownOut] = Field(description="departments and units, best score first")
    ratings_by_channel: list[ChannelOut] = Field(
        description="the period's ratings by who gave them and how the case came in"
    )
    cohort_definition: str
    ratings_definition: str
    score_definition: str


def _figures(f: case_metrics.Figures) -> dict:
    c = f.counts
    return {
        "reported": c.reported,
        "score": None if f.score is None else str(f.score),
        "rates": [
            {
                "key": r.key, "label": str(r.label), "percent": None if r.percent is None else str(r.percent),
                "numerator": r.numerator, "denominator": r.denominator, "definition": str(r.definition),
            }
            for r in f.ordered
        ],
        "ratings": {
            "given": c.rated, "satisfied": c.satisfied, "basically": c.basically, "unsatisfied": c.unsatisfied,
            "by_callback": c.rated_by_callback,
        },
    }  # fmt: skip


@router.get(
    "/metrics/{code}",
    response=MetricsOut,
    summary="The case figures of an area over a period, with the areas below, service types and departments",
)
def metrics(request, code: str, period: str = "", basically: bool | None = None):
    """What the metrics page shows, for dashboards and big screens: each figure with its numerator,
    denominator and definition. ``period``: a year (2026), a quarter (2026-Q2), a month (2026-03) or two dates
    (2026-01-01..2026-06-30); this year when empty. The same permission as the page (404 outside it)."""
    if not selectors.may_see_metrics(user=request.user, code=code):
        raise OutOfScope
    try:
        chosen = case_metrics.Period.parse(period or case_metrics.default_period_key())
    except case_metrics.PeriodError as exc:
        raise CaseError(exc.message, code="invalid_period", status=422) from None
    counted = case_metrics.basically_counts_default() if basically is None else basically
    try:
        overview = case_metrics.case_metrics_overview(area_code=code, period=chosen, basically_counts=counted)
        handlers = case_metrics.case_metrics_by_handler(
            area_code=code, period=chosen, basically_counts=counted
        )
        channels = case_metrics.ratings_by_channel(area_code=code, period=chosen, basically_counts=counted)
    except CodeError:
        raise OutOfScope from None
    names = selectors.area_names(codes=[code, *(r.key for r in overview.children)])
    return {
        "area_code": code,
        "area_name": names.get(code, code),
        "period": chosen.key,
        "basically_satisfied_counts": counted,
        "figures": _figures(overview.figures),
        "areas": [
            {"key": r.key, "name": names.get(r.key, r.key), "figures": _figures(r.figures)}
            for r in overview.children
        ],
        "service_types": [
            {"key": r.key, "name": r.label, "figures": _figures(r.figures)} for r in overview.types
        ],
        "handlers": [{"key": r.key, "name": r.label, "figures": _figures(r.figures)} for r in handlers],
        "ratings_by_channel": [
            {
                "channel": r.channel,
                "source": r.source,
                "name": f"{r.channel_label} · {r.source_label}",
                "figures": _figures(r.figures),
            }
            for r in channels
        ],
        "cohort_definition": str(case_metrics.COHORT_DEFINITION),
        "ratings_definition": str(case_metrics.RATINGS_DEFINITION),
        "score_definition": str(case_metrics.SCORE_DEFINITION),
    }


__all__ = ["router"]
