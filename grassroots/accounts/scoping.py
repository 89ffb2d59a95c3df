"""The one scoping function (DESIGN.md section 3, "Scope").

A role is granted on an area; the user sees and acts only inside the subtrees of their grants. Every query
that returns protected data passes through :func:`scoped` (or :func:`get_in_scope_or_404`), naming the roles
that may see it. Outside scope is "not found": callers turn :class:`OutOfScope` / ``Http404`` into 404, so a
request never learns that another area's row exists.

Values that a form or a request body sends to name *another* object (the case to merge into, the handler to
dispatch to, the member to seat, the meeting a vote belongs to ...) are looked up the same way, through
:func:`resolve_in_scope`, or, among what the action itself offers (the handlers computed for a case and its
dispatcher; the parts of an object already looked up in scope), :func:`resolve_among` and
:func:`resolve_all_among`. A value that names nothing the actor may choose — missing, outside their scope, or not
among what the action offers: the answer does not tell these apart — is refused with
:class:`UnknownReference` (400, naming the field), so that no action reaches past its scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from grassroots.errors import DomainError

from .models import Role, RoleGrant

T = TypeVar("T")

ALL_ROLES: frozenset[str] = frozenset(Role.values)
STAFF_ROLES: frozenset[str] = ALL_ROLES - {Role.RESIDENT}


class OutOfScope(Http404):
    """The object does not exist for this user (it may exist in another area)."""


class UnknownReference(DomainError):
    """A value sent to name another object names nothing the actor may choose there: it does not exist, lies
    outside their scope, or is not among what the action offers (one answer for all three). ``detail`` names
    the field and repeats the value."""

    code = "unknown_reference"
    status = 400

    def __init__(self, *, field: str, what, value, code: str | None = None):
        shown = str(value)[:64]
        super().__init__(
            _("There is no %(what)s “%(value)s” that you can choose here; choose one from the list.")
            % {"what": what, "value": shown},
            code=code,
            detail={"field": field, "value": shown},
        )
        self.field = field


def _grants(user) -> list[tuple[str, str]]:
    """(role, area_code) pairs of the user, cached on the user object for the request."""
    cached = getattr(user, "_grassroots_grants", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False):
            cached = []
        else:
            cached = list(RoleGrant.objects.filter(user_id=user.pk).values_list("role", "area_code"))
        user._grassroots_grants = cached
    return cached


def remember_grants(user, grants: list[tuple[str, str]]) -> None:
    """Leave the user's (role, area_code) pairs on a login just read together with them (every grant of the
    user, as :func:`_grants` would read them), so that its scope checks ask the database nothing more."""
    user._grassroots_grants = list(grants)


def forget_grants(user) -> None:
    """Drop the per-request cache (after granting or revoking a role)."""
    if hasattr(user, "_grassroots_grants"):
        del user._grassroots_grants


def _minimal(codes: Iterable[str]) -> list[str]:
    """Drop codes already covered by a shorter prefix: ['15', '1508'] → ['15'].

    One pass in sorted order: a prefix sorts before every code it covers, and every code between the two
    begins with it too, so a covered code is always covered by the last one kept."""
    kept: list[str] = []
    for code in sorted(set(codes)):
        if not kept or not code.startswith(kept[-1]):
            kept.append(code)
    return kept


def is_unrestricted(user) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def scope_codes(user, *, roles: Iterable[str] | None = None) -> list[str]:
    """The area-code prefixes the user may reach with any of ``roles`` (all roles when None)."""
    wanted = ALL_ROLES if roles is None else frozenset(roles)
    if not getattr(user, "is_active", False):
        return []
    return _minimal(code for role, code in _grants(user) if role in wanted)


def has_role(user, roles: Iterable[str]) -> bool:
    return is_unrestricted(user) or bool(scope_codes(user, roles=roles))


def in_scope(user, code: str, *, roles: Iterable[str] | None = None) -> bool:
    """Whether an area code lies inside the user's scope for ``roles``."""
    if is_unrestricted(user):
        return True
    return any(code.startswith(prefix) for prefix in scope_codes(user, roles=roles))


def covers(user, code: str, *, roles: Iterable[str] | None = None) -> bool:
    """Whether the user's scope reaches an area or any part of it (an ancestor of their area counts:
    a grid worker may open the page of the village that contains their grid, but sees only their part)."""
    if is_unrestricted(user):
        return True
    return any(code.startswith(p) or p.startswith(code) for p in scope_codes(user, roles=roles))


