"""Case metrics for an area subtree and a period: exactly the formulas of DESIGN.md section 4.

    closure 结案率 (办结率)      = closed / due to close
    on-time closure 按期结案率    = closed on time / due to close
    on-time handling 按期处置率   = handled on time / due to handle
    rework 返工率                 = failed verifications / handled
    satisfaction 满意率           = (satisfied + basically satisfied) / ratings   ("basically" configurable)
    really solved 实质性解决率    = "really solved?" answered yes / answered
    reopened 重办率               = reopenings / closures   (closures = reopenings + cases closed now)
    response 响应率               = accepted within the response limit / reported
    share closed at grid level, and at village/community level or below = closed there / closed
    closures verified by their handler 自处自核 = closures verified by whoever handled the case / closures
    department score 综合指标值   = on-time handling × 60 + closure × 30 + (1 − rework) × 10

Which cases count (the cohort): every case *reported* in the period whose *origin* (the grid or area it was
routed to when reported) lies in the subtree, except reports merged into another case as duplicates (the
case they were merged into counts for them). Of the cohort:

- due to close: accepted (立案), and neither cancelled nor shelved (挂账 cases wait outside the count);
- closed: of those, closed now; on time when closed by the handling deadline (or with no deadline, as a
  matter resolved on the spot);
- due to handle: dispatched to a handler and not shelved; handled: of those, reported back by the handler;
  on time when the (last) report back came by the handling deadline;
- failed verifications: every failed check (核查不通过) of those cases, so one case can fail twice;
- reported: the whole cohort; accepted within the response limit: accepted by its response deadline;
- reopenings: every reopening of those cases; closures: each reopened closure and each closure standing now;
- closures verified by their handler: closures of those cases that the person who handled the case (or reported
  it handled, or had it assigned) verified — possible only before the workflow refused it, and counted from the
  case timelines (``Case.self_verified_count``, migration cases 0011); verification is independent of handling.

Ratings are records of their own (``CaseRating``, one per closure round, never edited), counted apart from
the cohort: every rating *given in the period* (by the reporter, or taken by callback survey) for a case
whose origin lies in the subtree. A case rated unsatisfied and reopened keeps that rating; the rating after
its next closure counts too. The really-solved rate counts the same ratings' answers.

The figures come from two aggregate queries (``COUNT(*) FILTER (...)``/``SUM``), one over the cohort and one
over the ratings, grouped alike when broken down by child area, service type or handler — never a loop over
cases. Percentages are rounded half up to two places from the exact fractions; the score is computed from the
exact fractions, then rounded.
"""

from __future__ import annotations

import calendar as std_calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.scoping import prefix_range_q
from grassroots.areas.codes import CODE_LENGTH, Level, level_of

from .models import AssigneeKind, Case, CaseRating, Rating, RatingChannel, Source, State

HUNDREDTH = Decimal("0.01")


