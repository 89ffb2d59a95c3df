"""Case permissions as named predicates. The per-action rules are declared in ``workflow.TRANSITIONS``;
these predicates wrap them for views, the API and the intake services."""

from __future__ import annotations

from grassroots.accounts.models import Role
from grassroots.accounts.scoping import has_role, in_scope, scope_codes

from . import workflow

INTAKE_ROLES = frozenset(
    {Role.GRID_WORKER, Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF, Role.SUPERVISOR}
)


def can_report(user) -> bool:
    """Anyone logged in may report (residents need no grant)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_enter_cases(user) -> bool:
    """Staff who take calls and visits enter cases for callers."""
    return can_report(user) and has_role(user, INTAKE_ROLES)


def can_resolve_on_the_spot(user) -> bool:
    return can_report(user) and has_role(user, {Role.GRID_WORKER})


def can_enter_calendar(user) -> bool:
    """The working calendar is national: administrators (of any area) enter a year's holiday notice."""
    return can_report(user) and has_role(user, {Role.ADMINISTRATOR})


def can_view_case(user, case) -> bool:
    return workflow.can_see(user, case)


def can_take(user, case, action: str) -> bool:
    return workflow.allowed_row(user, case, action) is not None


def is_staff_viewer(user, case) -> bool:
    """Staff who see the case through their scope (not only as its reporter): they see internal notes."""
    return (
        in_scope(user, case.area_code, roles=workflow.VIEWERS)
        or in_scope(user, case.origin_code, roles=workflow.VIEWERS)
        or (case.assignee_user_id is not None and case.assignee_user_id == getattr(user, "pk", None))
    )


def can_see_reporter(user, case) -> bool:
    """The reporter's identity is shown to the reporter and to staff whose scope holds the case's origin
    grid; anonymous reports show it to nobody else (staff-side privacy)."""
    if case.reporter_id is not None and case.reporter_id == getattr(user, "pk", None):
        return True
    if case.is_anonymous:
        return False
    return in_scope(user, case.origin_code, roles=workflow.VIEWERS)


def can_call_back(user) -> bool:
    """The desk calls reporters back (回访): who may take the ``callback`` action somewhere (the table's roles;
    its guards decide case by case)."""
    return can_report(user) and has_role(user, workflow.DESK)


# --- the 12345 hotline exchange --------------------------------------------------------------------------

# Who sets how a city's hotline sheet reads: staff whose grant covers the whole city (its command centre, an
# administrator); one layout serves every county of the city, so a county's staff read it but do not change it.
HOTLINE_LAYOUT_ROLES = frozenset({Role.COUNTY_STAFF, Role.SUPERVISOR, Role.ADMINISTRATOR})


def can_import_hotline(user, code: str) -> bool:
    """The desk of an area takes the hotline's work orders for it in (the daily sheet, the JSON API)."""
    return can_report(user) and in_scope(user, code, roles=workflow.DESK)


def hotline_start(user) -> tuple[str, str] | None:
    """Where the header's hotline link leads: ("desk", the first area whose desk the user sits at), else
    ("layout", the city whose sheet layout they set), else None (no link)."""
    if not can_report(user):
        return None
    desks = scope_codes(user, roles=workflow.DESK)
    if desks:
        return ("desk", desks[0])
    cities = [code[:4] for code in scope_codes(user, roles=HOTLINE_LAYOUT_ROLES) if len(code) >= 4]
    return ("layout", cities[0]) if cities else None


def can_use_hotline(user) -> bool:
    """Whether the header offers the hotline pages."""
    return hotline_start(user) is not None


def can_set_hotline_layout(user, city_code: str) -> bool:
    return can_report(user) and in_scope(user, city_code, roles=HOTLINE_LAYOUT_ROLES)


def can_read_hotline_outcomes(user, code: str) -> bool:
    """The outcome feed and export of an area: whoever sees its cases through their scope."""
    return can_report(user) and in_scope(user, code, roles=workflow.VIEWERS)
