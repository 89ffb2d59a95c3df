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

A task that a write hands to the task queue (a notification's delivery, a webhook's try) goes through
:func:`enqueue_with_commit`: with the database queue its row is written in the writer's own transaction, so
the commit and the enqueue are one; with any other queue it is handed over on commit, and what a process that
dies between the two loses is found by the periodic sweep (``manage.py outbox_sweep``, docs/operations.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.db import transaction
from django_tasks.base import Task

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


def queue_commits_with_the_writer(task: Task) -> bool:
    """Whether ``task``'s queue keeps its tasks in the database (django-tasks-db): a task enqueued inside the
    writer's transaction is then written in it, commits or rolls back with it, and no worker sees it before."""
    from django_tasks_db import DatabaseBackend

    return isinstance(task.get_backend(), DatabaseBackend)


def enqueue_with_commit(task: Task, *args: Any, run_after: dt.datetime | None = None) -> None:
    """Enqueue ``task`` for the current transaction's commit: in the transaction itself when its queue commits
    with the writer (nothing can then be lost between the commit and the enqueue), else once it commits (a
    worker must not read what is not committed yet; a process that dies in between loses the task, and the
    periodic sweep finds what it was for). Nothing is enqueued for what is rolled back, either way.
    ``run_after``: not before then, where the queue can wait (the immediate backend of tests runs it at once)."""
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    if queue_commits_with_the_writer(task):
        task.enqueue(*args)
    else:
        transaction.on_commit(partial(task.enqueue, *args))