# --- the period ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Local dates ``start`` (inclusive) to ``end`` (exclusive), with the text it was parsed from."""

    start: dt.date
    end: dt.date
    key: str

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year + 1, 1, 1), f"{year}")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = dt.date(year, 3 * quarter - 2, 1)
        end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
        return cls(first, end, f"{year}-Q{quarter}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        days = std_calendar.monthrange(year, month)[1]
        return cls(
            dt.date(year, month, 1), dt.date(year, month, days) + dt.timedelta(days=1), f"{year}-{month:02d}"
        )

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2025`` · ``2025-Q2`` · ``2025-03`` · ``2025-01-01..2025-06-30`` (both days inclusive)."""
        text = (text or "").strip()
        try:
            if m := re.fullmatch(r"(\d{4})", text):
                return cls.year(int(m[1]))
            if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
                return cls.quarter(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
                return cls.month(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
                start, last = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
                if last >= start:
                    return cls(start, last + dt.timedelta(days=1), text)
        except ValueError:
            pass
        raise PeriodError(text)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        zone = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=zone),
            dt.datetime.combine(self.end, dt.time.min, tzinfo=zone),
        )

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)


class PeriodError(ValueError):
    def __init__(self, text: str):
        super().__init__(text)
        self.message = _(
            "The period %(text)s is not understood. Write a year (2025), a quarter (2025-Q2), a month "
            "(2025-03) or two dates (2025-01-01..2025-06-30)."
        ) % {"text": text}


# --- the counts and the rates --------------------------------------------------------------------------------


_ACCEPTED = Q(accepted_at__isnull=False)
_KEPT = ~Q(state__in=[State.CANCELLED, State.SHELVED])
_DUE_TO_CLOSE = _ACCEPTED & _KEPT
_CLOSED = _DUE_TO_CLOSE & Q(state=State.CLOSED)
_DUE_TO_HANDLE = Q(dispatched_at__isnull=False) & _KEPT
_HANDLED = _DUE_TO_HANDLE & Q(handled_at__isnull=False)
_NO_HANDLING_DEADLINE = Q(handling_due_at__isnull=True)


def _rows(*, filter: Q) -> Count:
    """COUNT of the rows matching ``filter``. Counted over ``origin_code`` (never empty) rather than the id,
    so that an index holding the cohort's columns can answer without reading the table."""
    return Count("origin_code", filter=filter)


AGGREGATES = {
    "reported": Count("*"),
    "responded_in_time": _rows(
        filter=_ACCEPTED & (Q(response_due_at__isnull=True) | Q(accepted_at__lte=F("response_due_at")))
    ),
    "due_to_close": _rows(filter=_DUE_TO_CLOSE),
    "closed": _rows(filter=_CLOSED),
    "closed_on_time": _rows(
        filter=_CLOSED & (_NO_HANDLING_DEADLINE | Q(closed_at__lte=F("handling_due_at")))
    ),
    "due_to_handle": _rows(filter=_DUE_TO_HANDLE),
    "handled": _rows(filter=_HANDLED),
    "handled_on_time": _rows(
        filter=_HANDLED & (_NO_HANDLING_DEADLINE | Q(handled_at__lte=F("handling_due_at")))
    ),
    "failed_verifications": Sum("rework_count", filter=_DUE_TO_HANDLE, default=0),
    "closed_at_grid": _rows(filter=_CLOSED & Q(closing_level=Level.GRID)),
    "closed_at_village_or_below": _rows(filter=_CLOSED & Q(closing_level__gte=Level.VILLAGE)),
    "reopened": Sum("reopen_count", default=0),
    "self_verified": Sum("self_verified_count", default=0),
}

# Over the ratings given in the period (CaseRating rows), not over the cohort of cases.
RATING_AGGREGATES = {
    "rated": Count("origin_code"),
    "satisfied": _rows(filter=Q(rating=Rating.SATISFIED)),
    "basically": _rows(filter=Q(rating=Rating.BASICALLY)),
    "unsatisfied": _rows(filter=Q(rating=Rating.UNSATISFIED)),
    "solved_answered": _rows(filter=Q(really_solved__isnull=False)),
    "solved_yes": _rows(filter=Q(really_solved=True)),
    "rated_by_callback": _rows(filter=Q(channel=RatingChannel.CALLBACK)),
}
COUNTED = (*AGGREGATES, *RATING_AGGREGATES)


@dataclass(frozen=True)
class Counts:
    reported: int = 0
    responded_in_time: int = 0
    due_to_close: int = 0
    closed: int = 0
    closed_on_time: int = 0
    due_to_handle: int = 0
    handled: int = 0
    handled_on_time: int = 0
    failed_verifications: int = 0
    closed_at_grid: int = 0
    closed_at_village_or_below: int = 0
    reopened: int = 0
    self_verified: int = 0
    rated: int = 0
    satisfied: int = 0
    basically: int = 0
    unsatisfied: int = 0
    solved_answered: int = 0
    solved_yes: int = 0
    rated_by_callback: int = 0

    @classmethod
    def from_row(cls, row: dict) -> Counts:
        """The counts an aggregate row holds (a cohort's or a ratings' row; the others are 0)."""
        return cls(**{name: int(row.get(name) or 0) for name in COUNTED})

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{name: getattr(self, name) + getattr(other, name) for name in COUNTED})

    @property
    def closures(self) -> int:
        """Every closure of the cohort's cases: each one later reopened, and each one standing now."""
        return self.reopened + self.closed


# --- the formulas: each rate is (numerator, denominator) of the counts, defined once ----------------------------
# Everything that shows a rate (the metrics page and API, the insights dashboards and their API, computed from
# pre-aggregated counts) goes through these functions with a ``Counts``: one definition per formula.


def closure(c: Counts, basically_counts: bool = True) -> tuple[int, int]:
    """结案率 (办结率) = closed / due to close."""
    return c.closed, c.due_to_close


def on_time_closure(c: Counts, basically_counts: bool = True) -> tuple[int, int]:
    """按期结案率 = closed by the handling deadline / due to close."""
    return c.closed_on_time, c.due_to_close


