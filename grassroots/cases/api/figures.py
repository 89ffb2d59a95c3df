"""The published figures of an area."""

from __future__ import annotations

from ninja import Field, Schema

from grassroots.accounts.scoping import OutOfScope
from grassroots.areas.codes import CodeError

from .. import metrics as case_metrics
from .. import selectors
from ..workflow import CaseError
from .common import (  # the shared schemas and answer
    router,
)

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
