"""Where a topic's current step stands: the electorate and its seats, the entries that count, the open
or passed resolution, the gates before publication, and what each member's own seat can do now. Read by the
pages and the API, and by ``workflow.py`` before and after it moves a topic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import rules
from ..models import (
    Ballot,
    Choice,
    Membership,
    Opinion,
    Resolution,
    ResolutionStatus,
    SeatRole,
    Signature,
    SignatureDecision,
    Topic,
)
from ..models import VoteMethod as StoredMethod
from ..process import (
    CLOSED,
    DECLINED,
    TERMINAL,
    Process,
    RuleKind,
    Step,
    StepKind,
    VoteMethod,
    VoteOutcome,
    kind_config,
    process_of,
    vote_outcome,
)
from ..transitions import ACTIONS, Action, allowed

Entry = TypeVar("Entry", Opinion, Ballot, Signature)

# --- the electorate and the state of a step ----------------------------------------------------------------


def seated(committee) -> list[Membership]:
    """The committee's current members, in seat order."""
    return list(
        Membership.objects.filter(committee_id=committee.pk, ended_on__isnull=True)
        .select_related("user")
        .order_by("seat", "started_on", "id")
    )


@dataclass
class SeatLine:
    """One place in a step's electorate: a seat (numbered when the kind has fixed seats) and who holds it."""

    role: str
    seat: int | None
    membership: Membership | None
    entry: Any = None  # the member's current opinion / ballot / signature in this step

    @property
    def vacant(self) -> bool:
        return self.membership is None

    @property
    def role_label(self) -> str:
        return str(SeatRole(self.role).label) if self.role in SeatRole.values else self.role

    @property
    def entry_label(self) -> str:
        """What the member recorded here: their stance, their vote, or signed / refused."""
        for getter in ("get_decision_display", "get_choice_display", "get_stance_display"):
            if self.entry is not None and hasattr(self.entry, getter):
                return str(getattr(self.entry, getter)())
        return ""


def electorate(committee, step: Step, members: list[Membership]) -> list[SeatLine]:
    """The seats whose entries a step's rule counts. A fixed seat plan counts every seat, filled or not:
    a five-person group with a vacant seat cannot reach "all five"."""
    plan = kind_config(committee.kind).seats
    if plan.exact:
        lines = []
        for number, role in enumerate(plan.fixed, start=1):
            if step.counts(role):
                holder = next((m for m in members if m.seat == number), None)
                lines.append(SeatLine(role=role, seat=number, membership=holder))
        return lines
    return [SeatLine(role=m.role, seat=m.seat, membership=m) for m in members if step.counts(m.role)]


@dataclass
class StepStatus:
    step: Step
    rule_text: str
    lines: list[SeatLine] = field(default_factory=list)
    need: int = 0
    have: int = 0
    resolution: Resolution | None = None
    outcome: VoteOutcome | None = None

    @property
    def met(self) -> bool:
        if self.step.rule.kind == RuleKind.VOTE:
            return self.outcome is not None and self.outcome.passed
        if self.step.rule.kind in (RuleKind.ALL_OPINIONS, RuleKind.ALL_SIGNATURES):
            return self.need > 0 and self.have == self.need
        return False

    @property
    def waiting_for(self) -> list[SeatLine]:
        return [line for line in self.lines if line.entry is None]


def _latest_by_member(rows: Iterable[Entry]) -> dict[int, Entry]:
    latest: dict[int, Entry] = {}
    for row in rows:  # rows come in (recorded_at, id) order: the last one per member wins
        latest[row.membership_id] = row
    return latest


def current_opinions(topic: Topic, step_key: str, round_: int) -> dict[int, Opinion]:
    return _latest_by_member(
        Opinion.objects.filter(topic_id=topic.pk, step=step_key, round=round_).order_by("recorded_at", "id")
    )


def current_ballots(resolution: Resolution) -> dict[int, Ballot]:
    return _latest_by_member(Ballot.objects.filter(resolution_id=resolution.pk).order_by("recorded_at", "id"))


def signatures_on(resolution: Resolution) -> dict[int, Signature]:
    return _latest_by_member(
        Signature.objects.filter(resolution_id=resolution.pk).order_by("recorded_at", "id")
    )


def voting_resolution(topic: Topic, step_key: str) -> Resolution | None:
    return (
        Resolution.objects.filter(
            topic_id=topic.pk, step=step_key, round=topic.round, status=ResolutionStatus.VOTING
        )
        .order_by("-id")
        .first()
    )


def passed_resolution(topic: Topic, step_key: str) -> Resolution | None:
    return (
        Resolution.objects.filter(
            topic_id=topic.pk, step=step_key, round=topic.round, status=ResolutionStatus.PASSED
        )
        .order_by("-id")
        .first()
    )


def _count_ballots(lines: list[SeatLine], ballots: dict[int, Any], rule) -> VoteOutcome:
    cast = [
        ballots[line.membership.pk] for line in lines if line.membership and line.membership.pk in ballots
    ]
    return vote_outcome(
        rule,
        expected=len(lines),
        present=len(cast),
        agree=sum(b.choice == Choice.AGREE for b in cast),
        disagree=sum(b.choice == Choice.DISAGREE for b in cast),
        abstain=sum(b.choice == Choice.ABSTAIN for b in cast),
    )


