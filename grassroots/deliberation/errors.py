"""The refusals of deliberation, with their stable codes (``docs/api.md``)."""

from __future__ import annotations

from grassroots.errors import Conflict, DomainError, NotPermitted


class DeliberationError(DomainError):
    code = "deliberation_error"


class TopicConflict(Conflict):
    code = "topic_conflict"


class ActionNotAllowed(DeliberationError):
    code = "action_not_allowed"
    status = 409


class NotAMember(NotPermitted):
    code = "not_a_member"
