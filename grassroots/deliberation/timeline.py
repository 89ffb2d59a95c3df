"""The one place a topic's timeline row (``TopicEvent``) is written, and who is told of each row.

Every writer (the workflow's actions, a topic's proposal, a meeting's agenda, a link) calls :func:`record`;
an app above deliberation that follows the timelines (``integrations``' webhooks) registers a listener from
its ``ready()`` with :func:`on_record`, so that deliberation names no app above it.
"""

from __future__ import annotations

from collections.abc import Callable

from .models import TopicEvent

# Called with each row as it is written, inside the writer's transaction.
_LISTENERS: list[Callable[[TopicEvent], None]] = []


def on_record(listener: Callable[[TopicEvent], None]) -> None:
    """Call ``listener`` with every topic timeline row written from now on (once, however often registered)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def record(**fields) -> TopicEvent:
    """Append one row to a topic's timeline (``fields`` as ``TopicEvent`` takes them) and tell the listeners."""
    event = TopicEvent.objects.create(**fields)
    for listener in _LISTENERS:
        listener(event)
    return event
