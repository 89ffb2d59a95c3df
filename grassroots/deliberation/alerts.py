"""Who is told what, when a topic moves: one table, beside the workflow, and the one function that sends from it.

Each row says on which occasion (a kind of timeline event, or :data:`MOVED`: the topic reached another step) it
tells whom (an :class:`Audience`), with which title and body. On one occasion a person is told once, by the
first row that names them: a member who must act hears "your turn", not also the followers' notice. Rows marked
``besides_actor`` do not tell the person who caused the occasion of what they did themselves.

"The members who must act" are the seated members who owe something in the step the topic is now in
(``selectors.owed_actions``: put it on the agenda, an opinion, a draft, a vote, a count, a signature, the
publication, the progress) — not those whose seat merely counts in a step that others record (a count of a
meeting held off the platform), and not those who have already done their part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from grassroots.notifications.services import notify

from .models import EventKind, Follow, Topic
from .process import TERMINAL, process_of
from .selectors.steps import owed_actions, seated, step_label, step_status

MOVED = "moved"  # the topic reached another step (or was declined or closed)


class Audience(StrEnum):
    MUST_ACT = "must_act"  # seated members who owe an action in the step the topic is now in
    FOLLOWERS = "followers"  # whoever follows the topic (the proposer, from the start)


@dataclass(frozen=True)
class Alert:
    on: str  # an EventKind, or MOVED
    to: Audience
    title: object  # formatted with %(title)s, %(step)s, %(committee)s
    body: object  # the same values; None: the explanation of the step the topic is in
    besides_actor: bool = False


ALERTS: tuple[Alert, ...] = (
    Alert(EventKind.PROPOSED, Audience.MUST_ACT, _("New topic for %(committee)s: %(title)s"),
          _("Put it on the agenda, or decline it with a reason."), besides_actor=True),
    Alert(EventKind.RESOLUTION_DRAFTED, Audience.MUST_ACT, _("Your vote: %(title)s"),
          _("A resolution is put to the vote: read it on the topic and vote."), besides_actor=True),
    Alert(MOVED, Audience.MUST_ACT, _("Your turn: %(step)s — %(title)s"), None),
    Alert(MOVED, Audience.FOLLOWERS, _("Topic “%(title)s”: %(step)s"), _("Open the topic to read every step.")),
)  # fmt: skip


def _must_act(topic: Topic) -> list:
    if topic.step in TERMINAL:
        return []
    members = seated(topic.committee)
    status = step_status(topic, members)
    return [
        m.user
        for m in members
        if m.user is not None and owed_actions(m.user, topic, members=members, status=status)
    ]


def _followers(topic: Topic) -> list:
    return [f.user for f in Follow.objects.filter(topic_id=topic.pk).select_related("user")]


AUDIENCES: dict[Audience, Callable[[Topic], list]] = {
    Audience.MUST_ACT: _must_act,
    Audience.FOLLOWERS: _followers,
}


def tell(topic: Topic, *, occasions: Iterable[str], actor=None) -> None:
    """Send the rows of :data:`ALERTS` for these occasions of ``topic`` (as it now stands)."""
    occasions = set(occasions)
    for occasion in [o for o in (EventKind.PROPOSED, EventKind.RESOLUTION_DRAFTED, MOVED) if o in occasions]:
        told: set[int] = set()
        for alert in (a for a in ALERTS if a.on == occasion):
            recipients = [
                user
                for user in AUDIENCES[alert.to](topic)
                if user.pk not in told
                and not (alert.besides_actor and actor is not None and user.pk == actor.pk)
            ]
            told |= {user.pk for user in recipients}
            if recipients:
                notify(recipients=recipients, **_texts(alert, topic), target=topic)


def _texts(alert: Alert, topic: Topic) -> dict[str, str]:
    values = {"title": topic.title[:80], "step": step_label(topic), "committee": topic.committee.name}
    if alert.body is None and topic.step not in TERMINAL:
        body = str(process_of(topic.process).step(topic.step).explanation)
    else:
        body = str(alert.body) % values if alert.body is not None else ""
    return {"title": str(alert.title) % values, "body": body}