def on_time_handling(c: Counts, basically_counts: bool = True) -> tuple[int, int]:
    """按期处置率 = handled by the handling deadline / due to handle."""
    return c.handled_on_time, c.due_to_handle


def rework(c: Counts, basically_counts: bool = True) -> tuple[int, int]:
    """返工率 = failed verifications / handled."""
    return c.failed_verifications, c.handled


def satisfaction(c: Counts, basically_counts: bool = True) -> tuple[int, int]:
    """满意率 = (satisfied + basically satisfied) / ratings given; "basically" only when it counts."""
    return c.satisfied + (c.basically if basically_counts else 0), c.rated


def really_solved(c: Counts, basically_counts: bool = True) -> tuple[int, int]:
    """实质性解决率 = answered "really solved: yes" / answered."""
    return c.solved_yes, c.solved_answered


def reopened(c: Counts, basically_counts: bool = True) -> tuple[int, int]:
    """重办率 = reopenings / closures (reopenings + cases closed now)."""
    return c.reopened, c.closures


def response(c: Counts, basically_counts: bool = True) -> tuple[int, int]:
    """响应率 = accepted within the response limit / reported."""
    return c.responded_in_time, c.reported


def closed_at_grid(c: Counts, basically_counts: bool = True) -> tuple[int, int]:
    """小事不出网格 = closed at grid level / closed."""
    return c.closed_at_grid, c.closed


def closed_at_village(c: Counts, basically_counts: bool = True) -> tuple[int, int]:
    """大事不出社区 = closed at village / community level or below / closed."""
    return c.closed_at_village_or_below, c.closed


def self_verified(c: Counts, basically_counts: bool = True) -> tuple[int, int]:
    """自处自核 = closures verified by their handler / closures."""
    return c.self_verified, c.closures


FORMULAS = {
    "closure": closure,
    "on_time_closure": on_time_closure,
    "on_time_handling": on_time_handling,
    "rework": rework,
    "satisfaction": satisfaction,
    "solved": really_solved,
    "reopened": reopened,
    "response": response,
    "closed_at_grid": closed_at_grid,
    "closed_at_village": closed_at_village,
    "self_verified": self_verified,
}


def score(
    *, on_time_handling: Decimal | None, closure: Decimal | None, rework: Decimal | None
) -> Decimal | None:
    """综合指标值 = on-time handling × 60 + closure × 30 + (1 − rework) × 10, from the exact fractions, rounded
    half up to 0.01 (None when any of them has nothing to count)."""
    if on_time_handling is None or closure is None or rework is None:
        return None
    return (on_time_handling * 60 + closure * 30 + (1 - rework) * 10).quantize(HUNDREDTH, ROUND_HALF_UP)


@dataclass(frozen=True)
class Rate:
    """One figure: numerator / denominator, its exact fraction, the percentage shown, and its definition."""

    key: str
    label: str
    short_label: str
    numerator: int
    denominator: int
    numerator_label: str
    denominator_label: str
    definition: str

    @property
    def fraction(self) -> Decimal | None:
        if not self.denominator:
            return None
        return Decimal(self.numerator) / Decimal(self.denominator)

    @property
    def percent(self) -> Decimal | None:
        """The percentage rounded half up to 0.01 (None when nothing is due: "no figure", not 0 %)."""
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(HUNDREDTH, ROUND_HALF_UP)


def basically_counts_default() -> bool:
    return bool(getattr(settings, "CASES_SATISFACTION_COUNTS_BASICALLY", True))


@dataclass(frozen=True)
class Figures:
    counts: Counts
    basically_counts: bool
    rates: dict[str, Rate] = field(default_factory=dict)

    @property
    def score(self) -> Decimal | None:
        """综合指标值 = on-time handling × 60 + closure × 30 + (1 − rework) × 10 (None without handled cases)."""
        return score(
            on_time_handling=self.rates["on_time_handling"].fraction,
            closure=self.rates["closure"].fraction,
            rework=self.rates["rework"].fraction,
        )

    def __getitem__(self, key: str) -> Rate:
        return self.rates[key]

    @property
    def ordered(self) -> list[Rate]:
        return [self.rates[k] for k in RATE_ORDER]


RATE_ORDER = (
    "closure",
    "on_time_closure",
    "on_time_handling",
    "rework",
    "satisfaction",
    "solved",
    "reopened",
    "response",
    "closed_at_grid",
    "closed_at_village",
    "self_verified",
)

