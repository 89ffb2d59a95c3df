"""A process's copy of shared data, kept true across processes by a version row in the database.

Some data is read on nearly every request and changes a few times a year: the grid boundaries that route a
report (``areas.routing``), the service types, time limits and working calendar of the cases
(``cases.reference``), which kinds of event any webhook subscription wants (``integrations``' webhooks).
Each process keeps its own copy, filed under a *key* read from a one-row version table; whoever changes the
data bumps that row in the same transaction (:func:`bump`). A process reads the key at most every
``check_seconds`` and loads the data again when the key has moved on, so several worker processes stay
correct without a shared cache, and the database is asked one tiny query a second at most.

Each user keeps its own version model (``areas.BoundaryVersion``, ``worktime.ReferenceVersion``,
``integrations.SubscriptionVersion``): one row with ``version`` and ``changed_at``, primary key 1.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import transaction
from django.db.models import F

from grassroots import clock

T = TypeVar("T")


def stored_version(model) -> tuple | None:
    """``(version, changed_at)`` of the version row of ``model``, or None before the first change."""
    return model.objects.filter(pk=1).values_list("version", "changed_at").first()


def bump(model) -> None:
    """Move the version row of ``model`` on (creating it at the first change). Call it inside the
    transaction that changes the data: the bump commits, or rolls back, with the change."""
    with transaction.atomic():
        updated = model.objects.filter(pk=1).update(version=F("version") + 1, changed_at=clock.now())
        if not updated:
            model.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": clock.now()})


class VersionedCopy(Generic[T]):
    """This process's copy of some data, loaded again when the stored key changes.

    * ``read_key()``: the stored key (usually :func:`stored_version`, perhaps with more, such as today's date
      for data that depends on it); read at most every ``check_seconds()`` seconds.
    * ``load(key)``: the data for that key. Read the key *before* the data, so that the data is at least as
      new as the key it is filed under (``get`` does).
    * ``clock``: ``time.monotonic`` unless a test gives another.

    Threads share the copy; a load happens once per key even when several threads ask at the same moment.
    """

    def __init__(
        self,
        *,
        read_key: Callable[[], Any],
        load: Callable[[Any], T],
        check_seconds: Callable[[], float],
        clock: Callable[[], float] = time.monotonic,
    ):
        self._read_key, self._load, self._check_seconds, self._clock = read_key, load, check_seconds, clock
        self._key: Any = None
        self._value: T | None = None
        self._checked_at = -math.inf
        self._lock = threading.Lock()
        self.loads = 0

    def get(self) -> T:
        """The current copy, loaded first if the stored key has changed since the last check."""
        value, key_held = self._value, self._key
        now = self._clock()
        if value is not None and now - self._checked_at < self._check_seconds():
            return value
        key = self._read_key()
        if value is None or key_held != key:
            with self._lock:
                value, key_held = self._value, self._key  # another thread may have loaded it while we waited
                if value is not None and key_held != key:
                    key = self._read_key()  # and ours may be older than the one it loaded
                if value is None or key_held != key:
                    value = self._load(key)
                    self._value, self._key = value, key
                    self.loads += 1
        self._checked_at = now
        return value

    def reset(self) -> None:
        """Forget the copy: the next ``get`` loads it again (the process's own change; tests)."""
        with self._lock:
            self._value, self._key = None, None
            self._checked_at = -math.inf
