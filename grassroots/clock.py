"""The one clock: aware datetimes in the configured time zone. Tests move it with ``frozen``."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen if _frozen is not None else timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


@contextlib.contextmanager
def frozen(at: dt.datetime):
    """Freeze :func:`now` at an aware datetime for the duration of the block."""
    global _frozen
    if timezone.is_naive(at):
        raise ValueError("frozen() needs an aware datetime")
    previous, _frozen = _frozen, at
    try:
        yield at
    finally:
        _frozen = previous
