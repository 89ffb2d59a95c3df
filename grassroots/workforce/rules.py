"""Who may see and change grid workers and their assignments (named predicates over an area code).

Managing the workforce is work for administrators and for village/community and township/street staff,
each inside their own scope. Who serves a grid is shown to everyone whose scope reaches the grid (residents
included, as the grid's public board shows it); the workers' phone numbers stay masked in every list.
"""

from __future__ import annotations

from grassroots.accounts.models import Role
from grassroots.accounts.scoping import in_scope

WORKFORCE_MANAGER_ROLES = frozenset({Role.ADMINISTRATOR, Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF})


def can_manage_workforce(user, code: str) -> bool:
    """Create grid workers and start or end assignments in the area ``code``."""
    return in_scope(user, code, roles=WORKFORCE_MANAGER_ROLES)


def can_view_assignments(user, code: str) -> bool:
    """See who serves the grid ``code``: any role whose scope contains the grid."""
    return in_scope(user, code)
