"""The 12345 hotline exchange (docs/integrations.md, "12345 hotline"): work orders in, one at a time and
idempotent on the hotline's order number, and their outcomes back as a feed by period, paged.

Its own router, mounted at ``/api/v1/hotline`` by the api app, which adds the integrators' API keys
(``integrations.auth.ApiKeyAuth``: a key's system account is scoped by its grant like a person) to the
usual bearer token and session; cases sits below integrations and does not import it."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from grassroots import clock
from grassroots.masking import MaskedText
from grassroots.paging import Paging

from ..models import HotlineChannel
from ..selectors import hotline as hotline_selectors
from ..services import hotline as hotline_services

router = Router(tags=["hotline"])


class HotlineOrderIn(Schema):
    """A work order as the hotline's system sends it (the daily sheet's columns, by their English keys)."""

    city_code: str = Field(
        pattern=r"^[0-9]{4}$", description="the city (市/盟) whose hotline numbered the order: 4 digits"
    )
    number: str = Field(min_length=1, max_length=64, description="工单编号: the hotline's order number")
    received_at: dt.datetime = Field(description="来电时间: when the call came (with its time zone)")
    description: str = Field(min_length=1, max_length=2000, description="诉求内容")
    caller_name: str = Field("", max_length=100, description="来电人")
    caller_phone: str = Field("", max_length=40, description="联系电话: kept encrypted, shown masked")
    hotline_type: str = Field("", max_length=100, description="诉求类型: mapped by the city's sheet layout")
    kind: str = Field("", max_length=20, description="诉求性质: 投诉, 举报, 求助, 咨询, 建议 (or our kinds)")
    urgency: str = Field("", max_length=20, description="紧急程度: 一般, 较急, 紧急 (or our urgencies)")
    address: str = Field("", max_length=200, description="事发地址")
    area: str = Field(
        "", max_length=100, description="承办单位: the handling area's code or name (when no point is given)"
    )
    due_at: dt.datetime | None = Field(None, description="办理时限: the hotline's time limit")
    lon: float | None = Field(
        None, ge=-180, le=180, description="longitude, in the layout's coordinate system"
    )
    lat: float | None = Field(None, ge=-90, le=90)


class HotlineTakenOut(Schema):
    outcome: Literal["created", "unchanged", "changed"] = Field(
        description="created: a new case; unchanged: taken in before with the same content (nothing written); "
        "changed: taken in before with other content, not applied (changed_fields says what differs)"
    )
    number: str
    case_id: int
    reference: str
    changed_fields: list[str]


class HotlineOutcomeOut(Schema):
    number: str = Field(description="the hotline's order number")
    case_id: int
    reference: str = Field(description="the platform's case number")
    status: str = Field(description=f"one of: {', '.join(hotline_selectors.STATUSES)}")
    status_label: str = Field(description="the status in words, in the caller's language")
    area_code: str = Field(description="the area that holds the case now")
    handler: str
    received_at: dt.datetime
    accepted_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    handled_at: dt.datetime | None
    closed_at: dt.datetime | None
    returned_at: dt.datetime | None = Field(description="when it was returned to the hotline, if it was")
    cancelled_at: dt.datetime | None
    handling_due_at: dt.datetime | None = Field(description="the platform's handling deadline")
    hotline_due_at: dt.datetime | None = Field(description="the hotline's time limit as it was sent")
    reply: MaskedText = Field(description="the handler's report, or the reason for a return; numbers masked")
    rating: str = Field(description="satisfied, basically, unsatisfied, or empty when not rated")
    really_solved: bool | None
    rated_at: dt.datetime | None
    updated_at: dt.datetime = Field(description="when the case last changed")


class HotlineOutcomePage(Schema):
    items: list[HotlineOutcomeOut]
    next_offset: int | None = Field(description="the offset of the next page; null after the last")


PERIOD_PATTERN = r"^([0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?)?)?$"


class HotlineOutcomeQuery(Paging):
    start: str = Field(
        "",
        pattern=PERIOD_PATTERN,
        description="the period's start: a date (from its local midnight) or a time with its zone (ISO 8601); "
        "today when left out",
    )
    end: str = Field(
        "",
        pattern=PERIOD_PATTERN,
        description="the period's end: a date (its whole day included) or a time (excluded); the start's day "
        "when left out",
    )
    by: Literal["updated", "received"] = Field(
        "updated",
        description="updated: orders whose case moved in the period (any timeline row: accepted, dispatched, "
        "handled, returned, rated …); received: orders whose call came in it",
    )
    area: str = Field("", max_length=15, pattern=r"^[0-9]*$", description="only this area's subtree")


@router.post(
    "/orders",
    response={200: HotlineTakenOut, 201: HotlineTakenOut},
    summary="Take in a 12345 hotline work order (idempotent on its number: 201 new, 200 taken in before)",
)
def hotline_order_take(request, payload: HotlineOrderIn):
    """The desk's permission for the order's area (its point, or the area it names); the case is a hotline
    case keeping the order's number. Sending the same number again writes nothing."""
    taken = hotline_services.order_take(
        actor=request.user,
        city_code=payload.city_code,
        order=hotline_services.OrderInput(
            **payload.dict(exclude={"city_code"}),
        ),
        channel=HotlineChannel.API,
    )
    body = {
        "outcome": taken.outcome,
        "number": taken.order.number,
        "case_id": taken.order.case_id,
        "reference": taken.order.case.reference,
        "changed_fields": taken.changed_fields,
    }
    return Status(201 if taken.created else 200, body)


@router.get(
    "/outcomes",
    response=HotlineOutcomePage,
    summary="What became of the hotline's work orders in a period (state, handler, times, reply, rating), paged",
)
def hotline_outcome_list(request, q: Query[HotlineOutcomeQuery]):
    start = hotline_selectors.moment_of(q.start, field="start") if q.start else clock.today()
    start_day = start.date() if isinstance(start, dt.datetime) else start
    orders = hotline_selectors.hotline_orders_for(
        user=request.user,
        start=start,
        end=hotline_selectors.moment_of(q.end, field="end") if q.end else start_day,
        by=q.by,
        area=q.area,
    )
    page = q.window_and_next(orders)
    return {
        "items": [hotline_selectors.outcome_of(o) for o in page["items"]],
        "next_offset": page["next_offset"],
    }
