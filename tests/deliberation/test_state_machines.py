"""Hypothesis state machines over the real services and database: members, former members, outsiders and
staff act in any order — opinions, corrections, drafts, votes, tallies, signatures, refusals, seat changes,
publication — and whatever happens:

- no decision is published without its required records: for the five-person group, a passed vote
  (⅔ present, more than ½ of them agreeing, as recounted from the ballots) and a signature from the member
  in every one of the five seats, each signed from that member's own account, and no refusal;
  for 四议两公开, a passed party members' review (tally) and a passed representatives' vote, in the same round;
- a refused action changes nothing;
- no recorded opinion, ballot or signature ever changes or disappears.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from grassroots.deliberation import services
from grassroots.deliberation.models import (
    Ballot,
    Choice,
    Membership,
    Opinion,
    Resolution,
    Signature,
    Stance,
    Tally,
)
from grassroots.deliberation.process import HALF, TWO_THIRDS, majority_needed, quorum_needed
from grassroots.errors import DomainError
from tests.deliberation.factories import (
    GRID,
    OTHER_GRID,
    five_person_group,
    four_two_committee,
    fresh,
    manager,
    propose,
    resident,
)

pytestmark = pytest.mark.django_db

# Each example is a fresh topic driven through up to 60 actions against the database; the count may be
# raised with DELIBERATION_MACHINE_EXAMPLES. The rules explored are the services', not the database's: the
# suite's SQLite run explores 30 sequences, its PostgreSQL run (where each action costs several round trips
# to a server) runs 10 (derandomised under CI, like every random test) under PostgreSQL's locking.
_DEFAULT_EXAMPLES = "10" if django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "30"
MACHINE_SETTINGS = settings(
    max_examples=int(os.environ.get("DELIBERATION_MACHINE_EXAMPLES", _DEFAULT_EXAMPLES)),
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
_days = itertools.count(1)


class _Deliberation(RuleBasedStateMachine):
    """Shared machinery: each example proposes a fresh topic inside a savepoint rolled back at teardown."""

    world: dict = {}
    examples = 0
    published_examples = 0  # how many examples reached publication: the property must not hold vacuously

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.committee = self.world["group"].committee
        self.spares = list(self.world["spares"])
        self.former: list = []
        self.topic = propose(self.committee, by=self.world["proposer"])
        self.seen: dict[tuple[str, int], tuple] = {}
        self.publications = 0
        type(self).examples += 1

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # helpers ------------------------------------------------------------------------------------------------

    def holders(self) -> list[Membership]:
        return list(
            Membership.objects.filter(committee=self.committee, ended_on__isnull=True)
            .select_related("user")
            .order_by("seat", "id")
        )

    def member(self, i: int):
        holders = self.holders()
        return holders[i % len(holders)].user

    def attempt(self, call, **kwargs) -> bool:
        before = fresh(self.topic)
        try:
            call(topic=before, **kwargs)
        except (DomainError, Http404):
            after = fresh(self.topic)
            assert (after.version, after.step, after.round, after.published_at) == (
                before.version,
                before.step,
                before.round,
                before.published_at,
            ), "a refused action changed the topic"
            return False
        self.topic = fresh(self.topic)
        if before.published_at is None and self.topic.published_at is not None:
            self.publications += 1
            type(self).published_examples += 1
            self.check_publication()
        return True

    def must_fail(self, call, **kwargs) -> None:
        assert not self.attempt(call, **kwargs), "someone without the seat for it acted"

    def check_publication(self) -> None:
        raise NotImplementedError

    def replace_seat(self, i: int) -> None:
        holders = self.holders()
        if not self.spares:
            return
        leaving = holders[i % len(holders)]
        day = dt.date(2025, 1, 1) + dt.timedelta(days=next(_days))
        services.membership_end(
            actor=self.world["group"].manager, membership=leaving, ended_on=day, reason="换届"
        )
        services.membership_appoint(
            actor=self.world["group"].manager,
            committee=self.committee,
            seat=leaving.seat,
            role=leaving.role,
            chosen_how=leaving.chosen_how,
            user=self.spares.pop(),
            started_on=day,
        )
        self.former.append(leaving.user)
        self.topic = fresh(self.topic)

    # invariants -------------------------------------------------------------------------------------------------

    @invariant()
    def records_are_never_changed_or_removed(self):
        rows = {
            **{
                ("opinion", o.pk): (o.stance, o.text, o.membership_id, o.corrects_id)
                for o in Opinion.objects.filter(topic=self.topic)
            },
            **{
                ("ballot", b.pk): (b.choice, b.membership_id, b.corrects_id)
                for b in Ballot.objects.filter(topic=self.topic)
            },
            **{
                ("signature", s.pk): (s.decision, s.reason, s.membership_id, s.signer_id)
                for s in Signature.objects.filter(topic=self.topic)
            },
        }
        for key, value in self.seen.items():
            assert rows.get(key) == value, f"{key} changed or vanished"
        self.seen = rows

    @invariant()
    def publication_and_carrying_out_go_together(self):
        topic = self.topic
        if topic.step in ("carry_out", "evaluate", "publish_result"):
            assert topic.published_at is not None
        if topic.published_at is not None:
            assert topic.step not in ("propose", "discuss", "resolve", "sign", "consult", "review", "decide")


class FivePersonGroupMachine(_Deliberation):
    members = st.integers(min_value=0, max_value=4)

    def check_publication(self):
        res = Resolution.objects.filter(
            topic=self.topic, step="resolve", status="passed", round=self.topic.round
        ).get()
        # the vote: five entitled, ⅔ present, more than ½ of those present agree; the stored count is not
        # more than the ballots show
        latest: dict[int, Ballot] = {}
        for ballot in Ballot.objects.filter(resolution=res).order_by("recorded_at", "id"):
            latest[ballot.membership_id] = ballot
        assert res.expected == 5
        assert res.present >= quorum_needed(5, TWO_THIRDS) and res.agree >= majority_needed(res.present, HALF)
        assert res.present <= len(latest)
        assert res.agree <= sum(b.choice == Choice.AGREE for b in latest.values())
        # the signatures: one from the member in each of the five seats, in their own name, no refusal
        sigs = list(Signature.objects.filter(resolution=res).select_related("membership"))
        assert all(s.decision == "signed" for s in sigs)
        assert all(s.signer_id == s.membership.user_id for s in sigs)
        seated = self.holders()
        assert sorted(m.seat for m in seated) == [1, 2, 3, 4, 5]
        signed = {s.membership_id for s in sigs}
        assert all(m.pk in signed for m in seated)

    def the_next_member_does_what_the_step_asks(self, i, choice):
        """Steer towards deep states: the next member who has not yet acted does the step's own action."""
        step = self.topic.step
        holders = self.holders()
        member = holders[i % len(holders)]
        if step == "propose":
            self.attempt(services.topic_put_on_agenda, actor=member.user)
        elif step == "discuss":
            done = set(
                Opinion.objects.filter(topic=self.topic, round=self.topic.round).values_list(
                    "membership", flat=True
                )
            )
            todo = [m for m in holders if m.pk not in done] or [member]
            self.attempt(services.opinion_record, actor=todo[0].user, stance="support", text="同意")
        elif step == "resolve":
            if not Resolution.objects.filter(
                topic=self.topic, round=self.topic.round, status="voting"
            ).exists():
                self.attempt(services.resolution_draft, actor=member.user, text="决议")
                return
            done = set(
                Ballot.objects.filter(topic=self.topic, resolution__status="voting").values_list(
                    "membership", flat=True
                )
            )
            todo = [m for m in holders if m.pk not in done] or [member]
            self.attempt(services.ballot_cast, actor=todo[0].user, choice=choice)
        elif step == "sign":
            done = set(
                Signature.objects.filter(resolution=self.topic.resolution).values_list(
                    "membership", flat=True
                )
            )
            todo = [m for m in holders if m.pk not in done] or [member]
            self.attempt(services.signature_sign, actor=todo[0].user)
        elif step == "publish":
            self.attempt(services.decision_publish, actor=member.user)

    @rule(i=members)
    def put_on_agenda(self, i):
        self.attempt(services.topic_put_on_agenda, actor=self.member(i))

    @rule(i=members)
    def decline(self, i):
        self.attempt(services.topic_decline, actor=self.member(i), reason="不属于本组事务")

    @rule(i=members, stance=st.sampled_from(Stance.values))
    def opinion(self, i, stance):
        self.attempt(services.opinion_record, actor=self.member(i), stance=stance, text="意见")

    @rule(i=members, stance=st.sampled_from(Stance.values))
    def correct_opinion(self, i, stance):
        actor = self.member(i)
        mine = Opinion.objects.filter(topic=self.topic, author=actor).order_by("-id").first()
        if mine is None:
            return
        before = Opinion.objects.filter(topic=self.topic).count()
        try:
            services.opinion_correct(actor=actor, opinion=mine, stance=stance, text="更正")
        except DomainError:
            assert Opinion.objects.filter(topic=self.topic).count() == before
            return
        assert Opinion.objects.filter(topic=self.topic).count() == before + 1
        self.topic = fresh(self.topic)

    @rule(i=members)
    def draft(self, i):
        self.attempt(services.resolution_draft, actor=self.member(i), text="决议")

    @rule(i=members, choice=st.sampled_from(Choice.values))
    def ballot(self, i, choice):
        self.attempt(services.ballot_cast, actor=self.member(i), choice=choice)

    @rule(i=members)
    def close_vote(self, i):
        self.attempt(services.vote_close, actor=self.member(i))

    @rule(i=members)
    def sign(self, i):
        self.attempt(services.signature_sign, actor=self.member(i))

    @rule(i=members)
    def refuse(self, i):
        self.attempt(services.signature_refuse, actor=self.member(i), reason="不同意")

    @rule(i=members)
    def publish(self, i):
        self.attempt(services.decision_publish, actor=self.member(i))

    @rule(i=members, percent=st.integers(min_value=0, max_value=100), done=st.booleans())
    def progress(self, i, percent, done):
        status = "done" if done else "in_progress"
        self.attempt(
            services.progress_record, actor=self.member(i), status=status, percent=percent, note="进展"
        )

    @rule(i=members)
    def close(self, i):
        self.attempt(services.topic_close, actor=self.member(i))

    @rule(i=members)
    def change_seat(self, i):
        self.replace_seat(i)

    @rule(
        who=st.sampled_from(["outsider", "manager", "proposer", "former"]),
        action=st.sampled_from(["sign", "ballot", "opinion", "publish", "agenda"]),
    )
    def someone_without_a_seat_tries(self, who, action):
        if who == "former":
            if not self.former:
                return
            actor = self.former[-1]
        else:
            actor = self.world[who]
        call, kwargs = {
            "sign": (services.signature_sign, {}),
            "ballot": (services.ballot_cast, {"choice": "agree"}),
            "opinion": (services.opinion_record, {"stance": "support", "text": "冒名"}),
            "publish": (services.decision_publish, {}),
            "agenda": (services.topic_put_on_agenda, {}),
        }[action]
        self.must_fail(call, actor=actor, **kwargs)