SCORE_DEFINITION = _(
    "Department score (综合指标值) = on-time handling rate × 60 + closure rate × 30 + (1 − rework rate) × 10, "
    "out of 100."
)
COHORT_DEFINITION = _(
    "Counted: every case reported in the period whose place of report lies in this area, except reports "
    "merged into another case as duplicates. Due to close: accepted, and neither cancelled nor shelved. Due "
    "to handle: dispatched to a handler and not shelved. On time: by the handling deadline of the case "
    "(matters resolved on the spot have none and count as on time)."
)
RATINGS_DEFINITION = _(
    "Ratings: every rating given in the period for a case whose place of report lies in this area, whether "
    "the reporter gave it or staff took it down in a callback survey (回访). A case is rated once per "
    "closure: a case rated unsatisfied and reopened keeps that rating, and the rating after its next closure "
    "counts as well. Ratings are never changed or removed."
)


def figures_from(counts: Counts, *, basically_counts: bool) -> Figures:
    c = counts
    satisfaction_definition = (
        _(
            "Satisfaction rate (满意率) = (satisfied + basically satisfied) / ratings given. Every rating given "
            "in the period counts, one per closure: reopening a case never removes its rating."
        )
        if basically_counts
        else _(
            "Satisfaction rate (满意率) = satisfied / ratings given; basically satisfied does not count here. "
            "Every rating given in the period counts, one per closure: reopening a case never removes its "
            "rating."
        )
    )
    rates = [
        Rate(
            "closure",
            _("Closure rate (办结率)"),
            _("closure"),
            *FORMULAS["closure"](c, basically_counts),
            _("closed"),
            _("due to close"),
            _("Closure rate (结案率, shown as 办结率) = closed / due to close."),
        ),
        Rate(
            "on_time_closure",
            _("On-time closure rate (按期结案率)"),
            _("on-time closure"),
            *FORMULAS["on_time_closure"](c, basically_counts),
            _("closed on time"),
            _("due to close"),
            _("On-time closure rate (按期结案率) = closed by the handling deadline / due to close."),
        ),
        Rate(
            "on_time_handling",
            _("On-time handling rate (按期处置率)"),
            _("on-time handling"),
            *FORMULAS["on_time_handling"](c, basically_counts),
            _("handled on time"),
            _("due to handle"),
            _("On-time handling rate (按期处置率) = handled by the handling deadline / due to handle."),
        ),
        Rate(
            "rework",
            _("Rework rate (返工率)"),
            _("rework"),
            *FORMULAS["rework"](c, basically_counts),
            _("failed verifications"),
            _("handled"),
            _("Rework rate (返工率) = failed verifications / handled. Each failed check counts."),
        ),
        Rate(
            "satisfaction",
            _("Satisfaction rate (满意率)"),
            _("satisfaction"),
            *FORMULAS["satisfaction"](c, basically_counts),
            _("satisfied or basically satisfied") if basically_counts else _("satisfied"),
            _("ratings given"),
            satisfaction_definition,
        ),
        Rate(
            "solved",
            _("Really solved rate (实质性解决率)"),
            _("really solved"),
            *FORMULAS["solved"](c, basically_counts),
            _("answered: really solved"),
            _("answered"),
            _(
                "Really solved rate (实质性解决率) = ratings saying the problem was really solved / ratings "
                "answering whether it was. The same ratings as the satisfaction rate."
            ),
        ),
        Rate(
            "reopened",
            _("Closures reopened (重办率)"),
            _("reopened"),
            *FORMULAS["reopened"](c, basically_counts),
            _("reopenings"),
            _("closures"),
            _(
                "Closures reopened (重办率) = reopenings / closures, where closures = reopenings + cases closed "
                "now: every closure of a counted case, the reopened ones and the one standing."
            ),
        ),
        Rate(
            "response",
            _("Response rate (响应率)"),
            _("response"),
            *FORMULAS["response"](c, basically_counts),
            _("accepted within the response limit"),
            _("reported"),
            _("Response rate (响应率) = accepted within the response limit / reported."),
        ),
        Rate(
            "closed_at_grid",
            _("Closed in the grid (小事不出网格)"),
            _("closed in the grid"),
            *FORMULAS["closed_at_grid"](c, basically_counts),
            _("closed at grid level"),
            _("closed"),
            _("Share closed at grid level = closed at grid level / closed."),
        ),
        Rate(
            "closed_at_village",
            _("Closed in the village or community (大事不出社区)"),
            _("closed in the village"),
            *FORMULAS["closed_at_village"](c, basically_counts),
            _("closed at village / community level or below"),
            _("closed"),
            _("Share closed at village / community level or below = closed there / closed."),
        ),
        Rate(
            "self_verified",
            _("Closures verified by their handler (自处自核)"),
            _("self-verified"),
            *FORMULAS["self_verified"](c, basically_counts),
            _("closures verified by their handler"),
            _("closures"),
            _(
                "Closures verified by their handler (自处自核) = closures verified by the person who handled the "
                "case or reported it handled / closures. Verification is independent of handling: the workflow "
                "refuses such a verification, so these are closures from before the rule, counted from the case "
                "timelines; the figure should be 0 %."
            ),
        ),
    ]
    return Figures(counts, basically_counts, {r.key: r for r in rates})


