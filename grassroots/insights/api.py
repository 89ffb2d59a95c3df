"""The insights API (/api/v1/insights): every figure the dashboards show, from the same selectors.

Each rate comes with its numerator, denominator and definition (the formula), as on the page. A login without a
role that may read figures is refused with 403 ``not_permitted``; an area outside the caller's scope (or a code
that is no area) is 404 ``not_found``; a period that cannot be read is 422 ``invalid_period``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from grassroots.accounts.scoping import OutOfScope
from grassroots.areas.codes import CodeError, level_of
from grassroots.cases.metrics import (
    COHORT_DEFINITION,
    RATINGS_DEFINITION,
    SCORE_DEFINITION,
    Figures,
    Period,
    PeriodError,
    default_period_key,
)
from grassroots.errors import DomainError, NotPermitted
from grassroots.masking import MaskedText

from . import selectors
from .rules import can_use_insights

router = Router(tags=["insights"])


class InsightsRateOut(Schema):
    key: str
    label: str
    percent: str | None = Field(description="rounded half up to 0.01; null when there is nothing to count")
    numerator: int
    denominator: int
    numerator_label: str
    denominator_label: str
    definition: str = Field(description="the formula, in words")


class InsightsFiguresOut(Schema):
    reported: int
    rated: int
    score: str | None = Field(description="综合指标值, out of 100; null without handled cases")
    rates: list[InsightsRateOut]


class InsightsChangeOut(Schema):
    key: str
    points: str | None = Field(description="percentage points against the previous period; null without both")


class InsightsHeadlineOut(Schema):
    area_code: str
    area_name: MaskedText
    period: MaskedText = Field(description="the period read, e.g. 2026-03")
    previous_period: MaskedText
    figures: InsightsFiguresOut
    previous_figures: InsightsFiguresOut
    changes: list[InsightsChangeOut]
    cohort_definition: str
    ratings_definition: str
    score_definition: str


class InsightsPointOut(Schema):
    key: str = Field(description="the week's Monday (YYYY-MM-DD) or the month (YYYY-MM)")
    figures: InsightsFiguresOut


class InsightsRowOut(Schema):
    key: str = Field(description="an area code, or a top-level service type's code")
    name: str
    figures: InsightsFiguresOut


class InsightsCaseOut(Schema):
    id: int
    reference: str
    state: str
    category_name: str
    area_code: str
    urge_count: int


class InsightsDashboardOut(InsightsHeadlineOut):
    weeks: list[InsightsPointOut]
    months: list[InsightsPointOut]
    areas: list[InsightsRowOut] = Field(description="each area one level below with cases, in code order")
    service_types: list[InsightsRowOut] = Field(description="top-level service types, most reported first")
    overdue: list[InsightsCaseOut] = Field(description="now: cases whose running clock is past its deadline")
    urged: list[InsightsCaseOut] = Field(description="now: open cases urged at least once, most urged first")


class InsightsAreaOut(Schema):
    code: str
    name: str


class InvalidPeriod(DomainError):
    code = "invalid_period"
    status = 422


def _allowed(request, code: str | None = None) -> None:
    if not can_use_insights(request.user):
        raise NotPermitted(_("Your role does not show case figures."))
    if code is not None:
        try:
            level_of(code)
        except CodeError:
            raise OutOfScope from None
        if not selectors.may_see(user=request.user, code=code):
            raise OutOfScope


def _period(text: str) -> Period:
    try:
        return Period.parse(text or default_period_key())
    except PeriodError as exc:
        raise InvalidPeriod(exc.message) from None


def _figures(f: Figures) -> dict:
    return {
        "reported": f.counts.reported,
        "rated": f.counts.rated,
        "score": None if f.score is None else str(f.score),
        "rates": [
            {
                "key": r.key,
                "label": str(r.label),
                "percent": None if r.percent is None else str(r.percent),
                "numerator": r.numerator,
                "denominator": r.denominator,
                "numerator_label": str(r.numerator_label),
                "denominator_label": str(r.denominator_label),
                "definition": str(r.definition),
            }
            for r in f.ordered
        ],
    }


def _headline(code: str, board: selectors.Dashboard) -> dict:
    names = selectors.area_names(codes=[code])
    return {
        "area_code": code,
        "area_name": names.get(code, code),
        "period": board.period.key,
        "previous_period": board.previous.key,
        "figures": _figures(board.figures),
        "previous_figures": _figures(board.previous_figures),
        "changes": [
            {"key": r.key, "points": None if board.change(r.key) is None else str(board.change(r.key))}
            for r in board.figures.ordered
        ],
        "cohort_definition": str(COHORT_DEFINITION),
        "ratings_definition": str(RATINGS_DEFINITION),
        "score_definition": str(SCORE_DEFINITION),
    }


def _case(case) -> dict:
    return {
        "id": case.pk,
        "reference": case.reference,
        "state": case.state,
        "category_name": case.category.shown_name,
        "area_code": case.area_code,
        "urge_count": case.urge_count,
    }


@router.get("/areas", response=list[InsightsAreaOut], summary="The areas the caller's dashboards start from")
def areas(request):
    _allowed(request)
    codes = selectors.home_areas_for(user=request.user)
    names = selectors.area_names(codes=codes)
    return [{"code": c, "name": names.get(c, c)} for c in codes]


@router.get(
    "/{code}/figures",
    response=InsightsHeadlineOut,
    summary="An area's headline figures over a period, with the period before and the change",
)
def figures(request, code: str, period: str = "", basically: bool | None = None):
    """``period``: a year (2026), a quarter (2026-Q2), a month (2026-03) or two dates
    (2026-01-01..2026-06-30); this year when empty. The period before is the year, quarter or month before,
    else as many days before."""
    _allowed(request, code)
    board = selectors.dashboard_for(area_code=code, period=_period(period), basically_counts=basically)
    return _headline(code, board)


@router.get(
    "/{code}",
    response=InsightsDashboardOut,
    summary="Everything an area's dashboard shows: headline, trends, areas below, service types, cases now",
)
def dashboard(
    request,
    code: str,
    period: str = "",
    basically: bool | None = None,
    trend: Literal["both", "weeks", "months"] = "both",
):
    _allowed(request, code)
    board = selectors.dashboard_for(area_code=code, period=_period(period), basically_counts=basically)
    overdue, urged = selectors.cases_needing_attention_for(user=request.user, area_code=code)
    return {
        **_headline(code, board),
        "weeks": [{"key": p.key, "figures": _figures(p.figures)} for p in board.weeks]
        if trend != "months"
        else [],
        "months": [{"key": p.key, "figures": _figures(p.figures)} for p in board.months]
        if trend != "weeks"
        else [],
        "areas": [{"key": r.key, "name": r.label, "figures": _figures(r.figures)} for r in board.children],
        "service_types": [
            {"key": r.key, "name": r.label, "figures": _figures(r.figures)} for r in board.types
        ],
        "overdue": [_case(c) for c in overdue],
        "urged": [_case(c) for c in urged],
    }


# --- hotspots (未诉先办) ----------------------------------------------------------------------------------------


class HotspotMethodOut(Schema):
    radius_m: int = Field(description="N: reports of one service type within this distance are neighbours")
    days: int = Field(description="M: the window, ending today")
    min_reports: int = Field(
        description="a cluster's core has this many reports within radius_m; a place "
        "above its norm has at least this many in the window"
    )
    norm_factor: int = Field(description="a place is above its norm with at least this many times its norm")
    norm_windows: int = Field(description="the norm: the mean of this many windows of M days before")
    min_reopened: int = Field(description="reopenings in the window, per place and service type")
    first_day: str
    last_day: str


class HotspotCaseOut(Schema):
    id: int
    reference: str
    state: str
    reported_at: str
    address: MaskedText


class HotspotOut(Schema):
    key: str = Field(description="stable for the same cases")
    kind: Literal["cluster", "density", "reopened"]
    category_id: int
    category_code: str
    category_name: str
    area_code: str = Field(description="the place most of its cases were routed to")
    area_name: str
    count: int = Field(description="reports (cluster, density) or reopenings (reopened)")
    lon: float | None = None
    lat: float | None = None
    spread_m: float | None = Field(None, description="cluster: the farthest case from the centre")
    norm: float | None = Field(None, description="density: the place's mean per window before")
    case_ids: list[int]
    cases: list[HotspotCaseOut] = Field(description="the newest of its cases")


class HotspotsOut(Schema):
    area_code: str
    method: HotspotMethodOut
    hotspots: list[HotspotOut]


Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class HotspotActIn(Schema):
    kind: Literal["cluster", "density", "reopened"]
    category_id: Id
    case_ids: list[Id] = Field(description="the hotspot's cases, as listed", min_length=1, max_length=2000)


class ProactiveCaseOut(Schema):
    id: int
    reference: str
    area_code: str
    replayed: bool = Field(description="true when this hotspot's case had been opened before")


class PatrolTaskOut(Schema):
    id: int
    area_code: str
    worker_name: str
    due_on: str
    created: bool = Field(description="false when this hotspot's task had been set before")


def _bounded(name: str, value: int | None) -> int:
    low, high = selectors.HOTSPOT_LIMITS[name]
    default = getattr(selectors.HotspotMethod(), name)
    if value is None:
        return default
    if not low <= value <= high:
        raise InvalidHotspotMethod(
            _("%(name)s must lie between %(low)d and %(high)d.") % {"name": name, "low": low, "high": high}
        )
    return value


class InvalidHotspotMethod(DomainError):
    code = "invalid_hotspot_method"
    status = 422


@router.get(
    "/{code}/hotspots",
    response=HotspotsOut,
    summary="Where reports recur: clusters of one service type, places above their norm, repeated reopenings",
)
def hotspots(
    request,
    code: str,
    radius_m: int | None = None,
    days: int | None = None,
    min_reports: int | None = None,
    norm_factor: int | None = None,
    min_reopened: int | None = None,
):
    from grassroots import clock

    _allowed(request, code)
    method = selectors.HotspotMethod(
        radius_m=_bounded("radius_m", radius_m),
        days=_bounded("days", days),
        min_reports=_bounded("min_reports", min_reports),
        norm_factor=_bounded("norm_factor", norm_factor),
        min_reopened=_bounded("min_reopened", min_reopened),
    )
    today = clock.today()
    first, last = method.window(today)
    found = selectors.hotspots_for(user=request.user, area_code=code, method=method, today=today)
    return {
        "area_code": code,
        "method": {
            "radius_m": method.radius_m,
            "days": method.days,
            "min_reports": method.min_reports,
            "norm_factor": method.norm_factor,
            "norm_windows": method.norm_windows,
            "min_reopened": method.min_reopened,
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
        },
        "hotspots": [
            {
                "key": h.key,
                "kind": h.kind,
                "category_id": h.category_id,
                "category_code": h.category_code,
                "category_name": h.category_name,
                "area_code": h.area_code,
                "area_name": h.area_name,
                "count": h.count,
                "lon": h.lon,
                "lat": h.lat,
                "spread_m": h.spread_m,
                "norm": h.norm,
                "case_ids": h.case_ids,
                "cases": [
                    {
                        "id": c.pk,
                        "reference": c.reference,
                        "state": c.state,
                        "reported_at": c.reported_at.isoformat(),
                        "address": c.address,
                    }
                    for c in h.cases or []
                ],
            }
            for h in found
        ],
    }


@router.post(
    "/{code}/hotspots/cases",
    response={201: ProactiveCaseOut, 200: ProactiveCaseOut},
    summary="Open a proactive case (未诉先办) for a hotspot; sent again, answers the same case (200)",
)
def hotspot_case(request, code: str, payload: HotspotActIn):
    from ninja import Status

    from . import services

    _allowed(request, code)
    case = services.hotspot_open_case(
        actor=request.user, area_code=code, kind=payload.kind, category_id=payload.category_id,
        case_ids=payload.case_ids,
    )  # fmt: skip
    replayed = bool(getattr(case, "replayed", False))
    body = {"id": case.pk, "reference": case.reference, "area_code": case.area_code, "replayed": replayed}
    return Status(200 if replayed else 201, body)


@router.post(
    "/{code}/hotspots/patrol-tasks",
    response={201: PatrolTaskOut, 200: PatrolTaskOut},
    summary="Ask the worker of a hotspot's grid to patrol it; sent again, answers the same task (200)",
)
def hotspot_patrol_task(request, code: str, payload: HotspotActIn):
    from ninja import Status

    from . import services

    _allowed(request, code)
    task, created = services.hotspot_set_patrol_task(
        actor=request.user, area_code=code, kind=payload.kind, category_id=payload.category_id,
        case_ids=payload.case_ids,
    )  # fmt: skip
    body = {
        "id": task.pk,
        "area_code": task.area_code,
        "worker_name": task.worker.name if task.worker else "",
        "due_on": task.due_on.isoformat(),
        "created": created,
    }
    return Status(201 if created else 200, body)
