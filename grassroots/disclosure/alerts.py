"""Who is told what about a board's notices: one table, beside the notice lifecycle, and the one function that
sends from it.

An objection puts work on the board's clerk: the staff who may both manage the board and answer objections
on it, at the nearest level that has any (the village's staff; the township's only when the village has
nobody), never the objector. The answer goes back to the objector, who hears once, where it is published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from grassroots.messages import Message
from grassroots.notifications.models import Topic
from grassroots.notifications.selectors import nearest_holders
from grassroots.notifications.services import notify

from . import rules
from .models import Objection

RAISED, ANSWERED = "raised", "answered"


def _clerks(objection: Objection, actor) -> list:
    code = objection.area_code
    return nearest_holders(
        code,
        rules.ANSWER_ROLES,
        allowed=lambda user: rules.can_manage_board(user, code) and rules.can_answer_objection(user, code),
        besides=(actor, objection.raised_by),
    )


def _objector(objection: Objection, actor) -> list:
    user = objection.raised_by
    return [user] if user is not None and user != actor and user.is_active else []


@dataclass(frozen=True)
class Alert:
    title: object  # formatted with %(title)s (the notice's), %(board)s
    who: str  # the recipients, in words (for the docs and the matrix test)
    users: Callable[[Objection, object], list]
    topic: str = Topic.GENERAL


# Event → what the recipients read and who they are.
ALERTS: dict[str, Alert] = {
    RAISED: Alert(_("Objection to answer: %(title)s, %(board)s"), "the board's clerk: its nearest answering staff", _clerks),
    ANSWERED: Alert(_("Your objection was answered"), "the objector", _objector, Topic.OWN_REPORT),
}  # fmt: skip


def tell(objection: Objection, event: str, actor=None) -> None:
    """Tell the people the table names for ``event`` on ``objection``: the body is the objection (raised) or the
    answer (answered), as written."""
    alert = ALERTS[event]
    notice = objection.notice
    title = Message(alert.title, title=str(notice.draft.get("title", "")), board=notice.board.name)
    body = (objection.text if event == RAISED else objection.answer)[:200]
    notify(
        recipients=alert.users(objection, actor),
        title=title,
        body=body,
        target=objection if event == RAISED else notice,
        topic=alert.topic,
    )
