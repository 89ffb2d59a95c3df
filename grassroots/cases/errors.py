"""The refusals of the case workflow (a subclass of :class:`~grassroots.errors.DomainError` each)."""

from __future__ import annotations

from grassroots.errors import Conflict, DomainError


class CaseError(DomainError):
    code = "case_error"


class ReportInvalid(CaseError):
    """One or more fields of a report are missing or wrong; ``detail`` maps each field to its message."""

    code = "invalid_report"


class CaseConflict(Conflict):
    code = "case_conflict"


class ActionNotAllowed(CaseError):
    code = "action_not_allowed"
    status = 409
