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

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.scoping import OutOfScope
from grassroots.errors import NotPermitted

from . import rules, timeline
from .alerts import MOVED, tell
from .errors import ActionNotAllowed, DeliberationError, NotAMember, TopicConflict
from .models import (
    Ballot,
    Choice,
    EventKind,
    Membership,
    Opinion,
    ProgressEntry,
    ProgressStatus,
    Resolution,
    ResolutionStatus,
    Signature,
    SignatureDecision,
    Stance,
    Tally,
    Topic,
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
    process_of,
    vote_outcome,
)
from .selectors.steps import (
    current_ballots,
    current_opinions,
    gate_problems,
    passed_resolution,
    seated,
    signatures_on,
    step_status,
    voting_resolution,
)
from .transitions import ACTIONS, Action, Origin, allowed_by_role, refusal_for_role

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
    written: list[str] = field(default_factory=list)  # the kinds of the timeline events written


def _event(
    ctx: Ctx, kind: str, *, text: str = "", detail: dict | None = None, to_step: str = "", step: str = ""
):
    ctx.written.append(kind)
    return timeline.record(
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


def _resolution(ctx: Ctx, text: str, method: str, meeting) -> Resolution:
    """The text the acting member puts to the vote in this step and round (by ballot or by a count)."""
    return Resolution.objects.create(
        topic=ctx.topic,
        area_code=ctx.topic.area_code,
        step=ctx.step.key,
        round=ctx.topic.round,
        text=text,
        method=method,
        drafted_by=ctx.actor,
        drafted_by_name=ctx.member.name,
        drafted_at=ctx.now,
        meeting=meeting,
    )


def _draft(ctx: Ctx, *, text: str, meeting=None) -> None:
    text = _required_text(text, _("Write the resolution that members will vote on."))
    if voting_resolution(ctx.topic, ctx.step.key) is not None:
        raise ActionNotAllowed(_("A resolution is already being voted on."), code="vote_open")
    _check_meeting(ctx, meeting)
    res = _resolution(ctx, text, StoredMethod.BALLOT, meeting)
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


def _check_counts(*, expected: int, present: int, agree: int, disagree: int, abstain: int) -> None:
    """A meeting's count adds up: whole numbers, no more present than entitled, no more votes than present."""
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
    _check_counts(expected=expected, present=present, agree=agree, disagree=disagree, abstain=abstain)
    if held_on > clock.today():
        raise DeliberationError(
            _("A count is recorded after the meeting; the date is in the future."), code="bad_date"
        )
    _check_meeting(ctx, meeting)
    outcome = vote_outcome(
        ctx.step.rule, expected=expected, present=present, agree=agree, disagree=disagree, abstain=abstain
    )
    res = _resolution(ctx, text, StoredMethod.TALLY, meeting)
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
        if not allowed_by_role(spec, step, member):
            raise NotPermitted(refusal_for_role(spec, step), code="not_your_step")
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
        tell(locked, occasions=_occasions(ctx), actor=actor)
    return locked


def _occasions(ctx: Ctx) -> list[str]:
    """What happened, for ``alerts.ALERTS``: the events written, and whether the topic moved."""
    return [*ctx.written, *([MOVED] if ctx.moved_to else [])]


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
            tell(locked, occasions=_occasions(ctx), actor=actor)
    return locked