class FourTwoMachine(_Deliberation):
    members = st.integers(min_value=0, max_value=6)

    def check_publication(self):
        review = Resolution.objects.get(
            topic=self.topic, step="review", status="passed", round=self.topic.round
        )
        tally = Tally.objects.get(resolution=review)
        assert tally.present * 3 >= tally.expected * 2 and tally.agree * 2 > tally.present
        decide = Resolution.objects.get(
            topic=self.topic, step="decide", status="passed", round=self.topic.round
        )
        latest: dict[int, Ballot] = {}
        for ballot in Ballot.objects.filter(resolution=decide).order_by("recorded_at", "id"):
            latest[ballot.membership_id] = ballot
        assert decide.present * 3 >= decide.expected * 2 and decide.agree * 2 > decide.present
        assert decide.present <= len(latest)
        assert decide.agree <= sum(b.choice == Choice.AGREE for b in latest.values())

    def the_next_member_does_what_the_step_asks(self, i, choice):
        """Steer towards deep states: the party branch proposes, the two committees give opinions, the party
        members' meeting is counted with a comfortable majority, the representatives vote, the decision is
        published."""
        step = self.topic.step
        holders = self.holders()
        member = holders[i % len(holders)]
        secretary, chair = holders[0].user, holders[2].user
        if step == "propose":
            self.attempt(services.topic_put_on_agenda, actor=secretary)
        elif step == "consult":
            done = set(
                Opinion.objects.filter(topic=self.topic, round=self.topic.round).values_list(
                    "membership", flat=True
                )
            )
            todo = [m for m in holders[:4] if m.pk not in done] or [member]
            self.attempt(services.opinion_record, actor=todo[0].user, stance="support", text="同意")
        elif step == "review":
            self.attempt(
                services.tally_record,
                actor=secretary,
                text="方案",
                expected=30,
                present=24,
                agree=20,
                disagree=4,
                abstain=0,
                held_on=dt.date(2025, 4, 1),
            )
        elif step == "decide":
            if not Resolution.objects.filter(
                topic=self.topic, step="decide", round=self.topic.round, status="voting"
            ).exists():
                self.attempt(services.resolution_draft, actor=chair, text="决议")
                return
            done = set(
                Ballot.objects.filter(topic=self.topic, resolution__status="voting").values_list(
                    "membership", flat=True
                )
            )
            todo = [m for m in holders if m.pk not in done] or [member]
            self.attempt(services.ballot_cast, actor=todo[0].user, choice=choice)
        elif step == "publish_decision":
            self.attempt(services.decision_publish, actor=chair)

    @rule(i=members)
    def put_on_agenda(self, i):
        self.attempt(services.topic_put_on_agenda, actor=self.member(i))

    @rule(i=members, stance=st.sampled_from(Stance.values))
    def opinion(self, i, stance):
        self.attempt(services.opinion_record, actor=self.member(i), stance=stance, text="意见")

    @rule(
        i=members,
        expected=st.integers(min_value=1, max_value=40),
        present_share=st.floats(min_value=0, max_value=1),
        agree_share=st.floats(min_value=0, max_value=1),
    )
    def tally(self, i, expected, present_share, agree_share):
        present = round(expected * present_share)
        agree = round(present * agree_share)
        self.attempt(
            services.tally_record,
            actor=self.member(i),
            text="方案",
            expected=expected,
            present=present,
            agree=agree,
            disagree=present - agree,
            abstain=0,
            held_on=dt.date(2025, 4, 1),
        )

    @rule(i=members)
    def draft(self, i):
        self.attempt(services.resolution_draft, actor=self.member(i), text="决议")

    @rule(i=members, choice=st.sampled_from(Choice.values))
    def ballot(self, i, choice):
        self.attempt(services.ballot_cast, actor=self.member(i), choice=choice)

    @rule(i=members)
    def close_vote(self, i):
        self.attempt(services.vote_close, actor=self.member(i))

    @rule(i=members)
    def publish(self, i):
        self.attempt(services.decision_publish, actor=self.member(i))

    @rule(i=members)
    def progress_done(self, i):
        self.attempt(services.progress_record, actor=self.member(i), status="done", percent=100, note="完成")

    @rule(who=st.sampled_from(["outsider", "manager", "proposer"]))
    def someone_without_a_seat_tries_to_publish(self, who):
        self.must_fail(services.decision_publish, actor=self.world[who])
        self.must_fail(services.ballot_cast, actor=self.world[who], choice="agree")


