"""The 12345 hotline exchange, outbound: what became of each work order (state, handler, times, reply, rating),
by period and scoped to the reader's area — read by the outcome feed (JSON) and the Excel export alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots import sheets
from grassroots.accounts.scoping import OutOfScope, in_scope, scoped
from grassroots.errors import DomainError
from grassroots.masking import mask_numbers_in_text

from .. import workflow
from ..models import Case, CaseEvent, EventAction, HotlineOrder, State

# What a period is counted by: the case moved (a row of its timeline falls in the period: the feed a hotline
# polls), or the call came.
PERIOD_BASES = ("updated", "received")
MAX_PERIOD = dt.timedelta(days=366)
RETURNED = "returned_to_hotline"

# The outcome's status as the hotline reads it: our state, or "returned" when the order went back.
STATUS_LABELS = {
    State.REPORTED: _("waiting to be accepted"),
    State.ACCEPTED: _("accepted"),
    State.DISPATCHED: _("being handled"),
    State.HANDLED: _("handled, being verified"),
    State.CLOSED: _("closed"),
    State.CANCELLED: _("not taken up"),
    State.SHELVED: _("on hold"),
    RETURNED: _("returned to the hotline"),
}
STATUSES = tuple(str(s) for s in STATUS_LABELS)


class PeriodInvalid(DomainError):
    code = "bad_period"


def moment_of(text: str, *, field: str) -> dt.date | dt.datetime:
    """A period's bound as sent: ``2026-03-02`` is a day, anything longer a time (ISO 8601)."""
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
    except ValueError:
        raise PeriodInvalid(
            _("%(value)s is neither a date (2026-03-02) nor a time (2026-03-02T08:00:00+08:00).")
            % {"value": text},
            detail={field: text},
        ) from None


