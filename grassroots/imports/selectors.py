"""The runs a page shows: the latest uploads of its kinds for an area, and one of them. Each kind's own
permission on the area decides (404 outside the user's scope, 403 inside it without the role)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from grassroots.accounts.models import User
from grassroots.accounts.rules import require
from grassroots.accounts.scoping import OutOfScope

from . import kinds as registry
from .models import ImportRun


def _require_kinds(user: User, code: str, kinds: Iterable[str]) -> list[str]:
    """The names of ``kinds`` (registered import kinds), once ``user`` holds each one's permission on the
    area ``code``."""
    names = [str(kind) for kind in kinds]
    for name in names:
        require(user, registry.get(name).permission, code)
    return names


def import_run_list_for(
    *, user: User, code: str, kinds: Iterable[str], limit: int = 10
) -> QuerySet[ImportRun]:
    """The latest uploads of the given kinds for an area (those who may import them see each other's, for
    the record)."""
    names = _require_kinds(user, code, kinds)
    return (
        ImportRun.objects.filter(area_code=code, kind__in=names)
        .select_related("actor")
        .defer("content", "report")
        .order_by("-created_at", "-id")[:limit]
    )


def import_run_get_for(*, user: User, code: str, pk: int, kinds: Iterable[str]) -> ImportRun:
    """One upload of the area, of one of the given kinds (a run of another kind is not found: each page
    shows only its own)."""
    names = _require_kinds(user, code, kinds)
    try:
        return (
            ImportRun.objects.select_related("actor")
            .defer("content")
            .get(pk=pk, area_code=code, kind__in=names)
        )
    except ImportRun.DoesNotExist:
        raise OutOfScope from None
