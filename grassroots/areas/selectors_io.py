"""Reads for the import / export pages and the area-data API, scoped like every protected read."""

from __future__ import annotations

from django.db.models import QuerySet

from grassroots.accounts.rules import can_manage_area, require
from grassroots.accounts.scoping import OutOfScope

from . import import_kinds
from .models import Area, Grid, ImportRun


def managed_area_get_for(*, user, code: str) -> Area:
    """An area the user administers: 404 outside their scope, 403 inside it without the role."""
    require(user, can_manage_area, code)
    try:
        return Area.objects.select_related("parent", "successor").get(code=code)
    except Area.DoesNotExist:
        raise OutOfScope from None


def managed_grid_get_for(*, user, code: str) -> Grid:
    require(user, can_manage_area, code)
    try:
        return Grid.objects.select_related("area", "area__parent").get(area__code=code)
    except Grid.DoesNotExist:
        raise OutOfScope from None


def _require_kinds(user, code: str, kinds) -> list[str]:
    """The names of ``kinds`` (registered import kinds), once ``user`` holds each one's permission on the
    area ``code`` (404 outside their scope, 403 inside it without the role)."""
    names = [str(kind) for kind in kinds]
    for name in names:
        require(user, import_kinds.get(name).permission, code)
    return names


def import_run_list_for(*, user, code: str, kinds, limit: int = 10) -> QuerySet[ImportRun]:
    """The latest uploads of the given kinds for an area (those who may import them see each other's, for
    the record)."""
    names = _require_kinds(user, code, kinds)
    return (
        ImportRun.objects.filter(area_code=code, kind__in=names)
        .select_related("actor")
        .defer("content", "report")
        .order_by("-created_at", "-id")[:limit]
    )


def import_run_get_for(*, user, code: str, pk: int, kinds) -> ImportRun:
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
