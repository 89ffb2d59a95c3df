"""A notice's life in one table: which action moves it from which state to which, and the one function that
moves it (:func:`move`), recording who did it and when as a :class:`~grassroots.disclosure.models.NoticeEvent`.

    draft ──publish──▶ published ──confirm──▶ confirmed
                         │  ▲ correct            │ ▲ correct
                         └──┴──── withdraw ──────┴─┴──▶ withdrawn

The objection window is a period of "published" (``window_starts_on`` … ``window_ends_on``), not a state of its
own: objections are taken while it runs, and a notice is confirmed only after it, with every objection
answered (``services.notice_confirm``). A withdrawn draft is deleted instead (it was never public).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.errors import DomainError

from .models import Notice, NoticeAction, NoticeEvent, NoticeState

S, A = NoticeState, NoticeAction

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, A.PUBLISH): S.PUBLISHED,
    (S.PUBLISHED, A.CORRECT): S.PUBLISHED,
    (S.CONFIRMED, A.CORRECT): S.CONFIRMED,
    (S.PUBLISHED, A.CONFIRM): S.CONFIRMED,
    (S.PUBLISHED, A.WITHDRAW): S.WITHDRAWN,
    (S.CONFIRMED, A.WITHDRAW): S.WITHDRAWN,
}

# What a refusal says, per action, when the notice is in a state the table does not list for it.
REFUSED = {
    A.PUBLISH: _("This notice is already published; publish a correction instead."),
    A.CORRECT: _("Only a published notice is corrected; edit the draft instead."),
    A.CONFIRM: _("Only a published notice can be confirmed."),
    A.WITHDRAW: _("This notice is already withdrawn."),
}


class DisclosureError(DomainError):
    code = "disclosure_error"


class WrongState(DisclosureError):
    code = "wrong_state"
    status = 409


# Called with each step as it is written, inside the writer's transaction: an app above disclosure that follows
# the notices (``integrations``' webhooks) registers here from its ``ready()``, so that disclosure names none.
_LISTENERS: list[Callable[[NoticeEvent], None]] = []


def on_record(listener: Callable[[NoticeEvent], None]) -> None:
    """Call ``listener`` with every notice step written from now on (once, however often registered)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def may(notice: Notice, action: str) -> bool:
    return (notice.state, action) in TRANSITIONS


def move(notice: Notice, action: str, *, actor, detail: dict | None = None) -> NoticeEvent:
    """Take ``action`` on ``notice`` (locked by the caller): refuses a move the table does not list, sets the
    new state (the caller saves the notice with its other fields) and records the step."""
    target = TRANSITIONS.get((notice.state, action))
    if target is None:
        raise WrongState(REFUSED[NoticeAction(action)])
    old = notice.state
    notice.state = target
    event = NoticeEvent.objects.create(
        notice=notice,
        action=action,
        old_state=old,
        new_state=target,
        actor=actor,
        actor_name=str(actor) if actor is not None else "",
        detail=detail or {},
        at=clock.now(),
    )
    for listener in _LISTENERS:
        listener(event)
    return event
