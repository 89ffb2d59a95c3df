"""Case metrics: the formulas of DESIGN.md section 4 on hand-computed fixtures, the published case
(972 due, 911 closed → 93.72 %, 737 on time → 75.82 %), breakdowns, one aggregate query, and the page."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.areas.codes import Level
from grassroots.cases import metrics, services
from grassroots.cases.metrics import Period
from grassroots.cases.models import (
    AssigneeKind,
    Case,
    CaseRating,
    Category,
    Rating,
    RatingChannel,
    Source,
    State,
)

from .conftest import COUNTY, G1, G2, INSIDE_G1, OTHER_COUNTY_GRID, TOWNSHIP, VILLAGE

MARCH = Period.month(2025, 3)
_seq = itertools.count(1)


def at(day: int, hour: int = 10, month: int = 3) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2025, month, day, hour, 0))


def make(**fields) -> Case:
    """An unsaved case reported on 3 March 2025 in G1, with just the fields a metric reads."""
    defaults = {
        "kind": "problem",
        "source": Source.MOBILE_WEB,
        "category": Category.objects.get(code="0101"),
        "urgency": "normal",
        "description": f"case {next(_seq)}",
        "origin_code": G1,
        "area_code": G1,
        "level": Level.GRID,
        "state": State.REPORTED,
        "reported_at": at(3),
        "response_due_at": at(4, 17),
    }
    defaults.update(fields)
    return Case(**defaults)


def rated(cases: list[Case]) -> list[Case]:
    """Each saved case that has a rating gets its first round's record, as rating it would have written
    (the figures count these records, never the case's copy)."""
    CaseRating.objects.bulk_create(
        [
            CaseRating(
                case=c, round=1, channel=RatingChannel.REPORTER, rating=c.rating, really_solved=c.really_solved,
                rated_at=c.rated_at or c.closed_at, origin_code=c.origin_code, category=c.category,
                source=c.source, assignee_kind=c.assignee_kind, assignee_name=c.assignee_name,
            )
            for c in cases
            if c.rating
        ]
    )  # fmt: skip
    return cases


def accepted(**fields) -> dict:
    return {"state": State.ACCEPTED, "accepted_at": at(3, 15), **fields}


def dispatched(**fields) -> dict:
    base = {
        "state": State.DISPATCHED,
        "dispatched_at": at(3, 16),
        "handling_started_at": at(3, 16),
        "handling_due_at": at(10, 17),
    }
    return accepted(**{**base, **fields})


def handled(on_time=True, **fields) -> dict:
    return dispatched(**{"state": State.HANDLED, "handled_at": at(7) if on_time else at(12), **fields})


def closed(on_time=True, level=Level.GRID, **fields) -> dict:
    base = {
        "state": State.CLOSED,
        "closed_at": at(8) if on_time else at(13),
        "close_reason": "verified",
        "closing_level": level,
        "closing_code": G1[: {6: 15, 5: 12, 4: 9, 3: 6}[level]],
    }
    return handled(on_time=on_time, **{**base, **fields})


def test_the_published_case(db, city):
    # given 972 cases due to close in the county in March: 911 closed, 737 of them by their deadline
    rows = [make(**closed(on_time=True)) for _ in range(737)]
    rows += [make(**closed(on_time=False)) for _ in range(911 - 737)]
    rows += [make(**dispatched()) for _ in range(972 - 911)]
    # and cases that are not due to close: never accepted, cancelled, shelved, merged, elsewhere, earlier
    rows += [
        make(),
        make(**accepted(state=State.CANCELLED, cancelled_at=at(4), cancel_reason="重复")),
        make(**dispatched(state=State.SHELVED, previous_state=State.DISPATCHED, shelved_at=at(5))),
        make(**closed(origin_code=OTHER_COUNTY_GRID, area_code=OTHER_COUNTY_GRID)),
        make(**closed(reported_at=at(28, month=2))),
    ]
    Case.objects.bulk_create(rows)
    master = Case.objects.filter(state=State.CLOSED).first()
    Case.objects.bulk_create(
        [
            make(
                **accepted(
                    state=State.CLOSED,
                    closed_at=at(4),
                    close_reason="merged",
                    closing_level=6,
                    merged_into=master,
                )
            )
        ]
    )
    # when the county's figures for March are computed
    figures = metrics.case_metrics(area_code=COUNTY, period=MARCH)
    # then
    assert figures.counts.due_to_close == 972
    assert figures.counts.closed == 911
    assert figures.counts.closed_on_time == 737
    assert figures["closure"].percent == Decimal("93.72")
    assert figures["on_time_closure"].percent == Decimal("75.82")


@pytest.fixture
def hand(city):
    """Eleven cases of G1 in March whose every figure is computed by hand in the test below."""
    master = make(**closed())
    Case.objects.bulk_create([master])
    master = Case.objects.get()
    cases = [
        # 1 closed at grid on time, handled on time, satisfied, responded in time
        make(**closed(rating=Rating.SATISFIED, really_solved=True, rated_at=at(9))),
        # 2 escalated to the village, closed late, handled late, one rework, basically satisfied
        make(
            **closed(
                on_time=False,
                level=Level.VILLAGE,
                rework_count=1,
                rating=Rating.BASICALLY,
                rated_at=at(14),
                area_code=VILLAGE,
            )
        ),
        # 3 closed at the township on time, two reworks, unsatisfied, accepted after the response deadline
        make(
            **closed(
                level=Level.TOWNSHIP,
                rework_count=2,
                rating=Rating.UNSATISFIED,
                really_solved=False,
                rated_at=at(9),
                accepted_at=at(5),
                area_code=TOWNSHIP,
            )
        ),
        # 4 with a handler, not handled yet
        make(**dispatched()),
        # 5 handled on time, waiting for verification
        make(**handled()),
        # 6 accepted late, not dispatched
        make(**accepted(accepted_at=at(6))),
        # 7 never accepted
        make(),
        # 8 accepted then cancelled
        make(**accepted(state=State.CANCELLED, cancelled_at=at(4), cancel_reason="不属实")),
        # 9 shelved while dispatched
        make(**dispatched(state=State.SHELVED, previous_state=State.DISPATCHED, shelved_at=at(5))),
        # 10 merged into the master: counted through the master only
        make(
            **accepted(
                state=State.CLOSED,
                closed_at=at(4),
                close_reason="merged",
                closing_level=6,
                merged_into=master,
            )
        ),
        # 11 resolved on the spot: no handling deadline, satisfied
        make(
            source=Source.ON_THE_SPOT,
            state=State.CLOSED,
            accepted_at=at(3),
            dispatched_at=at(3),
            handled_at=at(3),
            closed_at=at(3),
            close_reason="on_the_spot",
            closing_level=6,
            closing_code=G1,
            rating=Rating.SATISFIED,
            rated_at=at(4),
        ),
        # outside the cohort: another county, and April
        make(**closed(origin_code=OTHER_COUNTY_GRID, area_code=OTHER_COUNTY_GRID)),
        make(**closed(reported_at=at(1, month=4))),
    ]
    rated(Case.objects.bulk_create(cases))
    return master


def test_every_formula_on_a_hand_computed_fixture(hand):
    figures = metrics.case_metrics(area_code=G1, period=MARCH, basically_counts=True)
    c = figures.counts
    # the master (closed at grid on time, no rating) is the 12th case of the cohort
    assert c.reported == 11  # 1–9, 11 and the master; the merged duplicate does not count
    assert c.responded_in_time == 8  # 1 2 4 5 8 9 11 master
    assert c.due_to_close == 8  # 1–6, 11, master
    assert c.closed == 5  # 1 2 3 11 master
    assert c.closed_on_time == 4  # 1 3 11 master
    assert c.due_to_handle == 7  # 1–5, 11, master
    assert c.handled == 6  # 1 2 3 5 11 master
    assert c.handled_on_time == 5  # 1 3 5 11 master
    assert c.failed_verifications == 3
    assert (c.rated, c.satisfied, c.basically, c.unsatisfied) == (4, 2, 1, 1)
    assert (c.solved_answered, c.solved_yes) == (2, 1)  # 1 said yes, 3 said no; 2 and 11 did not answer
    assert (c.reopened, c.closures) == (0, 5)
    assert (c.closed_at_grid, c.closed_at_village_or_below) == (3, 4)  # grid: 1 11 master; +village: 2
    assert figures["response"].percent == Decimal("72.73")  # 8/11
    assert figures["closure"].percent == Decimal("62.50")  # 5/8
    assert figures["on_time_closure"].percent == Decimal("50.00")  # 4/8
    assert figures["on_time_handling"].percent == Decimal("71.43")  # 5/7
    assert figures["rework"].percent == Decimal("50.00")  # 3/6
    assert figures["satisfaction"].percent == Decimal("75.00")  # (2+1)/4
    assert figures["solved"].percent == Decimal("50.00")  # 1/2
    assert figures["reopened"].percent == Decimal("0.00")  # 0/5
    assert figures["closed_at_grid"].percent == Decimal("60.00")  # 3/5
    assert figures["closed_at_village"].percent == Decimal("80.00")  # 4/5
    # 5/7 × 60 + 5/8 × 30 + (1 − 3/6) × 10 = 42.857142… + 18.75 + 5 = 66.607142…
    assert figures.score == Decimal("66.61")


def test_basically_satisfied_is_configurable(hand, settings):
    assert metrics.case_metrics(area_code=G1, period=MARCH, basically_counts=False)[
        "satisfaction"
    ].percent == Decimal("50.00")
    settings.CASES_SATISFACTION_COUNTS_BASICALLY = False
    figures = metrics.case_metrics(area_code=G1, period=MARCH)
    assert figures["satisfaction"].percent == Decimal("50.00")
    with translation.override("en"):  # the test reads the English wording
        assert "basically satisfied does not count" in str(figures["satisfaction"].definition)


def test_the_figures_of_an_area_include_its_whole_subtree_and_only_it(hand):
    for code in (VILLAGE, TOWNSHIP, COUNTY):
        assert metrics.case_metrics(area_code=code, period=MARCH).counts.reported == 11
    assert metrics.case_metrics(area_code=G2, period=MARCH).counts.reported == 0
    assert metrics.case_metrics(area_code="150826", period=MARCH).counts.reported == 1
    assert metrics.case_metrics(area_code=G1, period=Period.month(2025, 4)).counts.reported == 1


def test_figures_are_one_aggregate_query_of_cases_and_one_of_ratings(hand, django_assert_num_queries):
    # one over the cohort of cases, one over the ratings given
    with django_assert_num_queries(2):
        metrics.case_metrics(area_code=COUNTY, period=Period.year(2025))
    with django_assert_num_queries(2):
        metrics.case_metrics_by_child(area_code=VILLAGE, period=MARCH)
    with django_assert_num_queries(2):
        metrics.case_metrics_by_handler(area_code=COUNTY, period=MARCH)
    with django_assert_num_queries(1):
        metrics.ratings_by_channel(area_code=COUNTY, period=MARCH)


def test_nothing_due_gives_no_figure_rather_than_zero(city):
    figures = metrics.case_metrics(area_code=G2, period=MARCH)
    assert all(rate.percent is None for rate in figures.ordered)
    assert figures.score is None


def test_breakdown_by_child_area(hand):
    Case.objects.bulk_create(
        [make(**closed(origin_code=G2, area_code=G2)), make(origin_code=VILLAGE, area_code=VILLAGE, level=5)]
    )
    rows = {r.key: r.figures for r in metrics.case_metrics_by_child(area_code=VILLAGE, period=MARCH)}
    assert set(rows) == {G1, G2}  # the case routed to the village itself belongs to no grid
    assert rows[G1].counts.reported == 11 and rows[G2].counts.reported == 1
    assert rows[G2]["closure"].percent == Decimal("100.00")
    county_rows = metrics.case_metrics_by_child(area_code=COUNTY, period=MARCH)
    assert [r.key for r in county_rows] == [TOWNSHIP]
    assert county_rows[0].figures.counts.reported == 13


def test_department_score_by_handler(city):
    Case.objects.bulk_create(
        [
            make(**closed(assignee_kind=AssigneeKind.DEPARTMENT, assignee_name="住建局")),
            make(
                **closed(
                    on_time=False,
                    assignee_kind=AssigneeKind.DEPARTMENT,
                    assignee_name="住建局",
                    rework_count=1,
                )
            ),
            make(**dispatched(assignee_kind=AssigneeKind.UNIT, assignee_name="物业公司")),
            make(**closed(assignee_kind=AssigneeKind.GRID_WORKER, assignee_name="网格员甲")),
        ]
    )
    rows = metrics.case_metrics_by_handler(area_code=COUNTY, period=MARCH)
    assert [r.label for r in rows] == ["住建局", "物业公司"]
    # 住建局: on-time handling 1/2, closure 2/2, rework 1/2 → 30 + 30 + 5
    assert rows[0].figures.score == Decimal("65.00")
    # 物业公司: nothing handled yet → rework has no denominator → no score
    assert rows[1].figures.score is None


def test_metrics_follow_a_case_through_the_real_workflow(city):
    case = services.case_report(
        actor=city.resident, category="0101", description="x", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
    )
    case = services.case_accept(actor=city.grid_worker, case=case, expected_version=case.version)
    case = services.case_dispatch(
        actor=city.grid_worker,
        case=case,
        expected_version=case.version,
        target=services.dispatch_target_for_worker(city.worker_record),
    )
    case = services.case_handle(actor=city.grid_worker, case=case, expected_version=case.version, note="做了")
    case = services.case_verify(
        actor=city.supervisor, case=case, expected_version=case.version, passed=False, note="没做完"
    )
    case = services.case_handle(
        actor=city.grid_worker, case=case, expected_version=case.version, note="做完了"
    )
    case = services.case_verify(actor=city.supervisor, case=case, expected_version=case.version, passed=True)
    services.case_rate(
        actor=city.resident, case=case, expected_version=case.version, rating="satisfied", really_solved=True
    )
    this_year = Period.year(case.reported_at.astimezone(timezone.get_current_timezone()).year)
    figures = metrics.case_metrics(area_code=VILLAGE, period=this_year)
    assert figures["closure"].percent == Decimal("100.00")
    assert figures["rework"].percent == Decimal("100.00")  # one failed check for one handled case
    assert figures["satisfaction"].percent == Decimal("100.00")
    assert figures["response"].percent == Decimal("100.00")
    assert figures["closed_at_grid"].percent == Decimal("100.00")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025", dt.date(2025, 1, 1), dt.date(2026, 1, 1)),
        ("2025-Q4", dt.date(2025, 10, 1), dt.date(2026, 1, 1)),
        ("2025-q1", dt.date(2025, 1, 1), dt.date(2025, 4, 1)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 3, 1)),
        ("2025-12", dt.date(2025, 12, 1), dt.date(2026, 1, 1)),
        ("2025-01-15..2025-01-20", dt.date(2025, 1, 15), dt.date(2025, 1, 21)),
    ],
)
def test_period_parsing(text, start, end):
    period = Period.parse(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    "text", ["", "25", "2025-13", "2025-Q5", "2025-02-30..2025-03-01", "2025-03-02..2025-03-01", "x"]
)
def test_bad_periods_are_refused_with_what_to_write(text):
    with pytest.raises(metrics.PeriodError) as caught:
        Period.parse(text)
    assert "2025-Q2" in str(caught.value.message)


