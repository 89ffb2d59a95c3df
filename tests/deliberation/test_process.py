"""The declarative process tables and the arithmetic of their rules (quorum, majority)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.deliberation import process
from grassroots.deliberation.models import CommitteeKind, SeatRole
from grassroots.deliberation.process import (
    FIVE_PERSON,
    FOUR_TWO,
    HALF,
    TWO_THIRDS,
    Process,
    ProcessError,
    Step,
    StepKind,
    majority_needed,
    quorum_needed,
    vote,
    vote_outcome,
)

fractions = st.fractions(min_value=0, max_value=1, max_denominator=12)
majorities = st.fractions(min_value=0, max_value=Fraction(11, 12), max_denominator=12)


@pytest.mark.parametrize(
    ("expected", "quorum", "needed"),
    [(5, TWO_THIRDS, 4), (7, TWO_THIRDS, 5), (30, TWO_THIRDS, 20), (3, TWO_THIRDS, 2)],
)
def test_quorum_examples(expected, quorum, needed):
    assert quorum_needed(expected, quorum) == needed


@pytest.mark.parametrize(("present", "needed"), [(5, 3), (4, 3), (20, 11), (1, 1), (0, 1)])
def test_more_than_half_examples(present, needed):
    assert majority_needed(present, HALF) == needed


@given(st.integers(min_value=0, max_value=500), fractions)
def test_quorum_is_the_least_count_reaching_the_share(expected, quorum):
    n = quorum_needed(expected, quorum)
    assert Fraction(n, 1) >= quorum * expected
    assert n == 0 or Fraction(n - 1, 1) < quorum * expected


@given(st.integers(min_value=0, max_value=500), majorities)
def test_majority_is_the_least_count_strictly_above_the_share(present, majority):
    n = majority_needed(present, majority)
    assert Fraction(n, 1) > majority * present
    assert Fraction(n - 1, 1) <= majority * present


@given(st.data())
def test_a_vote_passes_exactly_when_quorum_and_majority_hold(data):
    expected = data.draw(st.integers(min_value=1, max_value=200))
    present = data.draw(st.integers(min_value=0, max_value=expected))
    agree = data.draw(st.integers(min_value=0, max_value=present))
    rule = vote(quorum=data.draw(fractions), majority=data.draw(majorities))
    outcome = vote_outcome(rule, expected=expected, present=present, agree=agree, disagree=present - agree)
    by_definition = present > 0 and present >= rule.quorum * expected and agree > rule.majority * present
    assert outcome.passed == by_definition


def test_the_shipped_templates_carry_the_rules_of_the_issue():
    assert [s.kind for s in FIVE_PERSON.steps] == [
        StepKind.AGENDA,
        StepKind.DISCUSS,
        StepKind.VOTE,
        StepKind.SIGN,
        StepKind.PUBLISH,
        StepKind.CARRY_OUT,
        StepKind.EVALUATE,
    ]
    assert FIVE_PERSON.step("sign").on_fail == "discuss"
    review = FOUR_TWO.step("review")
    assert (review.rule.quorum, review.rule.majority, review.rule.method) == (TWO_THIRDS, HALF, "tally")
    assert FOUR_TWO.step("propose").actors == process.PARTY_BRANCH
    assert FOUR_TWO.step("consult").electorate == process.TWO_COMMITTEES
    assert [s.key for s in FOUR_TWO.steps if s.kind == StepKind.PUBLISH] == [
        "publish_decision",
        "publish_result",
    ]
    assert process.KINDS[CommitteeKind.FIVE_PERSON_GROUP].seats.size == 5
    assert process.KINDS[CommitteeKind.FIVE_PERSON_GROUP].seats.role_of_seat(2) == SeatRole.PARTY_GROUP_LEADER


def test_every_committee_kind_has_a_process():
    for kind in CommitteeKind.values:
        config = process.kind_config(kind)
        assert config.process in config.processes
        assert all(key in process.PROCESSES for key in config.processes)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda steps: steps[1:],  # no agenda step first
        lambda steps: [
            s for s in steps if s.kind != StepKind.VOTE and s.kind != StepKind.SIGN
        ],  # publish unvoted
        lambda steps: [replace(s, on_fail="evaluate") if s.kind == StepKind.SIGN else s for s in steps],
        lambda steps: [replace(s, on_fail=None) if s.kind == StepKind.VOTE else s for s in steps],
        lambda steps: [replace(s, rule=process.MANUAL) if s.kind == StepKind.DISCUSS else s for s in steps],
        lambda steps: [*steps, Step("closed", "x", StepKind.EVALUATE)],
    ],
)
def test_a_broken_process_table_is_refused_at_import(breakage):
    with pytest.raises(ProcessError):
        Process("broken", "broken", "broken", tuple(breakage(list(FIVE_PERSON.steps))))


def test_rule_descriptions_name_the_numbers():
    assert "2/3" in FIVE_PERSON.step("resolve").rule.describe()
    assert "1/2" in FOUR_TWO.step("review").rule.describe()
