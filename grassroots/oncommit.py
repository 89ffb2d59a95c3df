"""Work that follows a commit, done once for everything a long transaction wrote.

A listener that reacts to each row a writer records (the fact-table upkeep, webhooks) schedules its work with
:func:`after_commit` instead of ``transaction.on_commit``. Alone, that is the same: ``flush([item])`` once the
transaction commits, nothing when it rolls back. Inside :func:`batched` (a bulk writer that records thousands
of rows in one transaction: the demo's year of cases, topics and notices), each ``flush`` is called once, on
commit, with every item whose writes committed, so it can do per batch what it did per row (one query for the
webhook subscriptions, one refresh per fact slice instead of one per event).

An item recorded inside a savepoint that is rolled back is left out, as ``transaction.on_commit`` leaves out
its callback: each item is collected by an ``on_commit`` hook of its own (a list append, no query), and the
flush is registered after them when the block ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.db import transaction

Flush = Callable[[list[Any]], None]

_collecting: ContextVar[dict[Flush, list[Any]] | None] = ContextVar("oncommit_collecting", default=None)


def after_commit(flush: Flush, item: Any) -> None:
    """Call ``flush`` with ``item`` (among others inside :func:`batched`) once the transaction commits."""
    batch = _collecting.get()
    if batch is None:
        transaction.on_commit(lambda: flush([item]))
        return
    transaction.on_commit(partial(batch.setdefault(flush, []).append, item))


def batching() -> bool:
    """Whether the caller is inside a :func:`batched` block."""
    return _collecting.get() is not None


@contextmanager
def batched() -> Iterator[None]:
    """Collect :func:`after_commit` items of the block; at its end, one ``flush`` per function on commit, in
    the order the functions were first used. Meant inside the writer's transaction; a nested block joins the
    outer one."""
    if _collecting.get() is not None:
        yield
        return
    batch: dict[Flush, list[Any]] = {}
    token = _collecting.set(batch)
    try:
        yield
    finally:
        _collecting.reset(token)
        # registered even when the block ends by an exception: a caller that catches it and commits must still
        # have what committed flushed (a rolled-back transaction drops these hooks with the rest)
        for flush, items in batch.items():
            transaction.on_commit(partial(_flush_collected, flush, items))


def _flush_collected(flush: Flush, items: list[Any]) -> None:
    if items:  # every item may have been rolled back with its savepoint
        flush(items)