# --- the figures agree with a plain count over the same cases, whatever the cases ------------------------------

_case_shapes = st.fixed_dictionaries(
    {
        "stage": st.sampled_from(
            ["reported", "accepted", "dispatched", "handled", "closed", "cancelled", "shelved"]
        ),
        "accept_late": st.booleans(),
        "on_time": st.booleans(),
        "rework": st.integers(0, 3),
        "rating": st.sampled_from(["", *Rating.values]),
        "level": st.sampled_from([Level.GRID, Level.VILLAGE, Level.TOWNSHIP]),
    }
)


def _shape(s) -> Case:
    fields: dict = {}
    if s["stage"] == "accepted":
        fields = accepted()
    elif s["stage"] in ("dispatched", "shelved"):
        fields = dispatched()
    elif s["stage"] == "handled":
        fields = handled(on_time=s["on_time"])
    elif s["stage"] == "closed":
        fields = closed(on_time=s["on_time"], level=s["level"], rating=s["rating"])
    elif s["stage"] == "cancelled":
        fields = accepted(state=State.CANCELLED, cancelled_at=at(4))
    if s["stage"] == "shelved":
        fields.update(state=State.SHELVED, previous_state=State.DISPATCHED, shelved_at=at(5))
    if "accepted_at" in fields and s["accept_late"]:
        fields["accepted_at"] = at(6)
    if "dispatched_at" in fields:
        fields["rework_count"] = s["rework"]
    return make(**fields)


