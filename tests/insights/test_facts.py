"""The pre-aggregated figures equal the live ones: for random case histories (rows of every shape, on
several days and places, rated or not, reopened), after the slices are refreshed one by one or all rebuilt;
through the real workflow, kept current by the tasks scheduled on commit; and proven by the rebuild command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.areas.codes import Level
from grassroots.cases import metrics, services
from grassroots.cases.metrics import COUNTED, Counts, Period
from grassroots.cases.models import Case, CaseRating, Category, Rating, RatingChannel, Source, State
from grassroots.insights import selectors
from grassroots.insights.models import COUNT_FIELDS, AreaDay, DailyFact
from grassroots.insights.services import facts_differences, facts_rebuild, facts_refresh, local_day
from tests.cases.conftest import COUNTY, G1, G2, INSIDE_G1, OTHER_COUNTY_GRID, TOWNSHIP, VILLAGE

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_the_fact_columns_are_the_counts_of_the_metrics():
    assert COUNT_FIELDS == COUNTED


# --- the formulas: one function per rate, applied to counts -----------------------------------------------------

_counts = st.builds(Counts, **{name: st.integers(0, 500) for name in COUNTED})


@settings(max_examples=200)
@given(counts=_counts, basically=st.booleans())
def test_each_published_rate_is_its_formula_applied_to_the_counts(counts, basically):
    figures = metrics.figures_from(counts, basically_counts=basically)
    assert set(figures.rates) == set(metrics.FORMULAS)
    for key, formula in metrics.FORMULAS.items():
        assert (figures[key].numerator, figures[key].denominator) == formula(counts, basically)
    assert figures.score == metrics.score(
        on_time_handling=figures["on_time_handling"].fraction,
        closure=figures["closure"].fraction,
        rework=figures["rework"].fraction,
    )


# --- random case histories --------------------------------------------------------------------------------------


def at(day: int, hour: int = 10, month: int = 3) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2025, month, day, hour, 0))


_shapes = st.fixed_dictionaries(
    {
        "stage": st.sampled_from(
            ["reported", "accepted", "dispatched", "handled", "closed", "cancelled", "shelved", "merged"]
        ),
        "place": st.sampled_from([G1, G2, VILLAGE, OTHER_COUNTY_GRID]),
        "day": st.integers(1, 31),
        # a late hour reported in local time: the day of report must be the local day, not UTC's
        "hour": st.sampled_from([0, 7, 10, 23]),
        "accept_late": st.booleans(),
        "on_time": st.booleans(),
        "rework": st.integers(0, 2),
        "reopened": st.integers(0, 2),
        "self_verified": st.integers(0, 1),
        "level": st.sampled_from([Level.GRID, Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY]),
        "source": st.sampled_from([Source.MOBILE_WEB, Source.HOTLINE, Source.PATROL]),
        "type": st.sampled_from(["0101", "0102", "0201"]),
        # ratings: none, or one or two rounds, each on a day of its own (possibly in the next month)
        "ratings": st.lists(
            st.tuples(
                st.sampled_from(Rating.values), st.sampled_from([None, True, False]), st.integers(1, 40)
            ),
            max_size=2,
        ),
        "callback": st.booleans(),
    }
)


def _case(s, categories, master) -> Case:
    day = s["day"]
    reported = at(day, s["hour"])
    fields: dict = {
        "kind": "problem",
        "source": s["source"],
        "category": categories[s["type"]],
        "urgency": "normal",
        "description": "x",
        "origin_code": s["place"],
        "area_code": s["place"],
        "level": Level.GRID if len(s["place"]) == 15 else Level.VILLAGE,
        "state": State.REPORTED,
        "reported_at": reported,
        "response_due_at": reported + dt.timedelta(hours=20),
        "reopen_count": s["reopened"],
    }
    stage = s["stage"]
    if stage != "reported" and stage != "merged":
        fields.update(
            state=State.ACCEPTED, accepted_at=reported + dt.timedelta(hours=30 if s["accept_late"] else 2)
        )
    if stage in ("dispatched", "handled", "closed", "shelved"):
        due = reported + dt.timedelta(days=5)
        fields.update(
            state=State.DISPATCHED,
            dispatched_at=reported + dt.timedelta(hours=3),
            handling_started_at=reported + dt.timedelta(hours=3),
            handling_due_at=due,
            rework_count=s["rework"],
            self_verified_count=s["self_verified"],
        )
        late = dt.timedelta(days=1 if s["on_time"] else 8)
        if stage in ("handled", "closed"):
            fields.update(state=State.HANDLED, handled_at=due - dt.timedelta(days=2) + late)
        if stage == "closed":
            fields.update(
                state=State.CLOSED,
                closed_at=due - dt.timedelta(days=1) + late,
                close_reason="verified",
                closing_level=s["level"],
                closing_code=s["place"][: {6: 15, 5: 12, 4: 9, 3: 6}[s["level"]]],
            )
        if stage == "shelved":
            fields.update(state=State.SHELVED, previous_state=State.DISPATCHED, shelved_at=reported)
    if stage == "cancelled":
        fields.update(state=State.CANCELLED, cancelled_at=reported + dt.timedelta(days=1))
    if stage == "merged":
        fields.update(
            state=State.CLOSED,
            merged_into=master,
            closed_at=reported + dt.timedelta(hours=1),
            close_reason="merged",
            closing_level=fields["level"],
            closing_code=s["place"],
        )
    return Case(**fields)


def _history(shapes) -> list[Case]:
    Case.objects.filter(merged_into__isnull=False).delete()
    Case.objects.all().delete()
    categories = {c.code: c for c in Category.objects.filter(code__in=["0101", "0102", "0201"])}
    master = Case.objects.create(
        kind="problem", source=Source.MOBILE_WEB, category=categories["0101"], description="master",
        origin_code=G1, area_code=G1, level=Level.GRID, reported_at=at(2), response_due_at=at(3),
    )  # fmt: skip
    cases = Case.objects.bulk_create([_case(s, categories, master) for s in shapes])
    rows = []
    for case, s in zip(cases, shapes, strict=True):
        for round_, (rating, solved, day) in enumerate(s["ratings"], start=1):
            rated_at = at(day - 31, 9, month=4) if day > 31 else at(day, 22)
            rows.append(
                CaseRating(
                    case=case, round=round_, rating=rating, really_solved=solved, rated_at=rated_at,
                    channel=RatingChannel.CALLBACK if s["callback"] else RatingChannel.REPORTER,
                    origin_code=case.origin_code, category=case.category, source=case.source,
                )
            )  # fmt: skip
    CaseRating.objects.bulk_create(rows)
    return [master, *cases]


PERIODS = [
    Period.month(2025, 3),
    Period.month(2025, 4),
    Period.year(2025),
    Period.parse("2025-03-05..2025-03-19"),
    Period.parse("2025-03-31..2025-04-01"),
]
AREAS = [COUNTY, TOWNSHIP, VILLAGE, G1, G2, OTHER_COUNTY_GRID, COUNTY[:4], COUNTY[:2]]


def _assert_equal_to_live():
    for code in AREAS:
        for period in PERIODS:
            for basically in (True, False):
                live = metrics.case_metrics(area_code=code, period=period, basically_counts=basically)
                stored = selectors.figures_for(area_code=code, period=period, basically_counts=basically)
                assert stored.counts == live.counts, (code, period.key)
                assert {k: r.percent for k, r in stored.rates.items()} == {
                    k: r.percent for k, r in live.rates.items()
                }
                assert stored.score == live.score


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=st.lists(_shapes, max_size=20))
def test_rebuilt_facts_equal_the_live_figures_for_random_histories(city, shapes):
    _history(shapes)
    facts_rebuild()
    _assert_equal_to_live()
    assert facts_differences() == {"facts": 0, "areas": 0}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=st.lists(_shapes, min_size=1, max_size=12))
def test_refreshing_each_slice_gives_the_rebuilt_rows(city, shapes):
    DailyFact.objects.all().delete()
    AreaDay.objects.all().delete()
    cases = _history(shapes)
    slices = {(c.origin_code, local_day(c.reported_at)) for c in cases}
    slices |= {(r.origin_code, local_day(r.rated_at)) for r in CaseRating.objects.all()}
    for code, day in sorted(slices):
        facts_refresh(area_code=code, day=day)
    assert facts_differences() == {"facts": 0, "areas": 0}
    _assert_equal_to_live()


# --- kept current through the workflow ------------------------------------------------------------------------


def _this_year(case) -> Period:
    return Period.year(timezone.localtime(case.reported_at).year)


def test_the_workflow_keeps_the_facts_current_through_the_task_queue(
    city, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_report(
            actor=city.resident, category="0101", description="x", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
        )
    year = _this_year(case)
    assert selectors.figures_for(area_code=COUNTY, period=year).counts.reported == 1
    steps = [
        lambda c: services.case_accept(actor=city.grid_worker, case=c, expected_version=c.version),
        lambda c: services.case_dispatch(
            actor=city.grid_worker, case=c, expected_version=c.version,
            target=services.dispatch_target_for_worker(city.worker_record),
        ),
        lambda c: services.case_handle(actor=city.grid_worker, case=c, expected_version=c.version, note="做了"),
        lambda c: services.case_verify(
            actor=city.supervisor, case=c, expected_version=c.version, passed=False, note="没做完"
        ),
        lambda c: services.case_handle(actor=city.grid_worker, case=c, expected_version=c.version, note="好了"),
        lambda c: services.case_verify(actor=city.supervisor, case=c, expected_version=c.version, passed=True),
        lambda c: services.case_rate(
            actor=city.resident, case=c, expected_version=c.version, rating="unsatisfied", really_solved=False
        ),
    ]  # fmt: skip
    for step in steps:
        with django_capture_on_commit_callbacks(execute=True):
            case = step(case)
        for code in (COUNTY, VILLAGE, G1):
            assert (
                selectors.figures_for(area_code=code, period=year).counts
                == metrics.case_metrics(area_code=code, period=year).counts
            )
    figures = selectors.figures_for(area_code=COUNTY, period=year)
    assert figures["closure"].percent == Decimal("100.00")
    assert figures["rework"].percent == Decimal("100.00")
    assert figures["satisfaction"].percent == Decimal("0.00")
    assert facts_differences() == {"facts": 0, "areas": 0}


def test_a_change_rolled_back_schedules_nothing(city, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.case_report(
            actor=city.resident, category="0101", description="x", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
        )
    assert callbacks  # the refresh waits for the commit
    assert not DailyFact.objects.exists()


# --- the rebuild command ----------------------------------------------------------------------------------------


def test_the_rebuild_command_rebuilds_and_proves_equality(city, capsys):
    _history(
        [
            {"stage": "closed", "place": G1, "day": 4, "hour": 23, "accept_late": False, "on_time": True,
             "rework": 1, "reopened": 1, "self_verified": 0, "level": Level.GRID, "source": Source.HOTLINE,
             "type": "0102", "ratings": [("satisfied", True, 6), ("basically", None, 35)], "callback": True},
            {"stage": "dispatched", "place": VILLAGE, "day": 9, "hour": 0, "accept_late": True,
             "on_time": False, "rework": 0, "reopened": 0, "self_verified": 0, "level": Level.GRID,
             "source": Source.MOBILE_WEB, "type": "0201", "ratings": [], "callback": False},
        ]
    )  # fmt: skip
    call_command("insights_rebuild")
    out = capsys.readouterr().out
    assert "0 differ" in out
    call_command("insights_rebuild", "--check")
    assert "rows differing: 0 facts, 0 areas" in capsys.readouterr().out

    # a stale row (say, a refresh lost with a worker) is found, and a rebuild mends it
    DailyFact.objects.filter(area_code=G1).update(reported=7)
    with pytest.raises(CommandError):
        call_command("insights_rebuild", "--check")
    call_command("insights_rebuild")
    call_command("insights_rebuild", "--check")


def test_with_the_database_queue_the_refresh_is_queued_in_the_writers_transaction(city, settings):
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    refreshes = DBTaskResult.objects.filter(task_path__endswith="facts_refresh_task")

    # a report rolled back leaves no task behind
    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        services.case_report(
            actor=city.resident, category="0101", description="x", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
        )
        assert refreshes.count() == 1  # written beside the case, committed with it
        raise Undo
    assert not refreshes.exists()

    # a report committed leaves the refresh of its slice, which the worker runs
    case = services.case_report(
        actor=city.resident, category="0101", description="x", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
    )
    (queued,) = refreshes
    assert queued.args_kwargs["args"] == [case.origin_code, local_day(case.reported_at).isoformat()]
    facts_refresh(area_code=case.origin_code, day=local_day(case.reported_at))
    assert selectors.figures_for(area_code=COUNTY, period=_this_year(case)).counts.reported == 1
