"""The deliberation workflow: the one place that moves a topic through its process.

``ACTIONS`` says, for every action a member takes on a topic, the kind of step it belongs to and whether
the step's *actors* (who run it) or its *electorate* (whose opinions, votes and signatures count) take it;
``process.py`` says which steps a process has, who acts and counts in each, and the rule that closes it.

:func:`perform` is the only code that changes a topic's step. It locks the topic row, checks the version
the caller saw (optimistic concurrency: the loser of a race gets :class:`TopicConflict`), finds the actor's
own seat (nobody acts for another: the seat is always the caller's), checks the tables, applies the action,
then *settles* the step: when the step's rule is met the topic moves on (all opinions → next step; every
ballot in → the vote closes, passed → next step, failed → back to the step named by ``on_fail`` in a new
round; every signature in → next step; a refusal → back in a new round). Every record it writes is
append-only and every change appends a :class:`~grassroots.deliberation.models.TopicEvent`, in the same
transaction; followers and the members who must act next are notified.

Publishing checks the gates again from the stored records, so that no sequence of actions publishes a
decision without the votes and signatures its process requires (tested with hypothesis).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.scoping import OutOfScope
from grassroots.errors import Conflict, DomainError, NotPermitted
from grassroots.notifications.services import notify

from . import rules
from .models import (
    Ballot,
    Channel,
    Choice,
    EventKind,
    Follow,
    Membership,
    Opinion,
    ProgressEntry,
    ProgressStatus,
    Resolution,
    ResolutionStatus,
    SeatRole,
    Signature,
    SignatureDecision,
    Stance,
    Tally,
    Topic,
    TopicEvent,
)
from .models import VoteMethod as StoredMethod
from .process import (
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


class DeliberationError(DomainError):
    code = "deliberation_error"


class TopicConflict(Conflict):
    code = "topic_conflict"


class ActionNotAllowed(DeliberationError):
    code = "action_not_allowed"
    status = 409


class NotAMember(NotPermitted):
    code = "not_a_member"


class Action(StrEnum):
    PUT_ON_AGENDA = "put_on_agenda"
    DECLINE = "decline"
    OPINION = "opinion"
    CORRECT_OPINION = "correct_opinion"
    DRAFT = "draft"
    BALLOT = "ballot"
    CLOSE_VOTE = "close_vote"
    TALLY = "tally"
    SIGN = "sign"
    REFUSE = "refuse"
    PUBLISH = "publish"
    PROGRESS = "progress"
    CLOSE = "close"


ACTORS, ELECTORATE, AUTHOR = "actors", "electorate", "author"


@dataclass(frozen=True)
class ActionSpec:
    action: str
    label: object
    # The kind of step the action belongs to; None: any step of an open topic (correcting one's opinion).
    step_kind: StepKind | None
    by: str  # ACTORS, ELECTORATE or AUTHOR (the member who wrote the record)
    method: VoteMethod | None = None  # vote steps: the action exists only for this voting method


ACTIONS: dict[str, ActionSpec] = {
    spec.action: spec
    for spec in (
        ActionSpec(Action.PUT_ON_AGENDA, _("Put on the agenda"), StepKind.AGENDA, ACTORS),
        ActionSpec(Action.DECLINE, _("Decline with a reason"), StepKind.AGENDA, ACTORS),
        ActionSpec(Action.OPINION, _("Record my opinion"), StepKind.DISCUSS, ELECTORATE),
        ActionSpec(Action.CORRECT_OPINION, _("Correct my opinion"), None, AUTHOR),
        ActionSpec(Action.DRAFT, _("Put a resolution to the vote"), StepKind.VOTE, ACTORS, VoteMethod.BALLOT),
        ActionSpec(Action.BALLOT, _("Vote"), StepKind.VOTE, ELECTORATE, VoteMethod.BALLOT),
        ActionSpec(Action.CLOSE_VOTE, _("Close the vote"), StepKind.VOTE, ACTORS, VoteMethod.BALLOT),
        ActionSpec(Action.TALLY, _("Record the meeting's count"), StepKind.VOTE, ACTORS, VoteMethod.TALLY),
        ActionSpec(Action.SIGN, _("Sign"), StepKind.SIGN, ELECTORATE),
        ActionSpec(Action.REFUSE, _("Refuse to sign, with a reason"), StepKind.SIGN, ELECTORATE),
        ActionSpec(Action.PUBLISH, _("Make public"), StepKind.PUBLISH, ACTORS),
        ActionSpec(Action.PROGRESS, _("Record progress"), StepKind.CARRY_OUT, ACTORS),
        ActionSpec(Action.CLOSE, _("Close the topic"), StepKind.EVALUATE, ACTORS),
    )
}


@dataclass(frozen=True)
class Origin:
    """Where an action came from: the channel, and for signatures the address and browser or app."""

    channel: str = Channel.WEB
    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request, channel: str = Channel.WEB) -> Origin:
        if request is None:
            return cls(channel=channel)
        return cls(
            channel=channel,
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )


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
    entry: object | None = None  # the member's current opinion / ballot / signature in this step

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


def _latest_by_member(rows) -> dict[int, object]:
    latest: dict[int, object] = {}
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


def _count_ballots(lines: list[SeatLine], ballots: dict[int, Ballot], rule) -> VoteOutcome:
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


# --- performing an action ---------------------------------------------------------------------------------


@dataclass
class Ctx:
    topic: Topic
    process: Process
    step: Step
    actor: object
    member: Membership | None
    members: list[Membership]
    now: dt.datetime
    origin: Origin
    moved_to: list[str] = field(default_factory=list)


def _event(
    ctx: Ctx, kind: str, *, text: str = "", detail: dict | None = None, to_step: str = "", step: str = ""
):
    return TopicEvent.objects.create(
        topic=ctx.topic,
        area_code=ctx.topic.area_code,
        kind=kind,
        step=step or ctx.step.key,
        to_step=to_step,
        round=ctx.topic.round,
        actor=ctx.actor if rules.is_active(ctx.actor) else None,
        actor_name=_name(ctx),
        text=text,
        detail=detail or {},
        at=ctx.now,
    )


def _name(ctx: Ctx) -> str:
    if ctx.member is not None:
        return ctx.member.name
    return getattr(ctx.actor, "display_name", "") or getattr(ctx.actor, "username", "")


def _move(ctx: Ctx, to_key: str) -> None:
    ctx.topic.step = to_key
    ctx.moved_to.append(to_key)
    if to_key not in TERMINAL:
        ctx.step = ctx.process.step(to_key)


def _advance(ctx: Ctx, *, event_kind=EventKind.STEP_CLOSED, text: str = "", detail=None) -> None:
    old = ctx.step.key
    new = ctx.process.next_key(old)
    _event(ctx, event_kind, text=text, detail=detail, to_step=new, step=old)
    _move(ctx, new)


def _return(ctx: Ctx, *, event_kind, text: str, detail=None) -> None:
    """A failed vote or a refusal: back to ``on_fail``, in a new round, with no current resolution."""
    old = ctx.step.key
    target = ctx.step.on_fail
    _event(ctx, event_kind, text=text, detail=detail, to_step=target, step=old)
    ctx.topic.round += 1
    ctx.topic.resolution = None
    _move(ctx, target)


def _required_text(value: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise DeliberationError(message, code="text_required")
    return value


def _put_on_agenda(ctx: Ctx, *, note: str = "") -> None:
    _event(
        ctx, EventKind.PUT_ON_AGENDA, text=(note or "").strip(), to_step=ctx.process.next_key(ctx.step.key)
    )
    _move(ctx, ctx.process.next_key(ctx.step.key))


def _decline(ctx: Ctx, *, reason: str) -> None:
    reason = _required_text(reason, _("Say why the topic is declined: the reason is shown to everyone."))
    ctx.topic.decline_reason = reason
    ctx.topic.closed_at = ctx.now
    _event(ctx, EventKind.DECLINED, text=reason, to_step=DECLINED)
    _move(ctx, DECLINED)


def _opinion(ctx: Ctx, *, stance: str, text: str) -> None:
    if stance not in Stance.values:
        raise DeliberationError(_("Choose support, oppose or with reservations."), code="bad_stance")
    text = _required_text(text, _("Write your opinion: a few words are enough."))
    if ctx.member.pk in current_opinions(ctx.topic, ctx.step.key, ctx.topic.round):
        raise ActionNotAllowed(
            _("You have already given your opinion in this round; correct it instead."), code="opinion_exists"
        )
    opinion = Opinion.objects.create(
        topic=ctx.topic,
        area_code=ctx.topic.area_code,
        step=ctx.step.key,
        round=ctx.topic.round,
        membership=ctx.member,
        author=ctx.actor,
        author_name=ctx.member.name,
        stance=stance,
        text=text,
        channel=ctx.origin.channel,
        recorded_at=ctx.now,
    )
    _event(ctx, EventKind.OPINION, text=text, detail={"opinion": opinion.pk, "stance": stance})


def _correct_opinion(ctx: Ctx, *, opinion: Opinion, stance: str, text: str) -> None:
    if stance not in Stance.values:
        raise DeliberationError(_("Choose support, oppose or with reservations."), code="bad_stance")
    text = _required_text(text, _("Write the corrected opinion."))
    original = Opinion.objects.filter(pk=getattr(opinion, "pk", opinion), topic_id=ctx.topic.pk).first()
    if original is None or original.membership_id != ctx.member.pk:
        raise NotPermitted(_("You can correct only your own opinion."), code="not_your_opinion")
    if original.corrections.exists():
        raise ActionNotAllowed(
            _("This opinion has already been corrected; correct the latest version."),
            code="already_corrected",
        )
    correction = Opinion.objects.create(
        topic=ctx.topic,
        area_code=ctx.topic.area_code,
        step=original.step,
        round=original.round,
        membership=ctx.member,
        author=ctx.actor,
        author_name=ctx.member.name,
        stance=stance,
        text=text,
        corrects=original,
        channel=ctx.origin.channel,
        recorded_at=ctx.now,
    )
    _event(
        ctx,
        EventKind.OPINION_CORRECTED,
        text=text,
        detail={"opinion": correction.pk, "corrects": original.pk, "stance": stance, "was": original.stance},
    )


def _draft(ctx: Ctx, *, text: str, meeting=None) -> None:
    text = _required_text(text, _("Write the resolution that members will vote on."))
    if voting_resolution(ctx.topic, ctx.step.key) is not None:
        raise ActionNotAllowed(_("A resolution is already being voted on."), code="vote_open")
    _check_meeting(ctx, meeting)
    res = Resolution.objects.create(
        topic=ctx.topic,
        area_code=ctx.topic.area_code,
        step=ctx.step.key,
        round=ctx.topic.round,
        text=text,
        method=StoredMethod.BALLOT,
        drafted_by=ctx.actor,
        drafted_by_name=ctx.member.name,
        drafted_at=ctx.now,
        meeting=meeting,
    )
    ctx.topic.resolution = res
    _event(ctx, EventKind.RESOLUTION_DRAFTED, text=text, detail={"resolution": res.pk})


def _check_meeting(ctx: Ctx, meeting) -> None:
    if meeting is not None and meeting.committee_id != ctx.topic.committee_id:
        raise DeliberationError(_("That meeting belongs to another committee."), code="wrong_meeting")


def _ballot(ctx: Ctx, *, choice: str) -> None:
    if choice not in Choice.values:
        raise DeliberationError(_("Choose agree, disagree or abstain."), code="bad_choice")
    res = voting_resolution(ctx.topic, ctx.step.key)
    if res is None:
        raise ActionNotAllowed(_("There is no resolution to vote on yet."), code="no_vote_open")
    previous = current_ballots(res).get(ctx.member.pk)
    ballot = Ballot.objects.create(
        resolution=res,
        topic=ctx.topic,
        area_code=ctx.topic.area_code,
        membership=ctx.member,
        voter=ctx.actor,
        voter_name=ctx.member.name,
        choice=choice,
        corrects=previous,
        channel=ctx.origin.channel,
        recorded_at=ctx.now,
    )
    detail = {"ballot": ballot.pk, "choice": choice, "resolution": res.pk}
    if previous is not None:
        detail.update(corrects=previous.pk, was=previous.choice)
    _event(ctx, EventKind.BALLOT_CORRECTED if previous else EventKind.BALLOT, detail=detail)


def _counts(outcome: VoteOutcome) -> dict:
    return {
        "expected": outcome.expected,
        "present": outcome.present,
        "agree": outcome.agree,
        "disagree": outcome.disagree,
        "abstain": outcome.abstain,
        "quorum_needed": outcome.quorum_needed,
        "majority_needed": outcome.majority_needed,
    }


def _close_vote(ctx: Ctx, res: Resolution, outcome: VoteOutcome) -> None:
    res.expected, res.present = outcome.expected, outcome.present
    res.agree, res.disagree, res.abstain = outcome.agree, outcome.disagree, outcome.abstain
    res.closed_at = ctx.now
    res.status = ResolutionStatus.PASSED if outcome.passed else ResolutionStatus.FAILED
    res.save(update_fields=["expected", "present", "agree", "disagree", "abstain", "closed_at", "status"])
    detail = {"resolution": res.pk, "counts": _counts(outcome)}
    if outcome.passed:
        _advance(ctx, event_kind=EventKind.VOTE_PASSED, text=ctx.step.rule.describe(), detail=detail)
    else:
        ctx.topic.resolution = None
        _return(ctx, event_kind=EventKind.VOTE_FAILED, text=ctx.step.rule.describe(), detail=detail)


def _close_vote_now(ctx: Ctx) -> None:
    status = step_status(ctx.topic, ctx.members)
    if status.resolution is None:
        raise ActionNotAllowed(_("There is no resolution to vote on yet."), code="no_vote_open")
    if not status.outcome.quorum_met:
        raise ActionNotAllowed(
            _(
                "Only %(present)d of %(expected)d have voted; at least %(needed)d must take part before the vote "
                "can close. Wait for the others or remind them."
            )
            % {
                "present": status.outcome.present,
                "expected": status.outcome.expected,
                "needed": max(status.outcome.quorum_needed, 1),
            },
            code="quorum_not_reached",
        )
    _close_vote(ctx, status.resolution, status.outcome)


def _tally(
    ctx: Ctx,
    *,
    text: str,
    expected: int,
    present: int,
    agree: int,
    disagree: int,
    abstain: int,
    held_on: dt.date,
    place: str = "",
    sign_in_sheet: str = "",
    meeting=None,
) -> None:
    text = _required_text(text, _("Write the plan or resolution the meeting voted on."))
    counts = [expected, present, agree, disagree, abstain]
    if any(not isinstance(n, int) or n < 0 for n in counts) or expected < 1:
        raise DeliberationError(
            _("Counts are whole numbers, and at least one person is entitled to attend."), code="bad_count"
        )
    if present > expected:
        raise DeliberationError(
            _(
                "More people present (%(present)d) than entitled to attend (%(expected)d): check the sign-in sheet."
            )
            % {"present": present, "expected": expected},
            code="bad_count",
        )
    if agree + disagree + abstain > present:
        raise DeliberationError(
            _("Agree, disagree and abstain add up to more than those present: check the count."),
            code="bad_count",
        )
    if held_on > clock.today():
        raise DeliberationError(
            _("A count is recorded after the meeting; the date is in the future."), code="bad_date"
        )
    _check_meeting(ctx, meeting)
    outcome = vote_outcome(
        ctx.step.rule, expected=expected, present=present, agree=agree, disagree=disagree, abstain=abstain
    )
    res = Resolution.objects.create(
        topic=ctx.topic,
        area_code=ctx.topic.area_code,
        step=ctx.step.key,
        round=ctx.topic.round,
        text=text,
        method=StoredMethod.TALLY,
        drafted_by=ctx.actor,
        drafted_by_name=ctx.member.name,
        drafted_at=ctx.now,
        meeting=meeting,
    )
    tally = Tally.objects.create(
        resolution=res,
        topic=ctx.topic,
        area_code=ctx.topic.area_code,
        body=str(ctx.step.body),
        held_on=held_on,
        place=place,
        expected=expected,
        present=present,
        agree=agree,
        disagree=disagree,
        abstain=abstain,
        sign_in_sheet=sign_in_sheet,
        recorded_by=ctx.actor,
        recorded_by_name=ctx.member.name,
        channel=ctx.origin.channel,
        recorded_at=ctx.now,
    )
    _event(
        ctx,
        EventKind.TALLY,
        text=text,
        detail={
            "resolution": res.pk,
            "tally": tally.pk,
            "sheet": bool(sign_in_sheet),
            "counts": _counts(outcome),
            "body": str(ctx.step.body),
        },
    )
    ctx.topic.resolution = res
    _close_vote(ctx, res, outcome)


def _signable(ctx: Ctx) -> Resolution:
    res = passed_resolution(ctx.topic, ctx.process.vote_step_signed_in(ctx.step.key).key)
    if res is None:  # cannot happen through perform(); kept as a guard for hand-edited data
        raise ActionNotAllowed(_("There is no passed resolution to sign."), code="nothing_to_sign")
    if ctx.member.pk in signatures_on(res):
        raise ActionNotAllowed(
            _("You have already signed or refused this resolution."), code="already_signed"
        )
    return res


def _signature(ctx: Ctx, res: Resolution, decision: str, reason: str = "") -> Signature:
    return Signature.objects.create(
        resolution=res,
        topic=ctx.topic,
        area_code=ctx.topic.area_code,
        membership=ctx.member,
        signer=ctx.actor,
        signer_name=ctx.member.name,
        signer_username=ctx.actor.get_username(),
        decision=decision,
        reason=reason,
        channel=ctx.origin.channel,
        ip_address=ctx.origin.ip_address,
        user_agent=ctx.origin.user_agent,
        recorded_at=ctx.now,
    )


def _sign(ctx: Ctx) -> None:
    res = _signable(ctx)
    sig = _signature(ctx, res, SignatureDecision.SIGNED)
    _event(
        ctx,
        EventKind.SIGNED,
        detail={
            "signature": sig.pk,
            "resolution": res.pk,
            "account": sig.signer_username,
            "channel": sig.channel,
        },
    )


def _refuse(ctx: Ctx, *, reason: str) -> None:
    reason = _required_text(reason, _("Say why you refuse to sign: the reason is shown to everyone."))
    res = _signable(ctx)
    sig = _signature(ctx, res, SignatureDecision.REFUSED, reason)
    res.status = ResolutionStatus.RETURNED
    res.save(update_fields=["status"])
    _return(
        ctx,
        event_kind=EventKind.REFUSED,
        text=reason,
        detail={
            "signature": sig.pk,
            "resolution": res.pk,
            "account": sig.signer_username,
            "channel": sig.channel,
        },
    )


def _publish(ctx: Ctx, *, note: str = "") -> None:
    problems = gate_problems(ctx.topic, ctx.process, ctx.members)
    if problems:
        raise ActionNotAllowed(" ".join(problems), code="gates_not_passed")
    if ctx.step.key == ctx.process.decision_step.key:
        ctx.topic.published_at = ctx.now
    _advance(ctx, event_kind=EventKind.PUBLISHED, text=(note or "").strip())


def _progress(ctx: Ctx, *, status: str, percent: int, note: str) -> None:
    if status not in ProgressStatus.values:
        raise DeliberationError(_("Choose a progress status."), code="bad_status")
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        raise DeliberationError(_("Progress is a whole number from 0 to 100."), code="bad_percent")
    if status == ProgressStatus.DONE:
        percent = 100
    elif percent == 100:
        raise DeliberationError(_("At 100 % the work is done: choose the status “done”."), code="bad_percent")
    note = _required_text(note, _("Say what was done: residents read it on the timeline."))
    entry = ProgressEntry.objects.create(
        topic=ctx.topic,
        area_code=ctx.topic.area_code,
        status=status,
        percent=percent,
        note=note,
        recorded_by=ctx.actor,
        recorded_by_name=ctx.member.name,
        recorded_at=ctx.now,
    )
    ctx.topic.progress_status, ctx.topic.progress_percent = status, percent
    _event(
        ctx, EventKind.PROGRESS, text=note, detail={"entry": entry.pk, "status": status, "percent": percent}
    )
    if status == ProgressStatus.DONE:
        _advance(ctx, text=gettext("The work is done."))


def _close(ctx: Ctx, *, note: str = "") -> None:
    ctx.topic.closed_at = ctx.now
    _event(ctx, EventKind.CLOSED, text=(note or "").strip(), to_step=CLOSED)
    _move(ctx, CLOSED)


EFFECTS: dict[str, Callable] = {
    Action.PUT_ON_AGENDA: _put_on_agenda,
    Action.DECLINE: _decline,
    Action.OPINION: _opinion,
    Action.CORRECT_OPINION: _correct_opinion,
    Action.DRAFT: _draft,
    Action.BALLOT: _ballot,
    Action.CLOSE_VOTE: lambda ctx: _close_vote_now(ctx),
    Action.TALLY: _tally,
    Action.SIGN: lambda ctx: _sign(ctx),
    Action.REFUSE: _refuse,
    Action.PUBLISH: _publish,
    Action.PROGRESS: _progress,
    Action.CLOSE: _close,
}


def settle(ctx: Ctx) -> None:
    """Close the current step while its rule is met (several steps may close in a row)."""
    for _guard in range(len(ctx.process.steps)):
        if ctx.topic.step in TERMINAL:
            return
        status = step_status(ctx.topic, ctx.members)
        kind = ctx.step.rule.kind
        if kind == RuleKind.ALL_OPINIONS and status.met:
            _advance(ctx, text=status.rule_text)
        elif (
            kind == RuleKind.VOTE
            and ctx.step.rule.method == VoteMethod.BALLOT
            and status.resolution is not None
            and status.need > 0
            and status.outcome.present == status.need
        ):
            _close_vote(ctx, status.resolution, status.outcome)
        elif kind == RuleKind.ALL_SIGNATURES and status.met:
            status.resolution.signed_at = ctx.now
            status.resolution.save(update_fields=["signed_at"])
            _advance(ctx, text=status.rule_text, detail={"resolution": status.resolution.pk})
        else:
            return


def _allowed_by_role(spec: ActionSpec, step: Step, member: Membership) -> bool:
    if spec.by == ACTORS:
        return step.acts(member.role)
    if spec.by == ELECTORATE:
        return step.counts(member.role)
    return True


def _refusal_for_role(spec: ActionSpec, step: Step):
    roles = step.actors if spec.by == ACTORS else step.electorate
    names = "、".join(str(SeatRole(r).label) for r in sorted(roles or ()))
    return _("In the step “%(step)s” this is done by: %(who)s.") % {"step": step.label, "who": names}


def allowed(actor, topic: Topic, action: str, *, member: Membership | None, members=None) -> bool:
    """Whether ``actor`` (holding ``member``) may take ``action`` now (without the action's own checks)."""
    spec = ACTIONS.get(action)
    if spec is None or member is None or topic.step in TERMINAL or not rules.is_active(actor):
        return False
    if member.user_id != actor.pk:
        return False
    step = process_of(topic.process).step(topic.step)
    if spec.step_kind is not None and (
        spec.step_kind != step.kind or (spec.method is not None and spec.method != step.rule.method)
    ):
        return False
    return _allowed_by_role(spec, step, member)


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


def owed_actions(actor, topic: Topic) -> list[str]:
    members = seated(topic.committee)
    status = step_status(topic, members)
    if status is None:
        return []
    actions = available_actions(actor, topic, members, status)
    voted = any(
        line.entry is not None and line.membership is not None and line.membership.user_id == actor.pk
        for line in status.lines
    )
    return [a for a in actions if a in _OWED and not (a == Action.BALLOT and voted)]


def perform(
    *,
    topic: Topic,
    actor,
    action: str,
    version: int | None = None,
    origin: Origin | None = None,
    **params,
) -> Topic:
    """Take ``action`` on ``topic`` as ``actor`` from their own seat; returns the updated topic."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise DeliberationError(_("Unknown action %(action)s.") % {"action": action}, code="unknown_action")
    with transaction.atomic():
        locked = Topic.objects.select_for_update().select_related("committee").get(pk=topic.pk)
        committee = locked.committee
        if not rules.can_view_committee(actor, committee):
            raise OutOfScope
        if version is not None and version != locked.version:
            raise TopicConflict(
                _("Someone else changed this topic a moment ago. Reload the page, check it and try again."),
                detail={"version": locked.version},
            )
        if not rules.is_active(actor):
            raise NotAMember(_("Log in with your own account to act on a topic."))
        members = seated(committee)
        member = next((m for m in members if m.user_id == actor.pk), None)
        if member is None:
            raise NotAMember(
                _("Only the committee's members act on its topics, each from their own account.")
            )
        if locked.step in TERMINAL:
            raise ActionNotAllowed(_("This topic is closed."), code="topic_closed")
        process = process_of(locked.process)
        step = process.step(locked.step)
        if spec.step_kind is not None and (
            spec.step_kind != step.kind or (spec.method is not None and spec.method != step.rule.method)
        ):
            raise ActionNotAllowed(
                _("“%(action)s” is not possible while the topic is in the step “%(step)s”.")
                % {"action": spec.label, "step": step.label}
            )
        if not _allowed_by_role(spec, step, member):
            raise NotPermitted(_refusal_for_role(spec, step), code="not_your_step")
        ctx = Ctx(
            topic=locked,
            process=process,
            step=step,
            actor=actor,
            member=member,
            members=members,
            now=clock.now(),
            origin=origin or Origin(),
        )
        EFFECTS[action](ctx, **params)
        settle(ctx)
        locked.version += 1
        locked.save()
        if ctx.moved_to:
            _notify_moves(locked, ctx)
    return locked


def _back_to_signatures(ctx: Ctx) -> None:
    """A seat changed after the signatures were in but before the decision was published: the decision
    stands only when every member now seated has signed, so the topic goes back to the sign step (same
    round, same resolution: the signatures given remain) for the newcomer to sign."""
    decision = ctx.process.decision_step
    here = ctx.process.index(ctx.step.key)
    if ctx.topic.published_at is not None or here > ctx.process.index(decision.key):
        return
    signs = [s for s in ctx.process.steps[:here] if s.kind == StepKind.SIGN]
    if not signs or not gate_problems(ctx.topic, ctx.process, ctx.members):
        return
    sign = signs[-1]
    res = passed_resolution(ctx.topic, ctx.process.vote_step_signed_in(sign.key).key)
    if res is not None and res.signed_at is not None:
        res.signed_at = None
        res.save(update_fields=["signed_at"])
    _event(
        ctx,
        EventKind.RETURNED,
        text=gettext("The committee's seats changed: every member now seated must sign before publication."),
        to_step=sign.key,
    )
    _move(ctx, sign.key)


def reconsider(topic: Topic, *, actor) -> Topic:
    """Settle an open topic after its committee's seats changed: a rule may now be met, or a decision
    awaiting publication may now lack a signature."""
    with transaction.atomic():
        locked = Topic.objects.select_for_update().select_related("committee").get(pk=topic.pk)
        if locked.step in TERMINAL:
            return locked
        process = process_of(locked.process)
        ctx = Ctx(
            topic=locked,
            process=process,
            step=process.step(locked.step),
            actor=actor,
            member=None,
            members=seated(locked.committee),
            now=clock.now(),
            origin=Origin(),
        )
        _back_to_signatures(ctx)
        settle(ctx)
        if ctx.moved_to:
            locked.version += 1
            locked.save()
            _notify_moves(locked, ctx)
    return locked


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


def _notify_moves(topic: Topic, ctx: Ctx) -> None:
    """Tell the followers where the topic went, and the members who must act in the new step."""
    label = step_label(topic)
    followers = [f.user for f in Follow.objects.filter(topic_id=topic.pk).select_related("user")]
    title = gettext("Topic “%(title)s”: %(step)s") % {"title": topic.title[:80], "step": label}
    notify(
        recipients=followers, title=title, body=gettext("Open the topic to read every step."), target=topic
    )
    if topic.step in TERMINAL:
        return
    step = ctx.process.step(topic.step)
    acting = [
        m.user
        for m in ctx.members
        if m.user is not None
        and m.user_id not in {f.pk for f in followers}
        and (step.acts(m.role) or step.counts(m.role))
    ]
    if step.kind in (StepKind.DISCUSS, StepKind.VOTE, StepKind.SIGN, StepKind.PUBLISH, StepKind.CARRY_OUT):
        notify(
            recipients=acting,
            title=gettext("Your turn: %(step)s — %(title)s") % {"step": label, "title": topic.title[:80]},
            body=str(step.explanation),
            target=topic,
        )