def _expected(cases: list[Case]) -> dict:
    def due(c):
        return c.accepted_at is not None and c.state not in (State.CANCELLED, State.SHELVED)

    def to_handle(c):
        return c.dispatched_at is not None and c.state not in (State.CANCELLED, State.SHELVED)

    closed_ = [c for c in cases if due(c) and c.state == State.CLOSED]
    handled_ = [c for c in cases if to_handle(c) and c.handled_at is not None]
    return {
        "reported": len(cases),
        "responded_in_time": sum(1 for c in cases if c.accepted_at and c.accepted_at <= c.response_due_at),
        "due_to_close": sum(1 for c in cases if due(c)),
        "closed": len(closed_),
        "closed_on_time": sum(1 for c in closed_ if c.closed_at <= c.handling_due_at),
        "due_to_handle": sum(1 for c in cases if to_handle(c)),
        "handled": len(handled_),
        "handled_on_time": sum(1 for c in handled_ if c.handled_at <= c.handling_due_at),
        "failed_verifications": sum(c.rework_count for c in cases if to_handle(c)),
        "rated": sum(1 for c in cases if c.rating),
        "reopened": 0,
        "closed_at_grid": sum(1 for c in closed_ if c.closing_level == Level.GRID),
        "closed_at_village_or_below": sum(1 for c in closed_ if c.closing_level >= Level.VILLAGE),
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=st.lists(_case_shapes, max_size=25))
def test_aggregates_match_a_plain_count(city, shapes):
    Case.objects.all().delete()
    cases = [_shape(s) for s in shapes]
    rated(Case.objects.bulk_create(cases))
    counts = metrics.case_metrics(area_code=COUNTY, period=MARCH).counts
    assert {k: getattr(counts, k) for k in _expected(cases)} == _expected(cases)


