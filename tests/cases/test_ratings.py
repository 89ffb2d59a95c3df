"""Ratings are records: each closure round keeps its rating and its "really solved?" answer, a reopening
starts a new round and erases nothing, the database refuses to edit a rating, existing ratings are carried
over from the timeline, and no sequence of actions lowers the count of unsatisfied ratings."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from grassroots import clock
from grassroots.appendonly import AppendOnlyError
from grassroots.cases import metrics, services
from grassroots.cases.models import Case, CaseEvent, CaseRating, Rating, State
from grassroots.errors import DomainError, NotPermitted

from .conftest import COUNTY, G1, INSIDE_G1, reload

MARCH = metrics.Period.month(2026, 3)


def at(day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 3, day, hour, 0))


def closed_case(city, day: int = 2):
    """A resident's report, accepted, dispatched, handled and closed on ``day`` of March 2026."""
    with clock.frozen(at(day, 9)):
        case = services.case_report(
            actor=city.resident, category="0101", description="垃圾", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
        )
        case = services.case_accept(actor=city.grid_worker, case=case, expected_version=case.version)
        case = services.case_dispatch(
            actor=city.grid_worker, case=case, expected_version=case.version,
            target=services.dispatch_target_for_worker(city.worker_record),
        )  # fmt: skip
    return close_again(city, case, day)


def close_again(city, case, day: int):
    with clock.frozen(at(day, 14)):
        case = services.case_handle(
            actor=city.grid_worker, case=case, expected_version=case.version, note="做了"
        )
    with clock.frozen(at(day, 16)):
        return services.case_verify(actor=city.village, case=case, expected_version=case.version, passed=True)


def rate(city, case, day, rating, solved, **extra):
    with clock.frozen(at(day)):
        return services.case_rate(
            actor=city.resident, case=case, expected_version=case.version, rating=rating,
            really_solved=solved, **extra,
        )  # fmt: skip


# --- the reopen path ---------------------------------------------------------------------------------------------


def test_reopening_keeps_the_unsatisfied_rating_and_the_next_closure_is_rated_too(city):
    # given a closed case rated unsatisfied and not solved, reopened at once
    case = closed_case(city)
    case = rate(city, case, 3, Rating.UNSATISFIED, False, reopen_if_unsolved=True, comment="还是脏")
    assert case.state == State.ACCEPTED and case.round == 2
    # when it is dispatched, handled and closed again, and rated satisfied
    with clock.frozen(at(4, 9)):
        case = services.case_dispatch(
            actor=city.grid_worker, case=case, expected_version=case.version,
            target=services.dispatch_target_for_worker(city.worker_record),
        )  # fmt: skip
    case = close_again(city, case, 4)
    case = rate(city, case, 5, Rating.SATISFIED, True)
    # then both rounds keep their rating and answer, in the reporter's words
    rows = list(CaseRating.objects.filter(case=case).order_by("round"))
    assert [(r.round, r.rating, r.really_solved, r.comment, r.channel) for r in rows] == [
        (1, "unsatisfied", False, "还是脏", "reporter"),
        (2, "satisfied", True, "", "reporter"),
    ]
    assert rows[0].rated_by == city.resident and rows[0].rated_at == at(3)
    assert (case.rating, case.rated_round) == ("satisfied", 2)
    # and the figures count both: one of two satisfied, one of two really solved, one closure of two reopened
    figures = metrics.case_metrics(area_code=G1, period=MARCH)
    assert (figures["satisfaction"].numerator, figures["satisfaction"].denominator) == (1, 2)
    assert (figures["solved"].numerator, figures["solved"].denominator) == (1, 2)
    assert (figures["reopened"].numerator, figures["reopened"].denominator) == (1, 2)


