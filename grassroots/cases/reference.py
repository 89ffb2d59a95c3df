"""Per-process copies of the cases' reference data: the service types with their time limits (the working
calendar's copy is ``grassroots.worktime.reference``, keyed by the same version). Every intake read them from
the database; they change a few times a year.

Correctness across processes: a copy is keyed by the shared :class:`~grassroots.worktime.models.ReferenceVersion`
row, which :func:`changed` bumps. Saving or deleting a ``Category`` or ``CategoryLimit`` calls it (signals,
connected in ``apps.ready``: the admin, ``get_or_create`` and ``QuerySet.delete`` all send them), as a change to
the calendar does (``worktime.reference.changed``). Writers that bypass
signals (``QuerySet.update``, ``bulk_create``) must call :func:`changed` themselves. A process drops its copy
at once when it makes the change itself, and within ``settings.CASES_REFERENCE_CHECK_SECONDS`` (default 1)
when another process does.

The objects handed out are copies: callers may not change the cached ones.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from grassroots.versioned import VersionedCopy
from grassroots.worktime import reference as worktime_reference

from .models import Category, CategoryLimit


@dataclass
class _Copy:
    key: object
    categories: dict[str, Category] | None = None  # active ones, by code, parents loaded
    by_id: dict[int, Category] | None = None  # the same, by id
    limits: dict[tuple[int, str], CategoryLimit] | None = None  # (category id, urgency) → row


_copies: VersionedCopy[_Copy] = VersionedCopy(
    read_key=worktime_reference.key,  # the calendar's copy reads the shared version: one query for both
    load=_Copy,
    check_seconds=lambda: float(getattr(settings, "CASES_REFERENCE_CHECK_SECONDS", 1.0)),
)


def _current() -> _Copy:
    """This process's copy, replaced by an empty one when the stored version has moved on."""
    return _copies.get()


def reset() -> None:
    """Forget this process's copies, the calendar's too (tests: each test has its own database)."""
    _copies.reset()
    worktime_reference.reset()


def changed(**_signal_kwargs) -> None:
    """Reference data changed: bump the shared version (in the writer's transaction) and drop this
    process's copy now and again after the commit (so that nothing read in between survives)."""
    worktime_reference.changed()  # bumps the version both copies are keyed by
    reset()
    transaction.on_commit(reset)


def _categories() -> dict[str, Category]:
    current = _current()
    categories = current.categories
    if categories is None:
        categories = {
            c.code: c
            for c in Category.objects.filter(is_active=True).select_related("parent__parent").order_by("code")
        }
        current.categories = categories
    return categories


def category(code: str) -> Category | None:
    """The active service type with this code (its parent and grandparent loaded), or None."""
    found = _categories().get(code)
    return copy.copy(found) if found is not None else None


def active_categories() -> list[Category]:
    """The active service types in code order (parents before children), parents loaded."""
    return [copy.copy(c) for c in _categories().values()]


def lineage(category_id: int, *, most: int = 10) -> list[int] | None:
    """The ids of an active service type and of its ancestors, nearest first (at most ``most``), or None
    when one of them is not active (not in this copy: the caller reads the database)."""
    current = _current()
    by_id = current.by_id
    if by_id is None:
        by_id = current.by_id = {c.pk: c for c in _categories().values()}
    chain: list[int] = []
    pk: int | None = category_id
    while pk is not None and len(chain) < most:
        found = by_id.get(pk)
        if found is None:
            return None
        chain.append(pk)
        pk = found.parent_id
    return chain


def limit(category_id: int, urgency: str) -> CategoryLimit | None:
    """The time limits a service type itself sets for an urgency (not its parent's), or None."""
    current = _current()
    limits = current.limits
    if limits is None:
        limits = {(row.category_id, row.urgency): row for row in CategoryLimit.objects.all()}
        current.limits = limits
    return limits.get((category_id, urgency))