# --- the page -------------------------------------------------------------------------------------------------


def test_metrics_page_shows_figures_with_their_definitions(client, city, hand):
    client.force_login(city.village)
    response = client.get(
        reverse("cases:metrics", args=[VILLAGE]), {"period": "2025-03"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "62.50 %" in html and "5 / 8" in html  # closure
    assert "Closure rate (结案率, shown as 办结率) = closed / due to close." in html
    assert "on-time handling rate × 60 + closure rate × 30 + (1 − rework rate) × 10" in html
    assert "66.61" in html
    assert f'href="/cases/metrics/{G1}/?period=2025-03"' in html  # the grid row of the breakdown


@pytest.mark.parametrize(
    ("who", "code", "status"),
    [
        ("village", VILLAGE, 200),
        ("village", TOWNSHIP, 404),  # above their scope: the township's figures include other villages
        ("township", VILLAGE, 200),
        ("leader", COUNTY, 200),
        ("outsider", VILLAGE, 404),
        ("resident", VILLAGE, 404),
        ("department", COUNTY, 404),
    ],
)
def test_metrics_page_permissions(client, city, who, code, status):
    client.force_login(getattr(city, who))
    assert client.get(reverse("cases:metrics", args=[code])).status_code == status


def test_metrics_page_explains_a_bad_period(client, city):
    client.force_login(city.county)
    response = client.get(
        reverse("cases:metrics", args=[COUNTY]), {"period": "last year"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "is not understood" in response.content.decode()


def test_breakdown_by_service_type_folds_subtypes_into_their_top_type(hand):
    # given the eleven litter cases (0101) of the fixture, and in March two more of another subtype of 01
    # and one of another top-level type, closed
    litter_top = Category.objects.get(code="01")
    sibling = Category.objects.filter(parent=litter_top).exclude(code="0101").first()
    other = Category.objects.filter(parent__isnull=True).exclude(code="01").first()
    other_leaf = Category.objects.filter(parent=other).first() or other
    Case.objects.bulk_create(
        [make(category=sibling), make(category=sibling), make(**closed(category=other_leaf))]
    )
    # when the county's March figures are broken down by service type
    rows = metrics.case_metrics_by_type(area_code=COUNTY, period=MARCH)
    # then each top type is one row, its subtypes counted in it, most reported first, the total kept
    assert [(r.key, r.label, r.figures.counts.reported) for r in rows] == [
        ("01", litter_top.name, 13),
        (other.code, other.name, 1),
    ]
    assert rows[1].figures["closure"].percent == Decimal("100.00")
    assert (
        sum(r.figures.counts.reported for r in rows)
        == metrics.case_metrics(area_code=COUNTY, period=MARCH).counts.reported
    )


def test_the_metrics_page_shows_the_service_types(client, hand, city):
    client.force_login(city.county)
    page = client.get(f"/cases/metrics/{COUNTY}/?period=2025-03").content.decode()
    assert "metrics-types" in page and Category.objects.get(code="01").name in page


def test_the_overview_reads_cases_and_ratings_once_and_agrees_with_the_separate_figures(
    hand, django_assert_num_queries
):
    Case.objects.bulk_create(
        [make(**closed(origin_code=G2, area_code=G2)), make(origin_code=VILLAGE, area_code=VILLAGE, level=5)]
    )
    with django_assert_num_queries(3):  # the grouped reads of the cases and the ratings, the types' names
        overview = metrics.case_metrics_overview(area_code=VILLAGE, period=MARCH)
    assert overview.figures == metrics.case_metrics(area_code=VILLAGE, period=MARCH)
    assert [(r.key, r.figures) for r in overview.children] == [
        (r.key, r.figures) for r in metrics.case_metrics_by_child(area_code=VILLAGE, period=MARCH)
    ]
    assert sum(r.figures.counts.reported for r in overview.types) == overview.figures.counts.reported == 13
    # a grid has no areas below: its figures alone
    grid = metrics.case_metrics_overview(area_code=G1, period=MARCH, types=False)
    assert grid.children == [] and grid.figures == metrics.case_metrics(area_code=G1, period=MARCH)


@pytest.mark.parametrize(
    ("who", "status"),
    [("county", 200), ("leader", 200), ("supervisor", 200), ("village", 404), ("outsider", 404),
     ("resident", 404), ("department", 404), (None, 401)],
)  # fmt: skip
def test_the_figures_through_the_api_as_the_page_shows_them(client, hand, city, who, status):
    if who:
        client.force_login(getattr(city, who))
    response = client.get(f"/api/v1/cases/metrics/{COUNTY}?period=2025-03", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == status
    if status != 200:
        return
    body = response.json()
    expected = metrics.case_metrics(area_code=COUNTY, period=MARCH)
    assert (body["area_code"], body["period"], body["figures"]["reported"]) == (COUNTY, "2025-03", 11)
    closure = next(r for r in body["figures"]["rates"] if r["key"] == "closure")
    assert closure["percent"] == str(expected["closure"].percent)
    assert (closure["numerator"], closure["denominator"]) == (
        expected.counts.closed,
        expected.counts.due_to_close,
    )
    assert closure["definition"].startswith("办结率") and "已结案" in closure["definition"]
    assert [a["key"] for a in body["areas"]] == [
        r.key for r in metrics.case_metrics_by_child(area_code=COUNTY, period=MARCH)
    ]
    assert [t["key"] for t in body["service_types"]] == ["01"]


def test_the_figures_api_refuses_a_period_it_cannot_read_in_chinese(client, city):
    client.force_login(city.county)
    response = client.get(f"/api/v1/cases/metrics/{COUNTY}?period=去年", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_period" and "去年" in response.json()["message"]
    assert "/api/v1/cases/metrics/{code}" in client.get("/api/v1/openapi.json").json()["paths"]