def period_bounds(start, end) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) as aware times: a date counts from its local midnight, and an end date takes in its whole
    day. Refuses an end before the start and a period longer than :data:`MAX_PERIOD`."""

    def moment(value, *, is_end: bool) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return timezone.make_aware(value) if timezone.is_naive(value) else value
        day = value + dt.timedelta(days=1) if is_end else value
        return timezone.make_aware(dt.datetime(day.year, day.month, day.day))

    lower, upper = moment(start, is_end=False), moment(end, is_end=True)
    if upper <= lower:
        raise PeriodInvalid(_("The period ends before it starts."), detail={"end": str(end)})
    if upper - lower > MAX_PERIOD:
        raise PeriodInvalid(
            _("Ask for at most %(days)d days at a time.") % {"days": MAX_PERIOD.days},
            detail={"end": str(end)},
        )
    return lower, upper


def hotline_orders_for(*, user, start, end, by: str = "updated", area: str = "") -> QuerySet[HotlineOrder]:
    """The work orders whose case lies in the reader's scope (where it was routed), in the period by ``by``
    (``updated``: a row of the case's timeline falls in it; ``received``: the call came in it), by the call's
    time, with what their outcome reads (case, service type, the handlers' replies and returns) loaded in a
    fixed number of queries."""
    if by not in PERIOD_BASES:
        raise PeriodInvalid(
            _("Count the period by one of: %(choices)s.") % {"choices": ", ".join(PERIOD_BASES)},
            detail={"by": by},
        )
    lower, upper = period_bounds(start, end)
    orders = scoped(HotlineOrder.objects.all(), user, roles=workflow.VIEWERS)
    if area:
        if not in_scope(user, area, roles=workflow.VIEWERS):
            raise OutOfScope
        orders = orders.filter(area_code__startswith=area)
    if by == "received":
        orders = orders.filter(received_at__gte=lower, received_at__lt=upper)
    else:
        moved = CaseEvent.objects.filter(case_id=OuterRef("case_id"), at__gte=lower, at__lt=upper)
        orders = orders.filter(Exists(moved))
    replies = CaseEvent.objects.filter(
        action__in=(EventAction.HANDLE, EventAction.RETURN_TO_HOTLINE)
    ).order_by("at", "id")
    # A stable order for paging (the call's time, then the row): a period that has ended keeps its pages.
    return (
        orders.select_related("case", "case__category")
        .prefetch_related(Prefetch("case__events", queryset=replies, to_attr="reply_events"))
        .order_by("received_at", "pk")
    )


@dataclass(frozen=True)
class Outcome:
    """What the hotline is told of one order (texts others read pass through the number masker)."""

    number: str
    case_id: int
    reference: str
    status: str
    status_label: str
    area_code: str
    handler: str
    received_at: dt.datetime
    accepted_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    handled_at: dt.datetime | None
    closed_at: dt.datetime | None
    returned_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    handling_due_at: dt.datetime | None
    hotline_due_at: dt.datetime | None
    reply: str
    rating: str
    really_solved: bool | None
    rated_at: dt.datetime | None
    updated_at: dt.datetime


def outcome_of(order: HotlineOrder) -> Outcome:
    case: Case = order.case
    events = getattr(case, "reply_events", None)
    if events is None:  # not loaded by hotline_orders_for
        events = list(
            case.events.filter(action__in=(EventAction.HANDLE, EventAction.RETURN_TO_HOTLINE)).order_by(
                "at", "id"
            )
        )
    returned = next((e for e in reversed(events) if e.action == EventAction.RETURN_TO_HOTLINE), None)
    returned = returned if case.state == State.CANCELLED else None
    handled = next((e for e in reversed(events) if e.action == EventAction.HANDLE), None)
    if returned is not None:
        status, reply = RETURNED, returned.note
    else:
        status = case.state
        reply = case.cancel_reason if case.state == State.CANCELLED else (handled.note if handled else "")
    return Outcome(
        number=order.number,
        case_id=case.pk,
        reference=case.reference,
        status=str(status),
        status_label=str(STATUS_LABELS[status]),
        area_code=case.area_code,
        handler=case.assignee_name,
        received_at=order.received_at,
        accepted_at=case.accepted_at,
        dispatched_at=case.dispatched_at,
        handled_at=case.handled_at,
        closed_at=case.closed_at,
        returned_at=returned.at if returned is not None else None,
        cancelled_at=case.cancelled_at if returned is None else None,
        handling_due_at=case.handling_due_at,
        hotline_due_at=order.due_at,
        reply=mask_numbers_in_text(reply),
        rating=case.rating,
        really_solved=case.really_solved,
        rated_at=case.rated_at,
        updated_at=case.updated_at,
    )


# --- the Excel export -------------------------------------------------------------------------------------

EXPORT_COLUMNS: tuple[sheets.Column, ...] = (
    sheets.Column("number", "工单编号", "order number", width=20),
    sheets.Column("reference", "平台编号", "case reference", width=18),
    sheets.Column("status", "办理状态", "status", width=14),
    sheets.Column("area_code", "承办区划", "area code", width=16),
    sheets.Column("handler", "承办人", "handler", width=14),
    sheets.Column("received_at", "来电时间", "received at", width=17),
    sheets.Column("accepted_at", "受理时间", "accepted at", width=17),
    sheets.Column("dispatched_at", "派遣时间", "dispatched at", width=17),
    sheets.Column("handled_at", "办理时间", "handled at", width=17),
    sheets.Column("closed_at", "办结时间", "closed at", width=17),
    sheets.Column("returned_at", "退回时间", "returned at", width=17),
    sheets.Column("hotline_due_at", "办理时限", "time limit", width=17),
    sheets.Column("reply", "答复内容", "reply", width=40),
    sheets.Column("rating", "满意度", "rating", width=10),
    sheets.Column("really_solved", "是否解决", "really solved", width=10),
    sheets.Column("rated_at", "评价时间", "rated at", width=17),
)
RATING_WORDS = {"satisfied": "满意", "basically": "基本满意", "unsatisfied": "不满意"}
STATUS_WORDS = {
    State.REPORTED: "待受理",
    State.ACCEPTED: "已受理",
    State.DISPATCHED: "办理中",
    State.HANDLED: "待核查",
    State.CLOSED: "已办结",
    State.CANCELLED: "不予受理",
    State.SHELVED: "挂账",
    RETURNED: "退回热线",
}


def _cell_time(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_rows(orders) -> list[list]:
    """One row per order under :data:`EXPORT_COLUMNS`: the hotline's own words for states and ratings (the
    sheet goes back to the hotline, whose staff read Chinese), times in local time."""
    rows = []
    for order in orders:
        o = outcome_of(order)
        rows.append(
            [
                o.number,
                o.reference,
                STATUS_WORDS[o.status],
                o.area_code,
                o.handler,
                _cell_time(o.received_at),
                _cell_time(o.accepted_at),
                _cell_time(o.dispatched_at),
                _cell_time(o.handled_at),
                _cell_time(o.closed_at),
                _cell_time(o.returned_at),
                _cell_time(o.hotline_due_at),
                o.reply,
                RATING_WORDS.get(o.rating, ""),
                {True: "是", False: "否"}.get(o.really_solved, "") if o.really_solved is not None else "",
                _cell_time(o.rated_at),
            ]
        )
    return rows


def outcome_workbook(*, user, start, end, by: str = "received", area: str = "") -> bytes:
    """The export: the orders of the period in the reader's scope, one row each."""
    orders = hotline_orders_for(user=user, start=start, end=end, by=by, area=area)
    return sheets.write_workbook([("办理结果", EXPORT_COLUMNS, export_rows(orders.iterator(chunk_size=500)))])