STEERING = 12  # copies of the steering rule among the others, so that deep states are reached often


def _steer_often(machine) -> None:
    """Register the steering rule several times: hypothesis picks rules uniformly, and a publication needs
    a dozen and more steps in the right order among the adversarial ones."""
    for n in range(STEERING):

        def steer(self, i, choice):
            self.the_next_member_does_what_the_step_asks(i, choice)

        steer.__name__ = f"steer_{n}"
        choices = st.sampled_from([Choice.AGREE] * 4 + [Choice.DISAGREE, Choice.ABSTAIN])
        setattr(machine, steer.__name__, rule(i=machine.members, choice=choices)(steer))


_steer_often(FivePersonGroupMachine)
_steer_often(FourTwoMachine)


def _world(group):
    return {
        "group": group,
        "spares": [resident(GRID, display_name=f"候补{n}") for n in range(6)],
        "proposer": resident(GRID, display_name="提议人"),
        "outsider": resident(OTHER_GRID, display_name="外村人"),
        "manager": group.manager,
    }


def _run(machine, world):
    machine.world, machine.examples, machine.published_examples = world, 0, 0
    run_state_machine_as_test(machine, settings=MACHINE_SETTINGS)
    # the search did reach publications, so the property was tested, not vacuously true
    assert machine.published_examples > 0, f"none of {machine.examples} examples published a decision"


def test_no_sequence_publishes_a_five_person_decision_without_its_votes_and_five_signatures():
    _run(FivePersonGroupMachine, _world(five_person_group()))


def test_no_sequence_publishes_a_four_two_decision_without_its_review_and_vote():
    _run(FourTwoMachine, _world(four_two_committee(boss=manager())))


def test_the_five_person_machine_can_publish_at_all():
    """Guard against a vacuous property: a scripted run of the machine's own rules reaches publication."""
    FivePersonGroupMachine.world = _world(five_person_group())
    machine = FivePersonGroupMachine()
    try:
        machine.put_on_agenda(0)
        for i in range(5):
            machine.opinion(i, "support")
        machine.draft(0)
        for i in range(5):
            machine.ballot(i, "agree")
        for i in range(4):
            machine.sign(i)
        machine.change_seat(4)  # a new member takes seat 5 before signing
        machine.sign(4)
        machine.publish(0)
        assert machine.publications == 1
        machine.check_publication()
    finally:
        machine.teardown()
