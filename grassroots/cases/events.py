"""The one place a case's timeline is written.

:func:`grassroots.cases.workflow.transition` records each workflow action here; the rows that are not actions
taken on a case — its report, a matter resolved on the spot, a duplicate merged into it, a deadline marker
of the scan — are recorded here too, so that every timeline row has the same columns filled the same way (the
area and level the case had then, the actor's name as shown, when). Nothing else creates a ``CaseEvent``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings

from grassroots.messages import Message

from .models import Case, CaseEvent

# Called with each row as it is written, inside the writer's transaction: an app above cases that keeps
# figures derived from the cases registers here from its ``ready()`` (insights schedules, on commit, the
# refresh of its daily figures), so that cases names no app above it.
_LISTENERS: list[Callable[[CaseEvent], None]] = []


def on_record(listener: Callable[[CaseEvent], None]) -> None:
    """Call ``listener`` with every timeline row written from now on (once, however often registered)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def record(
    case: Case,
    action: str,
    *,
    at: dt.datetime,
    actor=None,
    old_state: str | None = None,
    new_state: str | None = None,
    version: int = 0,
    note: str = "",
    internal: bool = False,
    message: Message | str = "",
    changes: dict | None = None,
) -> CaseEvent:
    """Append one row to ``case``'s timeline. Without states, the event keeps the case's state (urge,
    marker, merge note); ``version`` 0 marks an event that did not change the workflow."""
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        old_state=case.state if old_state is None else old_state,
        new_state=case.state if new_state is None else new_state,
        version=version,
        actor=actor,
        actor_name=str(actor) if actor is not None else "",
        area_code=case.area_code,
        level=case.level,
        note=note,
        internal=internal,
        # in the default language for SMS, search and logs; as a message to show each reader in theirs
        message=message.in_language(settings.LANGUAGE_CODE) if isinstance(message, Message) else message,
        message_data=message.as_data() if isinstance(message, Message) else {},
        changes=changes or {},
        at=at,
    )
    for listener in _LISTENERS:
        listener(event)
    return event