def test_each_round_is_rated_once_and_a_reopening_opens_the_next(city):
    case = closed_case(city)
    case = rate(city, case, 3, Rating.BASICALLY, False)
    with pytest.raises(NotPermitted):
        rate(city, case, 3, Rating.SATISFIED, True)  # round 1 is rated
    assert CaseRating.objects.filter(case=case).count() == 1
    # the reporter said it was not solved, so they may reopen; the round's rating stays
    with clock.frozen(at(3, 11)):
        case = services.case_reopen(
            actor=city.resident, case=case, expected_version=case.version, reason="没修好"
        )
    assert (case.round, case.rated_round, case.rating, case.really_solved) == (2, 1, "basically", False)
    # in round 2 the reporter may not reopen again before saying round 2 was not solved either
    with clock.frozen(at(4, 9)):
        case = services.case_dispatch(
            actor=city.grid_worker, case=case, expected_version=case.version,
            target=services.dispatch_target_for_worker(city.worker_record),
        )  # fmt: skip
    case = close_again(city, case, 4)
    with clock.frozen(at(4, 17)), pytest.raises(NotPermitted):
        services.case_reopen(actor=city.resident, case=case, expected_version=case.version, reason="再开")
    case = rate(city, case, 5, Rating.SATISFIED, True)
    assert list(CaseRating.objects.filter(case=case).values_list("round", "rating")) == [
        (1, "basically"),
        (2, "satisfied"),
    ]


def test_the_case_page_shows_every_rounds_rating(client, city):
    case = closed_case(city)
    case = rate(city, case, 3, Rating.UNSATISFIED, False, reopen_if_unsolved=True)
    client.force_login(city.resident)
    page = client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-round="1"' in page and "Closure 1:" in page and "unsatisfied" in page
    detail = client.get(f"/api/v1/cases/{case.pk}").json()
    assert [(r["round"], r["rating"], r["really_solved"]) for r in detail["ratings"]] == [
        (1, "unsatisfied", False)
    ]
    assert (detail["rated_round"], detail["reopen_count"]) == (1, 1)


# --- append-only ------------------------------------------------------------------------------------------------


def test_a_rating_refuses_to_be_edited_through_the_orm(city):
    case = rate(city, closed_case(city), 3, Rating.UNSATISFIED, False)
    rating = CaseRating.objects.get(case=case)
    rating.rating = Rating.SATISFIED
    with pytest.raises(AppendOnlyError):
        rating.save()
    with pytest.raises(AppendOnlyError):
        CaseRating.objects.filter(case=case).update(rating=Rating.SATISFIED)
    with pytest.raises(AppendOnlyError):
        rating.delete()
    assert CaseRating.objects.get(case=case).rating == Rating.UNSATISFIED


def test_the_database_refuses_to_update_a_rating(city):
    case = rate(city, closed_case(city), 3, Rating.UNSATISFIED, False)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_caserating SET rating = 'satisfied'")
    assert CaseRating.objects.get(case=case).rating == Rating.UNSATISFIED


def test_a_rating_goes_only_with_its_case(city):
    case = rate(city, closed_case(city), 3, Rating.SATISFIED, True)
    Case.objects.filter(pk=case.pk).delete()
    assert not CaseRating.objects.exists()


# --- existing ratings carried over -------------------------------------------------------------------------------


def test_the_migration_rebuilds_each_rounds_rating_from_the_timeline(city):
    """A case as the old code left it: rated unsatisfied, reopened (which emptied its rating), closed again and
    rated satisfied; and a case rated with no rate event behind it (written directly)."""
    migration = importlib.import_module("grassroots.cases.migrations.0009_case_rating_rounds")
    case = closed_case(city)
    base = {"area_code": G1, "level": 6, "actor": city.resident, "actor_name": "居民"}
    handler = {"assignee_kind": ["grid_worker", ""], "assignee_name": ["网格员甲", ""]}
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(case=case, action="rate", at=at(3), note="还是脏", **base,
                      changes={"rating": ["", "unsatisfied"], "really_solved": [None, False],
                               "detail": {"rating": "unsatisfied", "really_solved": False}}),
            CaseEvent(case=case, action="reopen", at=at(3, 11), changes={"rating": ["unsatisfied", ""], **handler},
                      **base),
            CaseEvent(case=case, action="rate", at=at(5), **base,
                      changes={"detail": {"rating": "satisfied", "really_solved": True}}),
        ]
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(
        reopen_count=1, rating="satisfied", really_solved=True, rated_at=at(5), rated_round=0
    )
    other = closed_case(city, day=9)
    Case.objects.filter(pk=other.pk).update(rating="basically", really_solved=None, rated_at=at(10))
    # when the migration's step runs (twice: it is idempotent)
    migration.ratings_from_history(django_apps)
    migration.ratings_from_history(django_apps)
    # then each round has its record, with the handler of that round, and the cases their latest rating
    rows = list(CaseRating.objects.order_by("case_id", "round"))
    assert [(r.case_id, r.round, r.rating, r.really_solved, r.comment, r.rated_at) for r in rows] == [
        (case.pk, 1, "unsatisfied", False, "还是脏", at(3)),
        (case.pk, 2, "satisfied", True, "", at(5)),
        (other.pk, 1, "basically", None, "", at(10)),
    ]
    assert rows[0].assignee_name == "网格员甲" and rows[0].rated_by == city.resident
    assert rows[2].rated_by == city.resident and rows[2].origin_code == G1
    assert (reload(case).rated_round, reload(other).rated_round) == (2, 1)
    figures = metrics.case_metrics(area_code=COUNTY, period=MARCH)
    assert (figures.counts.rated, figures.counts.unsatisfied) == (3, 1)


