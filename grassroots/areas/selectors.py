"""Reads of the area tree, scoped by the one scoping function."""

from __future__ import annotations

from django.db.models import QuerySet

from grassroots.accounts.rules import can_view_area, require
from grassroots.accounts.scoping import OutOfScope, is_unrestricted, scope_codes

from .codes import ancestor_codes
from .models import Area


def area_get_for(*, user, code: str) -> Area:
    """The area with ``code`` if the user's scope reaches it (or a part of it), else 404."""
    require(user, can_view_area, code)
    try:
        return Area.objects.select_related("parent").get(code=code)
    except Area.DoesNotExist:
        raise OutOfScope from None


def area_roots_for(*, user) -> QuerySet[Area]:
    """Where the user's area browser starts: the areas of their grants (the provinces for a superuser)."""
    if is_unrestricted(user):
        return Area.objects.current().filter(parent__isnull=True)
    return Area.objects.filter(code__in=scope_codes(user)).order_by("code")


def area_children_for(*, user, area: Area) -> QuerySet[Area]:
    """Children of an area that the user may see: all of them inside their scope, and the one path
    down to their scope when they stand above it."""
    children = Area.objects.current().filter(parent=area).order_by("code")
    if is_unrestricted(user):
        return children
    codes = scope_codes(user)
    if any(area.code.startswith(c) for c in codes):
        return children
    visible = {c[: len(area.code) + _step(area.code)] for c in codes if c.startswith(area.code)}
    return children.filter(code__in=visible)


def _step(code: str) -> int:
    return {2: 2, 4: 2, 6: 3, 9: 3, 12: 3}.get(len(code), 0)


def area_breadcrumbs(area: Area) -> list[Area]:
    codes = ancestor_codes(area.code)
    by_code = {a.code: a for a in Area.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]
