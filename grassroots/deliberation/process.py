"""Every deliberation process in one declarative place.

A committee *kind* has a seat plan (which seats, with which roles) and a default *process*. A process is an
ordered list of *steps*; a step says what happens in it (its :class:`StepKind`), who acts (seat roles), whose
entries count (the electorate) and the :class:`Rule` that closes it. The workflow (``workflow.py``) reads
these tables and nothing else: adding a process, or changing who acts or what closes a step, is an edit
here only.

Rules (DESIGN.md section 4, "Village decisions" and "Five-person group"):

- ``all_opinions``   every seat of the electorate has a member who recorded an opinion in this round;
- ``vote``           at least ``quorum`` of the electorate present (rounded up), and *more than* ``majority``
                     of those present agree; by ballots from the members' own accounts, or as a tally
                     recorded from a meeting whose voters are not on the platform (party members);
- ``all_signatures`` every seat of the electorate has a member who signed the resolution; a refusal (with
                     its reason) returns the topic to the step named by ``on_fail``, in a new round;
- ``manual``         an acting member closes it (publish, carrying out done, evaluation closed).

The two shipped templates:

- **five-person group** (五人小组, "five mouths deliberate, ten eyes supervise, five pens sign"):
  propose → discuss (every member's opinion) → resolve (text and vote: ⅔ present, more than ½ of them agree)
  → sign (all five; a refusal returns the topic to discussion) → publish → carry out → evaluate.
  Villager councils use the same steps over their own seats.
- **four deliberations, two disclosures** (四议两公开), for village-level matters:
  the party branch proposes → the two committees discuss (every member of both) → the party members' meeting
  reviews (tally: ≥ ⅔ of party members present, more than ½ of them agree) → the villagers' representatives
  meeting decides (ballots: ≥ ⅔ present, more than ½ agree) → decision public → carrying out → result
  public → evaluate.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from grassroots.messages import Message

from .models import CommitteeKind, ProcessKey, SeatRole

# Pseudo-steps a topic ends in (not steps of any process).
DECLINED = "declined"
CLOSED = "closed"
TERMINAL = frozenset({DECLINED, CLOSED})


class StepKind(StrEnum):
    AGENDA = "agenda"  # a member puts the proposed topic on the agenda, or declines it with a public reason
    DISCUSS = "discuss"  # members record opinions
    VOTE = "vote"  # a resolution text is voted on
    SIGN = "sign"  # members sign the voted resolution, or refuse with a reason
    PUBLISH = "publish"  # a member makes the decision (or the result) public
    CARRY_OUT = "carry_out"  # progress entries until the work is done
    EVALUATE = "evaluate"  # residents rate the result; a member closes the topic


class RuleKind(StrEnum):
    MANUAL = "manual"
    ALL_OPINIONS = "all_opinions"
    VOTE = "vote"
    ALL_SIGNATURES = "all_signatures"


class VoteMethod(StrEnum):
    BALLOT = "ballot"  # each member of the electorate votes from their own account
    TALLY = "tally"  # the counts of a meeting whose voters are not members here, recorded by an acting member


class ProcessError(ValueError):
    """A process table that cannot work (raised at import, so a bad edit never reaches a request)."""


def _fraction_words(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


@dataclass(frozen=True)
class Rule:
    kind: RuleKind
    quorum: Fraction = Fraction(0)  # share of the electorate that must be present (rounded up)
    majority: Fraction = Fraction(1, 2)  # agree must be MORE than this share of those present
    method: VoteMethod = VoteMethod.BALLOT

    def describe(self) -> str:
        """What closes the step, in the active language."""
        return self.message().text()

    def message(self) -> Message:
        """What closes the step, as a message (kept on the timeline, worded in each reader's language)."""
        if self.kind == RuleKind.ALL_OPINIONS:
            return Message(_("every member's opinion is recorded"))
        if self.kind == RuleKind.ALL_SIGNATURES:
            return Message(_("every member has signed; a refusal with its reason returns the topic"))
        if self.kind == RuleKind.VOTE:
            words = {"quorum": _fraction_words(self.quorum), "majority": _fraction_words(self.majority)}
            if self.quorum:
                return Message(
                    _("at least %(quorum)s present, and more than %(majority)s of those present agree"),
                    **words,
                )
            return Message(_("more than %(majority)s of those present agree"), majority=words["majority"])
        return Message(_("an acting member closes the step"))


MANUAL = Rule(RuleKind.MANUAL)
ALL_OPINIONS = Rule(RuleKind.ALL_OPINIONS)
ALL_SIGNATURES = Rule(RuleKind.ALL_SIGNATURES)
TWO_THIRDS = Fraction(2, 3)
HALF = Fraction(1, 2)


def vote(*, quorum: Fraction = TWO_THIRDS, majority: Fraction = HALF, method=VoteMethod.BALLOT) -> Rule:
    if not (0 <= quorum <= 1 and 0 <= majority < 1):
        raise ProcessError("quorum must lie in [0, 1] and majority in [0, 1)")
    return Rule(
        RuleKind.VOTE, quorum=Fraction(quorum), majority=Fraction(majority), method=VoteMethod(method)
    )


# --- arithmetic of the rules ------------------------------------------------------------------------------


def quorum_needed(expected: int, quorum: Fraction) -> int:
    """How many of ``expected`` must be present: ``quorum`` × expected, rounded up (⅔ of 5 → 4)."""
    return -(-expected * quorum.numerator // quorum.denominator)


def majority_needed(present: int, majority: Fraction) -> int:
    """The least number of "agree" that is *more than* ``majority`` × present (½ of 4 → 3, ½ of 5 → 3)."""
    return present * majority.numerator // majority.denominator + 1


@dataclass(frozen=True)
class VoteOutcome:
    expected: int
    present: int
    agree: int
    disagree: int
    abstain: int
    quorum_needed: int
    majority_needed: int

    @property
    def quorum_met(self) -> bool:
        return self.present >= self.quorum_needed and self.present > 0

    @property
    def majority_met(self) -> bool:
        return self.agree >= self.majority_needed

    @property
    def passed(self) -> bool:
        return self.quorum_met and self.majority_met


def vote_outcome(rule: Rule, *, expected: int, present: int, agree: int, disagree: int = 0, abstain: int = 0):
    """Apply a vote rule to counts. ``present`` includes those who abstained."""
    if min(expected, present, agree, disagree, abstain) < 0:
        raise ValueError("counts cannot be negative")
    return VoteOutcome(
        expected=expected,
        present=present,
        agree=agree,
        disagree=disagree,
        abstain=abstain,
        quorum_needed=quorum_needed(expected, rule.quorum),
        majority_needed=majority_needed(present, rule.majority),
    )


# --- steps and processes ----------------------------------------------------------------------------------

EVERY_SEAT = None  # actors / electorate: every seated member of the committee

PARTY_BRANCH = frozenset({SeatRole.PARTY_SECRETARY, SeatRole.BRANCH_MEMBER})
VILLAGERS_COMMITTEE = frozenset({SeatRole.COMMITTEE_CHAIR, SeatRole.COMMITTEE_MEMBER})
TWO_COMMITTEES = PARTY_BRANCH | VILLAGERS_COMMITTEE


@dataclass(frozen=True)
class Step:
    key: str
    label: Promise
    kind: StepKind
    rule: Rule = MANUAL
    # Seat roles whose members act in this step (put on the agenda, draft, record a tally, publish ...).
    actors: frozenset[str] | None = EVERY_SEAT
    # Seat roles whose opinions, ballots or signatures the rule counts.
    electorate: frozenset[str] | None = EVERY_SEAT
    # Where a failed vote or a refused signature sends the topic (a new round begins there).
    on_fail: str | None = None
    # Who met, for a tally (the party members' meeting).
    body: Promise | None = None
    explanation: Promise | str = ""

    @property
    def is_gate(self) -> bool:
        """A step whose rule a decision must have passed before it can be published."""
        return self.rule.kind in (RuleKind.VOTE, RuleKind.ALL_SIGNATURES)

    @property
    def uses_tally(self) -> bool:
        return self.rule.kind == RuleKind.VOTE and self.rule.method == VoteMethod.TALLY

    def acts(self, role: str) -> bool:
        return self.actors is None or role in self.actors

    def counts(self, role: str) -> bool:
        return self.electorate is None or role in self.electorate


_RULE_OF_KIND = {
    StepKind.AGENDA: {RuleKind.MANUAL},
    StepKind.DISCUSS: {RuleKind.ALL_OPINIONS},
    StepKind.VOTE: {RuleKind.VOTE},
    StepKind.SIGN: {RuleKind.ALL_SIGNATURES},
    StepKind.PUBLISH: {RuleKind.MANUAL},
    StepKind.CARRY_OUT: {RuleKind.MANUAL},
    StepKind.EVALUATE: {RuleKind.MANUAL},
}


@dataclass(frozen=True)
class Process:
    key: str
    label: Promise
    summary: Promise
    steps: tuple[Step, ...]

    def __post_init__(self):
        self.validate()

    def validate(self) -> None:
        keys = [s.key for s in self.steps]
        if len(set(keys)) != len(keys):
            raise ProcessError(f"{self.key}: step keys repeat")
        if set(keys) & TERMINAL:
            raise ProcessError(f"{self.key}: {sorted(TERMINAL)} are reserved")
        if not self.steps or self.steps[0].kind != StepKind.AGENDA:
            raise ProcessError(f"{self.key}: the first step puts the topic on the agenda")
        if self.steps[-1].kind != StepKind.EVALUATE:
            raise ProcessError(f"{self.key}: the last step is the evaluation")
        kinds = [s.kind for s in self.steps]
        if StepKind.PUBLISH not in kinds or StepKind.CARRY_OUT not in kinds:
            raise ProcessError(f"{self.key}: a decision is published and carried out")
        first_publish = kinds.index(StepKind.PUBLISH)
        if not any(s.is_gate for s in self.steps[:first_publish]):
            raise ProcessError(f"{self.key}: a decision must pass a vote before it is published")
        for i, step in enumerate(self.steps):
            if step.rule.kind not in _RULE_OF_KIND[step.kind]:
                raise ProcessError(
                    f"{self.key}.{step.key}: a {step.kind} step cannot close by {step.rule.kind}"
                )
            if step.kind == StepKind.SIGN and not any(s.kind == StepKind.VOTE for s in self.steps[:i]):
                raise ProcessError(
                    f"{self.key}.{step.key}: members sign a resolution voted in an earlier step"
                )
            if step.on_fail is not None and step.on_fail not in keys[:i]:
                raise ProcessError(f"{self.key}.{step.key}: on_fail must name an earlier step")
            if step.kind in (StepKind.VOTE, StepKind.SIGN) and step.on_fail is None:
                raise ProcessError(f"{self.key}.{step.key}: say where a failed vote or refusal goes")
            if step.uses_tally and step.body is None:
                raise ProcessError(f"{self.key}.{step.key}: a tally names the body that met")

    @property
    def first(self) -> Step:
        return self.steps[0]

    def keys(self) -> list[str]:
        return [s.key for s in self.steps]

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def index(self, key: str) -> int:
        return self.keys().index(key)

    def next_key(self, key: str) -> str:
        i = self.index(key)
        return self.steps[i + 1].key if i + 1 < len(self.steps) else CLOSED

    @property
    def decision_step(self) -> Step:
        """The step whose closing makes the decision public (the first publish step)."""
        return next(s for s in self.steps if s.kind == StepKind.PUBLISH)

    def gates_before(self, key: str) -> list[Step]:
        return [s for s in self.steps[: self.index(key)] if s.is_gate]

    def vote_step_signed_in(self, key: str) -> Step:
        """The vote step whose resolution a sign step signs: the nearest vote step before it."""
        i = self.index(key)
        return next(s for s in reversed(self.steps[:i]) if s.kind == StepKind.VOTE)


# One row per step: its key, its label, its kind and the rule that closes it; who acts and whose entries count
# (every seat unless named); where a failed vote or a refusal goes; who met, for a tally; what the page says.
FIVE_PERSON = Process(
    key=ProcessKey.FIVE_PERSON,
    label=_("Deliberate, vote, every member signs"),
    summary=_(
        "Five mouths deliberate, ten eyes supervise, five pens sign: every member records an opinion, a "
        "resolution is voted, and it stands only when every member has signed."
    ),
    steps=(
        Step("propose", _("Proposed"), StepKind.AGENDA,
             explanation=_("A member puts the topic on the agenda, or declines it with a public reason.")),
        Step("discuss", _("Discussion"), StepKind.DISCUSS, ALL_OPINIONS,
             explanation=_("Every member records an opinion.")),
        Step("resolve", _("Resolution and vote"), StepKind.VOTE, vote(quorum=TWO_THIRDS, majority=HALF),
             on_fail="discuss", explanation=_("A member writes the resolution; every member votes on it.")),
        Step("sign", _("Signatures"), StepKind.SIGN, ALL_SIGNATURES, on_fail="discuss",
             explanation=_(
                 "The decision stands only when every member has signed. A member who refuses gives a "
                 "reason, and the topic returns to discussion."
             )),
        Step("publish", _("Publication"), StepKind.PUBLISH,
             explanation=_("A member publishes the decision.")),
        Step("carry_out", _("Carrying out"), StepKind.CARRY_OUT,
             explanation=_("Members record the progress until the work is done.")),
        Step("evaluate", _("Evaluation"), StepKind.EVALUATE,
             explanation=_("Residents rate the result; a member closes the topic.")),
    ),
)  # fmt: skip

FOUR_TWO = Process(
    key=ProcessKey.FOUR_TWO,
    label=_("Four deliberations, two disclosures"),
    summary=_(
        "The party branch proposes, the two committees discuss, the party members review, the villagers' "
        "representatives decide; the decision and the result are made public."
    ),
    steps=(
        Step("propose", _("Party branch proposes"), StepKind.AGENDA, actors=PARTY_BRANCH,
             explanation=_(
                 "The party branch takes the topic up as its proposal, or declines it with a public reason."
             )),
        Step("consult", _("The two committees discuss"), StepKind.DISCUSS, ALL_OPINIONS,
             actors=TWO_COMMITTEES, electorate=TWO_COMMITTEES,
             explanation=_(
                 "Every member of the party branch committee and of the villagers' committee records an "
                 "opinion."
             )),
        Step("review", _("Party members review"), StepKind.VOTE,
             vote(quorum=TWO_THIRDS, majority=HALF, method=VoteMethod.TALLY),
             actors=PARTY_BRANCH, on_fail="consult", body=_("party members' meeting"),
             explanation=_(
                 "The party members' meeting reviews the plan: at least 2/3 of the party members present, "
                 "and more than half of those present agree. The party branch records the count and the "
                 "sign-in sheet."
             )),
        Step("decide", _("Representatives decide"), StepKind.VOTE, vote(quorum=TWO_THIRDS, majority=HALF),
             actors=TWO_COMMITTEES, on_fail="consult",
             explanation=_(
                 "The villagers' (representatives') meeting decides: at least 2/3 of the representatives "
                 "present, and more than half of those present agree."
             )),
        Step("publish_decision", _("Decision made public"), StepKind.PUBLISH, actors=TWO_COMMITTEES,
             explanation=_("The two committees make the decision public.")),
        Step("carry_out", _("Carrying out"), StepKind.CARRY_OUT, actors=TWO_COMMITTEES,
             explanation=_("The villagers' committee carries the decision out and records its progress.")),
        Step("publish_result", _("Result made public"), StepKind.PUBLISH, actors=TWO_COMMITTEES,
             explanation=_("The two committees make the result public.")),
        Step("evaluate", _("Evaluation"), StepKind.EVALUATE, actors=TWO_COMMITTEES,
             explanation=_("Residents rate the result; a member closes the topic.")),
    ),
)  # fmt: skip

PROCESSES: dict[str, Process] = {p.key: p for p in (FIVE_PERSON, FOUR_TWO)}


# --- committee kinds -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatPlan:
    """Which seats a committee kind has. ``fixed``: exactly these numbered seats (seat n has role fixed[n-1]);
    otherwise any number (at least ``min_seats``) of unnumbered seats with roles from ``roles``."""

    roles: frozenset[str]
    fixed: tuple[str, ...] = ()
    min_seats: int = 1

    @property
    def exact(self) -> bool:
        return bool(self.fixed)

    @property
    def size(self) -> int | None:
        return len(self.fixed) or None

    def role_of_seat(self, seat: int) -> str | None:
        return self.fixed[seat - 1] if 1 <= seat <= len(self.fixed) else None


@dataclass(frozen=True)
class KindConfig:
    kind: str
    seats: SeatPlan
    process: str  # the default process; a committee may be set to another one of ``processes``
    processes: frozenset[str]
    needs_village_group: bool = False


KINDS: dict[str, KindConfig] = {
    CommitteeKind.FIVE_PERSON_GROUP: KindConfig(
        CommitteeKind.FIVE_PERSON_GROUP,
        SeatPlan(
            roles=frozenset({SeatRole.GROUP_LEADER, SeatRole.PARTY_GROUP_LEADER, SeatRole.ELECTED_VILLAGER}),
            # The village group leader, the party group leader and three villagers chosen for their
            # standing, education, ability and conscience.
            fixed=(
                SeatRole.GROUP_LEADER,
                SeatRole.PARTY_GROUP_LEADER,
                SeatRole.ELECTED_VILLAGER,
                SeatRole.ELECTED_VILLAGER,
                SeatRole.ELECTED_VILLAGER,
            ),
        ),
        process=ProcessKey.FIVE_PERSON,
        processes=frozenset({ProcessKey.FIVE_PERSON}),
        needs_village_group=True,
    ),
    CommitteeKind.VILLAGER_COUNCIL: KindConfig(
        CommitteeKind.VILLAGER_COUNCIL,
        SeatPlan(
            roles=frozenset({SeatRole.COUNCIL_CHAIR, SeatRole.COUNCIL_VICE_CHAIR, SeatRole.COUNCILLOR}),
            min_seats=3,
        ),
        process=ProcessKey.FIVE_PERSON,
        processes=frozenset({ProcessKey.FIVE_PERSON}),
    ),
    CommitteeKind.REPRESENTATIVES_MEETING: KindConfig(
        CommitteeKind.REPRESENTATIVES_MEETING,
        SeatPlan(roles=TWO_COMMITTEES | {SeatRole.REPRESENTATIVE}, min_seats=3),
        process=ProcessKey.FOUR_TWO,
        processes=frozenset({ProcessKey.FOUR_TWO, ProcessKey.FIVE_PERSON}),
    ),
}


def process_of(key: str) -> Process:
    return PROCESSES[key]


def kind_config(kind: str) -> KindConfig:
    return KINDS[kind]