def step_status(topic: Topic, members: list[Membership] | None = None) -> StepStatus | None:
    """Where the current step stands against its rule (None for a declined or closed topic)."""
    if topic.step in TERMINAL:
        return None
    process = process_of(topic.process)
    step = process.step(topic.step)
    members = seated(topic.committee) if members is None else members
    status = StepStatus(step=step, rule_text=step.rule.describe())
    kind = step.rule.kind
    if kind == RuleKind.MANUAL:
        return status
    lines = electorate(topic.committee, step, members)
    status.lines, status.need = lines, len(lines)
    entries: dict[int, Any]
    if kind == RuleKind.ALL_OPINIONS:
        entries = current_opinions(topic, step.key, topic.round)
    elif kind == RuleKind.VOTE:
        status.resolution = voting_resolution(topic, step.key)
        entries = current_ballots(status.resolution) if status.resolution else {}
    else:  # ALL_SIGNATURES: the resolution passed in the vote step it signs
        status.resolution = passed_resolution(topic, process.vote_step_signed_in(step.key).key)
        entries = signatures_on(status.resolution) if status.resolution else {}
    for line in lines:
        if line.membership is not None:
            line.entry = entries.get(line.membership.pk)
    if kind == RuleKind.VOTE and status.resolution is not None:
        status.outcome = _count_ballots(lines, entries, step.rule)
        status.have = status.outcome.present
    elif kind == RuleKind.ALL_SIGNATURES:
        status.have = sum(
            1 for line in lines if line.entry is not None and line.entry.decision == SignatureDecision.SIGNED
        )
    else:
        status.have = sum(1 for line in lines if line.entry is not None)
    return status


def gate_problems(topic: Topic, process: Process, members: list[Membership]) -> list[str]:
    """What stands between the topic and publication: every vote and signature step before the current one
    must have passed in this round, judged from the stored, append-only records."""
    problems: list[str] = []
    for gate in process.gates_before(topic.step):
        if gate.rule.kind == RuleKind.VOTE:
            res = passed_resolution(topic, gate.key)
            if res is None:
                problems.append(gettext("No resolution passed the step “%(step)s”.") % {"step": gate.label})
                continue
            outcome = vote_outcome(
                gate.rule,
                expected=res.expected or 0,
                present=res.present or 0,
                agree=res.agree or 0,
            )
            if not outcome.passed:
                problems.append(
                    gettext("The count of “%(step)s” does not pass its rule.") % {"step": gate.label}
                )
            if res.method == StoredMethod.BALLOT:
                agreeing = sum(b.choice == Choice.AGREE for b in current_ballots(res).values())
                if agreeing < (res.agree or 0):
                    problems.append(
                        gettext("The ballots of “%(step)s” do not add up.") % {"step": gate.label}
                    )
        else:
            res = passed_resolution(topic, process.vote_step_signed_in(gate.key).key)
            lines = electorate(topic.committee, gate, members)
            signed = signatures_on(res) if res is not None else {}
            missing = [
                line
                for line in lines
                if line.membership is None
                or line.membership.pk not in signed
                or signed[line.membership.pk].decision != SignatureDecision.SIGNED
            ]
            if res is None or missing or not lines:
                problems.append(
                    gettext("The decision lacks %(n)d of its %(total)d signatures.")
                    % {"n": len(missing) if lines else 1, "total": len(lines)}
                )
    return problems


def available_actions(
    actor, topic: Topic, members: list[Membership] | None = None, status: StepStatus | None = None
) -> list[str]:
    """The actions the actor's own seat can take now, in table order: allowed by the tables, and making
    sense in the step's state (no second opinion or signature, no vote before a resolution is drafted)."""
    if not rules.is_active(actor) or topic.step in TERMINAL:
        return []
    members = seated(topic.committee) if members is None else members
    member = next((m for m in members if m.user_id == actor.pk), None)
    actions = [a for a in ACTIONS if allowed(actor, topic, a, member=member)]
    if not actions:
        return []
    status = step_status(topic, members) if status is None else status
    if status is None or member is None:
        return []
    mine = next(
        (
            line.entry
            for line in status.lines
            if line.membership is not None and line.membership.pk == member.pk
        ),
        None,
    )
    voting = status.resolution is not None
    ruled_out = set()
    if mine is not None:
        ruled_out |= {Action.OPINION, Action.SIGN, Action.REFUSE}
    if status.step.kind == StepKind.VOTE and status.step.rule.method == VoteMethod.BALLOT:
        ruled_out |= {Action.DRAFT} if voting else {Action.BALLOT, Action.CLOSE_VOTE}
    return [a for a in actions if a not in ruled_out]


# What a member still owes in a step (their "waiting for you" list): not corrections, not closing a vote
# early, not declining, not ending an open-ended evaluation, and not a vote they have already cast.
_OWED = frozenset({Action.PUT_ON_AGENDA, Action.OPINION, Action.DRAFT, Action.BALLOT, Action.TALLY, Action.SIGN,
                   Action.PUBLISH, Action.PROGRESS})  # fmt: skip


def owed_actions(
    actor, topic: Topic, *, members: list[Membership] | None = None, status: StepStatus | None = None
) -> list[str]:
    """What the actor's own seat still owes in the current step (``members`` and ``status`` when the caller
    has read them already)."""
    members = seated(topic.committee) if members is None else members
    status = step_status(topic, members) if status is None else status
    if status is None:
        return []
    actions = available_actions(actor, topic, members, status)
    voted = any(
        line.entry is not None and line.membership is not None and line.membership.user_id == actor.pk
        for line in status.lines
    )
    return [a for a in actions if a in _OWED and not (a == Action.BALLOT and voted)]


def step_label(topic: Topic, key: str | None = None) -> str:
    key = key or topic.step
    if key == DECLINED:
        return str(_("Declined"))
    if key == CLOSED:
        return str(_("Closed"))
    try:
        return str(process_of(topic.process).step(key).label)
    except KeyError:
        return key
