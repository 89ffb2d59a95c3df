"""The insights API (/api/v1/insights): every figure the dashboards show, from the same selectors.

Each rate comes with its numerator, denominator and definition (the formula), as on the page. A login without a
role that may read figures is refused with 403 ``not_permitted``; an area outside the caller's scope (or a code
that is no area) is 404 ``not_found``; a period that cannot be read is 422 ``invalid_period``.
"""

from __future__ import annotations

from typing import Literal

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