def prefix_range_q(field: str, code: str) -> Q:
    """The subtree of ``code`` as a range of codes: ``code <= field < code + ":"``, for SQLite.

    With SQLite's byte-wise comparison these are the rows of ``field__startswith=code`` for area codes
    (digits only; ":" sorts right after "9"), and never more for any text: a value in the range begins with
    ``code``. SQLite's index serves the range, while its ``LIKE`` serves nothing and costs a comparison per
    row read. Not for PostgreSQL: its pattern index serves the prefix itself, and a locale's collation need
    not sort ":" after the digits.
    """
    return Q(**{f"{field}__gte": code, f"{field}__lt": code + ":"})


def scope_q(user, *, field: str = "area_code", roles: Iterable[str] | None = None, ranged: bool = False) -> Q:
    """A Q object selecting rows whose ``field`` (an area code) lies in the user's scope. ``ranged``: on
    SQLite, each prefix as a range of codes (:func:`prefix_range_q`) instead of a ``LIKE``; the same rows."""
    if is_unrestricted(user):
        return Q()
    codes = scope_codes(user, roles=roles)
    if not codes:
        return Q(pk__in=[])
    as_range = ranged and connection.vendor == "sqlite"
    q = Q()
    for code in codes:
        q |= prefix_range_q(field, code) if as_range else Q(**{f"{field}__startswith": code})
    return q


def scoped(
    queryset: QuerySet,
    user,
    *,
    field: str = "area_code",
    roles: Iterable[str] | None = None,
    ranged: bool = False,
) -> QuerySet:
    """Restrict ``queryset`` to the user's scope. The single entry point for protected reads."""
    return queryset.filter(scope_q(user, field=field, roles=roles, ranged=ranged))


def get_in_scope_or_404(
    queryset: QuerySet, user, *, field: str = "area_code", roles: Iterable[str] | None = None, **lookup
):
    """One object inside the user's scope, else :class:`OutOfScope` (a 404)."""
    try:
        return scoped(queryset, user, field=field, roles=roles).get(**lookup)
    except queryset.model.DoesNotExist:
        raise OutOfScope from None


def require_in_scope(user, code: str, *, roles: Iterable[str] | None = None) -> None:
    """Raise :class:`OutOfScope` unless ``code`` is in scope (for writes addressed by code)."""
    if not in_scope(user, code, roles=roles):
        raise OutOfScope


# --- values that name another object ----------------------------------------------------------------------


def resolve_in_scope(
    queryset: QuerySet,
    user,
    value,
    *,
    field: str,
    what,
    roles: Iterable[str] | None = None,
    scope_field: str = "area_code",
    lookup: str = "pk",
    code: str | None = None,
):
    """The one object of ``queryset`` (narrowed to what the action allows, e.g. the active logins of a
    village) that ``value`` names and that lies in the user's scope for ``roles`` (:func:`scoped` on
    ``scope_field``), else :class:`UnknownReference` for ``field``. ``what`` names the kind of object
    (translatable)."""
    found = scoped(queryset, user, field=scope_field, roles=roles)
    if "__" in scope_field:  # scoped through a relation (a login's grants): one row per object
        found = found.distinct()
    return resolve_among(found, value, field=field, what=what, lookup=lookup, code=code)


def resolve_among(
    choices: QuerySet | Mapping[str, T],
    value,
    *,
    field: str,
    what,
    lookup: str = "pk",
    code: str | None = None,
):
    """The choice that ``value`` names among ``choices``, else :class:`UnknownReference` for ``field``.

    ``choices`` is what the action offers this actor: a mapping from key to choice (the handlers computed for
    a case and its dispatcher, the same list the form shows), or a queryset of the parts of an object already
    looked up in the actor's scope (the meetings of the topic's committee, the members of the group)."""
    if isinstance(choices, QuerySet):
        if value is None or value == "" or isinstance(value, bool):
            raise UnknownReference(field=field, what=what, value="", code=code)
        try:
            return choices.get(**{lookup: value})
        except (choices.model.DoesNotExist, choices.model.MultipleObjectsReturned, ValueError, TypeError):
            raise UnknownReference(field=field, what=what, value=value, code=code) from None
    key = value if isinstance(value, str) else ""
    if key not in choices:
        raise UnknownReference(field=field, what=what, value=value if value is not None else "", code=code)
    return choices[key]


def resolve_all_among(
    choices: QuerySet, values: Iterable, *, field: str, what, code: str | None = None
) -> list:
    """Each object that ``values`` (ids) name among ``choices``, in their order and without repeats, else
    :class:`UnknownReference` naming the first value that names none."""
    wanted: list[int] = []
    for value in values:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            raise UnknownReference(field=field, what=what, value=value, code=code) from None
        if pk not in wanted:
            wanted.append(pk)
    found = choices.in_bulk(wanted) if wanted else {}
    for pk in wanted:
        if pk not in found:
            raise UnknownReference(field=field, what=what, value=pk, code=code)
    return [found[pk] for pk in wanted]