# --- no sequence of actions lowers the count of unsatisfied ratings ----------------------------------------------


class RatingMachine(RuleBasedStateMachine):
    """Random sequences of the actions around a closure — work to a closure, rework, rate (any rating, any
    answer, reopening at once or not), reopen (by the reporter or the desk), shelve and resume — and after every
    step the unsatisfied ratings, as records and in the figures, are never fewer than before."""

    city = None

    @initialize()
    def start(self):
        self.now = at(2, 9)
        with clock.frozen(self.now):
            self.case = services.case_report(
                actor=self.city.resident,
                category="0101",
                description="垃圾",
                lon=INSIDE_G1[0],
                lat=INSIDE_G1[1],
            )
        self.unsatisfied = 0

    def _do(self, fn, **kwargs):
        fresh = reload(self.case)
        self.now += dt.timedelta(minutes=30)
        with clock.frozen(self.now), contextlib.suppress(DomainError):  # refusals are fine
            fn(case=fresh, expected_version=fresh.version, **kwargs)
        self.case = reload(self.case)

    @precondition(lambda self: self.case.state != State.CLOSED)
    @rule()
    def work_to_closure(self):
        """Whatever of accept, dispatch, handle and verify the case needs next (each may be refused)."""
        city = self.city
        self._do(services.case_accept, actor=city.grid_worker)
        self._do(
            services.case_dispatch,
            actor=city.grid_worker,
            target=services.dispatch_target_for_worker(city.worker_record),
        )
        self._do(services.case_handle, actor=city.grid_worker, note="已处理")
        self._do(services.case_verify, actor=city.village, passed=True, note="核查")

    @precondition(lambda self: self.case.state == State.DISPATCHED)
    @rule()
    def rework(self):
        self._do(services.case_handle, actor=self.city.grid_worker, note="已处理")
        self._do(services.case_verify, actor=self.city.village, passed=False, note="返工")

    @precondition(lambda self: self.case.state == State.CLOSED)
    @rule(
        rating=st.sampled_from([Rating.UNSATISFIED, Rating.BASICALLY, Rating.SATISFIED]),
        solved=st.booleans(),
        reopen=st.booleans(),
    )
    def rate(self, rating, solved, reopen):
        self._do(
            services.case_rate, actor=self.city.resident, rating=rating, really_solved=solved,
            reopen_if_unsolved=reopen,
        )  # fmt: skip

    @precondition(lambda self: self.case.state == State.CLOSED)
    @rule(by_reporter=st.booleans())
    def reopen(self, by_reporter):
        actor = self.city.resident if by_reporter else self.city.village
        self._do(services.case_reopen, actor=actor, reason="复查")

    @precondition(lambda self: self.case.state in (State.ACCEPTED, State.DISPATCHED))
    @rule()
    def shelve_and_resume(self):
        self._do(services.case_shelve, actor=self.city.village, reason="挂账")
        self._do(services.case_unshelve, actor=self.city.village)

    @invariant()
    def never_fewer_unsatisfied(self):
        records = CaseRating.objects.filter(rating=Rating.UNSATISFIED).count()
        counted = metrics.case_metrics(area_code=COUNTY, period=MARCH).counts.unsatisfied
        assert records == counted >= self.unsatisfied
        self.unsatisfied = counted


def test_no_sequence_of_actions_lowers_the_count_of_unsatisfied_ratings(city):
    RatingMachine.city = city
    run_state_machine_as_test(
        RatingMachine,
        settings=hyp_settings(
            max_examples=15, stateful_step_count=12, deadline=None, derandomize=True, database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )  # fmt: skip
