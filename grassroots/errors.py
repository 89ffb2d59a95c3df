"""The root of every app's exception hierarchy.

A :class:`DomainError` carries a stable ``code`` (for clients and logs) and a translatable ``message``
(for people). Views show the message; the API answers ``{"code": ..., "message": ...}`` with ``status``.
Apps subclass it (``AreaError``, ``AccountError`` ...) and give each failure its own code.
"""

from __future__ import annotations


class DomainError(Exception):
    code: str = "error"
    status: int = 400

    def __init__(self, message, *, code: str | None = None, status: int | None = None, detail=None):
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.detail = detail

    def __str__(self):
        return str(self.message)


class Conflict(DomainError):
    """Somebody else changed the object first (optimistic concurrency)."""

    code = "conflict"
    status = 409


class NotPermitted(DomainError):
    """The actor may see the object but may not take this action."""

    code = "not_permitted"
    status = 403
