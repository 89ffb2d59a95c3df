"""Reads for the import / export pages and the area-data API, scoped like every protected read."""

from __future__ import annotations

from django.db.models import QuerySet

from grassroots.accounts.rules import can_manage_area, require
from grassroots.accounts.scoping import OutOfScope

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


def import_run_list_for(*, user, code: str, limit: int = 10) -> QuerySet[ImportRun]:
    """The latest uploads for an area (its administrators see each other's, for the record)."""
    require(user, can_manage_area, code)
    return (
        ImportRun.objects.filter(area_code=code)
        .select_related("actor")
        .defer("content", "report")
        .order_by("-created_at", "-id")[:limit]
    )


def import_run_get_for(*, user, code: str, pk: int) -> ImportRun:
    require(user, can_manage_area, code)
    try:
        return ImportRun.objects.select_related("actor").defer("content").get(pk=pk, area_code=code)
    except ImportRun.DoesNotExist:
        raise OutOfScope from None
