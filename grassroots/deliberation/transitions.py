"""The member actions on a topic: which kind of step each belongs to, and whether the step's *actors* (who run
it) or its *electorate* (whose opinions, votes and signatures count) take it. ``process.py`` says which steps a
process has and who acts and counts in each; ``workflow.py`` applies an action; ``actions.py`` serves each one
on the pages and the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from . import rules
from .models import Channel, Membership, SeatRole, Topic
from .process import TERMINAL, Step, StepKind, VoteMethod, process_of


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


def allowed_by_role(spec: ActionSpec, step: Step, member: Membership) -> bool:
    if spec.by == ACTORS:
        return step.acts(member.role)
    if spec.by == ELECTORATE:
        return step.counts(member.role)
    return True


def refusal_for_role(spec: ActionSpec, step: Step):
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
    return allowed_by_role(spec, step, member)