# --- the queries ----------------------------------------------------------------------------------------------


def under(field: str, code: str) -> Q:
    """Rows whose area code ``field`` lies in the subtree of ``code`` (one indexed prefix match).

    On SQLite the same condition is also said as a range (``accounts.scoping.prefix_range_q``), because
    SQLite's LIKE cannot use an index and its range can; PostgreSQL uses its pattern index for the prefix and
    would only misjudge the rows of the two conditions together.
    """
    q = Q(**{f"{field}__startswith": code})
    if connection.vendor == "sqlite":
        q &= prefix_range_q(field, code)
    return q


def _cohort(area_code: str, period: Period):
    start, end = period.bounds()
    return Case.objects.filter(
        under("origin_code", area_code),
        reported_at__gte=start,
        reported_at__lt=end,
        merged_into__isnull=True,
    )


def _ratings(area_code: str, period: Period):
    """The ratings given in ``period`` for cases whose origin lies in the subtree of ``area_code``."""
    start, end = period.bounds()
    return CaseRating.objects.filter(under("origin_code", area_code), rated_at__gte=start, rated_at__lt=end)


def case_metrics(*, area_code: str, period: Period, basically_counts: bool | None = None) -> Figures:
    """The figures for the subtree of ``area_code`` over ``period`` (two aggregate queries: the cohort's, the
    ratings').

    Unscoped: the caller checks that the user may see the area (see ``metrics_for`` in views).
    """
    level_of(area_code)  # a malformed code raises CodeError before any query
    counts = Counts.from_row(_cohort(area_code, period).aggregate(**AGGREGATES)) + Counts.from_row(
        _ratings(area_code, period).aggregate(**RATING_AGGREGATES)
    )
    return figures_from(
        counts, basically_counts=basically_counts_default() if basically_counts is None else basically_counts
    )


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: a child area (``key`` its code) or a handler (``key`` kind:name)."""

    key: str
    figures: Figures
    label: str = ""


def case_metrics_by_handler(
    *, area_code: str, period: Period, basically_counts: bool | None = None
) -> list[Row]:
    """The figures of each department and co-building unit that handled cases of the cohort, with the ratings
    of the rounds they handled (two grouped queries): the department score (综合指标值) ranks them."""
    counted = basically_counts_default() if basically_counts is None else basically_counts
    kinds = [AssigneeKind.DEPARTMENT, AssigneeKind.UNIT]
    by_handler: dict[tuple[str, str], Counts] = {}
    for qs, aggregates in (
        (_cohort(area_code, period), AGGREGATES),
        (_ratings(area_code, period), RATING_AGGREGATES),
    ):
        rows = (
            qs.filter(assignee_kind__in=kinds)
            .values("assignee_kind", "assignee_name")
            .annotate(**aggregates)
            .order_by()
        )
        for row in rows:
            key = (row["assignee_kind"], row["assignee_name"])
            by_handler[key] = by_handler.get(key, Counts()) + Counts.from_row(row)
    out = [
        Row(f"{kind}:{name}", figures_from(counts, basically_counts=counted), label=name)
        for (kind, name), counts in by_handler.items()
    ]
    return sorted(out, key=lambda r: (r.figures.score is None, -(r.figures.score or 0), r.key))


@dataclass(frozen=True)
class Overview:
    """The figures of an area (``figures``), of each child area with cases (``children``, in code order) and of
    each top-level service type (``types``, most reported first), from one read of the cohort."""

    figures: Figures
    children: list[Row]
    types: list[Row]


def case_metrics_overview(
    *, area_code: str, period: Period, basically_counts: bool | None = None, types: bool = True
) -> Overview:
    """One grouped query over the cohort and one over the ratings, by child area and service type (each
    answered from its covering index), folded here: the area's total, each child's (cases routed to the area
    itself belong to no child) and each top-level type's, its subtypes counted in it. The metrics page read the
    cohort three times for these."""
    level = level_of(area_code)
    counted = basically_counts_default() if basically_counts is None else basically_counts
    child_length = CODE_LENGTH[Level(level + 1)] if level != Level.GRID else 0
    groups = {}
    if child_length:
        groups["child"] = Substr("origin_code", 1, child_length)
    if types:
        # category_id + 0, not the bare column: offered the bare column, SQLite walks the (category, time)
        # index to save a sort and reads every case of the cohort from the table (3 s for a county's year of
        # a million cases); the expression leaves it the metrics index, which holds the type.
        groups["type_id"] = ExpressionWrapper(F("category_id") + 0, output_field=IntegerField())
    total, by_child, by_type = Counts(), {}, {}
    for qs, aggregates in (
        (_cohort(area_code, period), AGGREGATES),
        (_ratings(area_code, period), RATING_AGGREGATES),
    ):
        if groups:
            rows = qs.annotate(**groups).values(*groups).annotate(**aggregates).order_by()
        else:  # a grid's figures alone
            rows = [qs.aggregate(**aggregates)]
        for row in rows:
            counts = Counts.from_row(row)
            total += counts
            child = row.get("child")
            if child is not None and len(child) == child_length:
                by_child[child] = by_child.get(child, Counts()) + counts
            if types:
                by_type[row["type_id"]] = by_type.get(row["type_id"], Counts()) + counts
    return Overview(
        figures_from(total, basically_counts=counted),
        [Row(code, figures_from(c, basically_counts=counted)) for code, c in sorted(by_child.items())],
        _top_types(by_type, basically_counts=counted) if types else [],
    )


def _top_types(by_type: dict[int, Counts], *, basically_counts: bool) -> list[Row]:
    """Counts by service type folded into their top-level types, most reported first."""
    from .models import Category

    types = {pk: (code, name, parent) for pk, code, name, parent in Category.objects.values_list(
        "pk", "code", "name", "parent_id"
    )}  # fmt: skip

    def top(pk):
        while types[pk][2] is not None:
            pk = types[pk][2]
        return pk

    by_top: dict[int, Counts] = {}
    for pk, counts in by_type.items():
        root = top(pk)
        by_top[root] = by_top.get(root, Counts()) + counts
    out = [
        Row(types[pk][0], figures_from(counts, basically_counts=basically_counts), label=types[pk][1])
        for pk, counts in by_top.items()
    ]
    return sorted(out, key=lambda r: (-r.figures.counts.reported, r.key))


@dataclass(frozen=True)
class ChannelRow:
    """The ratings given through one channel (the reporter, or a callback) for cases of one intake channel."""

    channel: str
    source: str
    figures: Figures

    @property
    def channel_label(self) -> str:
        return str(RatingChannel(self.channel).label)

    @property
    def source_label(self) -> str:
        return str(Source(self.source).label)


def ratings_by_channel(
    *, area_code: str, period: Period, basically_counts: bool | None = None
) -> list[ChannelRow]:
    """The ratings of the period by who gave them (the reporter, or staff in a callback) and by the channel the
    case came in through (one grouped query): where each rating in the satisfaction rate came from."""
    level_of(area_code)
    counted = basically_counts_default() if basically_counts is None else basically_counts
    rows = (
        _ratings(area_code, period)
        .values("channel", "source")
        .annotate(**RATING_AGGREGATES)
        .order_by("channel", "source")
    )
    return [
        ChannelRow(
            row["channel"], row["source"], figures_from(Counts.from_row(row), basically_counts=counted)
        )
        for row in rows
    ]


def case_metrics_by_child(
    *, area_code: str, period: Period, basically_counts: bool | None = None
) -> list[Row]:
    """The figures of each child area of ``area_code`` with cases in the cohort (one grouped query)."""
    return case_metrics_overview(
        area_code=area_code, period=period, basically_counts=basically_counts, types=False
    ).children


def case_metrics_by_type(
    *, area_code: str, period: Period, basically_counts: bool | None = None
) -> list[Row]:
    """The figures of each top-level service type (its subtypes counted in it) with cases in the cohort, most
    reported first: what the problems of an area are (``key`` the type's code, ``label`` its name)."""
    return case_metrics_overview(area_code=area_code, period=period, basically_counts=basically_counts).types


def default_period_key() -> str:
    """This year so far (the page's default period)."""
    from grassroots import clock

    return str(clock.today().year)
