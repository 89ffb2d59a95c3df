"""Proposing a topic, and the members' step actions: each one call of ``workflow.perform`` from the actor's own seat."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.models import User

from .. import alerts, rules, timeline, workflow
from ..errors import DeliberationError
from ..models import (
    Committee,
    EventKind,
    Follow,
    Meeting,
    Opinion,
    Topic,
    TopicKind,
)
from ..process import process_of
from ..transitions import Action, Origin
from .guards import required_text
from .sheets import store_photo

# --- topics ---------------------------------------------------------------------------------------------------


@transaction.atomic
def topic_propose(
    *,
    actor: User,
    committee: Committee,
    kind: str,
    title: str,
    description: str,
    origin: Origin | None = None,
) -> Topic:
    """A resident (or a member, or village staff) brings a matter to the committee. The proposer follows
    the topic from then on; the members who decide on the agenda are told."""
    rules.require(actor, rules.can_propose, committee)
    if kind not in TopicKind.values:
        raise DeliberationError(_("Choose what kind of matter it is."), code="bad_kind")
    process = process_of(committee.process)
    now = clock.now()
    topic = Topic.objects.create(
        committee=committee,
        area_code=committee.area_code,
        process=committee.process,
        kind=kind,
        title=required_text(title, _("Give the topic a short title."), limit=120),
        description=required_text(description, _("Describe the matter: what, where, who is concerned.")),
        proposed_by=actor,
        proposer_name=(getattr(actor, "display_name", "") or actor.get_username())[:100],
        proposed_at=now,
        step=process.first.key,
    )
    timeline.record(
        topic=topic,
        area_code=topic.area_code,
        kind=EventKind.PROPOSED,
        step=topic.step,
        round=1,
        actor=actor,
        actor_name=topic.proposer_name,
        text=topic.title,
        detail={"channel": (origin or Origin()).channel},
        at=now,
    )
    Follow.objects.get_or_create(topic=topic, user=actor)
    alerts.tell(topic, occasions=[EventKind.PROPOSED], actor=actor)
    return topic


def _perform(action: str, *, actor: User, topic: Topic, version=None, origin=None, **params) -> Topic:
    return workflow.perform(topic=topic, actor=actor, action=action, version=version, origin=origin, **params)


def topic_put_on_agenda(*, actor: User, topic: Topic, note: str = "", version=None, origin=None) -> Topic:
    return _perform(Action.PUT_ON_AGENDA, actor=actor, topic=topic, version=version, origin=origin, note=note)


def topic_decline(*, actor: User, topic: Topic, reason: str, version=None, origin=None) -> Topic:
    return _perform(Action.DECLINE, actor=actor, topic=topic, version=version, origin=origin, reason=reason)


def opinion_record(*, actor: User, topic: Topic, stance: str, text: str, version=None, origin=None) -> Topic:
    return _perform(
        Action.OPINION, actor=actor, topic=topic, version=version, origin=origin, stance=stance, text=text
    )


def opinion_correct(
    *, actor: User, opinion: Opinion, stance: str, text: str, version=None, origin=None
) -> Topic:
    """Record a correction of one's own opinion: a new entry that points at the old one, which stays."""
    return _perform(
        Action.CORRECT_OPINION,
        actor=actor,
        topic=opinion.topic,
        version=version,
        origin=origin,
        opinion=opinion,
        stance=stance,
        text=text,
    )


def resolution_draft(
    *, actor: User, topic: Topic, text: str, meeting: Meeting | None = None, version=None, origin=None
):
    return _perform(
        Action.DRAFT, actor=actor, topic=topic, version=version, origin=origin, text=text, meeting=meeting
    )


def ballot_cast(*, actor: User, topic: Topic, choice: str, version=None, origin=None) -> Topic:
    """Vote on the open resolution; voting again while it is open records a correction."""
    return _perform(Action.BALLOT, actor=actor, topic=topic, version=version, origin=origin, choice=choice)


def vote_close(*, actor: User, topic: Topic, version=None, origin=None) -> Topic:
    return _perform(Action.CLOSE_VOTE, actor=actor, topic=topic, version=version, origin=origin)


def tally_record(
    *,
    actor: User,
    topic: Topic,
    text: str,
    expected: int,
    present: int,
    agree: int,
    disagree: int,
    abstain: int,
    held_on: dt.date,
    place: str = "",
    sign_in_sheet=None,
    meeting: Meeting | None = None,
    version=None,
    origin=None,
) -> Topic:
    """Record the count of a meeting whose voters are not on the platform (the party members' meeting)."""
    with transaction.atomic():
        stored = store_photo(sign_in_sheet, folder="tallies") if sign_in_sheet is not None else ""
        return _perform(
            Action.TALLY,
            actor=actor,
            topic=topic,
            version=version,
            origin=origin,
            text=text,
            expected=expected,
            present=present,
            agree=agree,
            disagree=disagree,
            abstain=abstain,
            held_on=held_on,
            place=place.strip(),
            sign_in_sheet=stored,
            meeting=meeting,
        )


def signature_sign(*, actor: User, topic: Topic, version=None, origin=None) -> Topic:
    """Sign the passed resolution, as oneself, from one's own account."""
    return _perform(Action.SIGN, actor=actor, topic=topic, version=version, origin=origin)


def signature_refuse(*, actor: User, topic: Topic, reason: str, version=None, origin=None) -> Topic:
    """Refuse to sign, with a public reason: the topic returns to discussion in a new round."""
    return _perform(Action.REFUSE, actor=actor, topic=topic, version=version, origin=origin, reason=reason)


def decision_publish(*, actor: User, topic: Topic, note: str = "", version=None, origin=None) -> Topic:
    return _perform(Action.PUBLISH, actor=actor, topic=topic, version=version, origin=origin, note=note)


def progress_record(
    *, actor: User, topic: Topic, status: str, percent: int, note: str, version=None, origin=None
) -> Topic:
    return _perform(
        Action.PROGRESS,
        actor=actor,
        topic=topic,
        version=version,
        origin=origin,
        status=status,
        percent=percent,
        note=note,
    )


def topic_close(*, actor: User, topic: Topic, note: str = "", version=None, origin=None) -> Topic:
    return _perform(Action.CLOSE, actor=actor, topic=topic, version=version, origin=origin, note=note)
