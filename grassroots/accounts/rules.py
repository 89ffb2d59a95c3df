"""Permissions as small named predicates over (user, area code), combined into named permissions.

Views and API operations declare which permission they need; services call :func:`require` again so that
no path around a view can skip the check. A user whose scope does not reach the area at all gets a 404
(:class:`OutOfScope`); a user who can see the area but lacks the role gets a 403 (:class:`NotPermitted`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from grassroots.errors import NotPermitted

from .models import Role
from .scoping import STAFF_ROLES, OutOfScope, covers, in_scope, is_unrestricted, scope_codes

Predicate = Callable[..., bool]

ADMIN_ROLES = frozenset({Role.ADMINISTRATOR})
OVERSIGHT_ROLES = frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR, Role.LEADER})


def can_view_area(user, code: str) -> bool:
    """Anyone with a role that reaches the area (or a part of it) may open its page."""
    return covers(user, code)


def can_view_area_staff(user, code: str) -> bool:
    return covers(user, code, roles=STAFF_ROLES)


def can_manage_area(user, code: str) -> bool:
    """Edit areas and grids, import and export them, grant roles: administrators inside their scope."""
    return in_scope(user, code, roles=ADMIN_ROLES)


def can_view_audit(user, code: str) -> bool:
    return in_scope(user, code, roles=OVERSIGHT_ROLES)


def can_manage_user(actor, user) -> bool:
    """An administrator manages a user whose every grant lies inside the administrator's scope."""
    if is_unrestricted(actor):
        return True
    if getattr(user, "is_superuser", False):
        return False
    codes = scope_codes(user)
    if not codes:
        return False
    return all(in_scope(actor, code, roles=ADMIN_ROLES) for code in codes)


def require(user, predicate: Predicate, *args) -> None:
    """Raise unless ``predicate(user, *args)``: 404 when the target is outside every scope, else 403."""
    if predicate(user, *args):
        return
    target = args[0] if args else None
    if isinstance(target, str) and not covers(user, target):
        raise OutOfScope
    if target is not None and not isinstance(target, str) and not can_see_user(user, target):
        raise OutOfScope
    raise NotPermitted(_("You may not do this here."))


def can_see_user(actor, user) -> bool:
    """Whether the actor can see the user at all (any of the user's grants inside any of the actor's scope)."""
    if is_unrestricted(actor):
        return True
    return any(covers(actor, code) for code in scope_codes(user))
