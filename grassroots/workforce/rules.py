"""Who may see and change grid workers and their assignments (named predicates over an area code).

Managing the workforce is work for administrators and for village/community and township/street staff,
each inside their own scope. Who serves a grid is shown to everyone whose scope reaches the grid (residents
included, as the grid's public board shows it); the workers' phone numbers stay masked in every list.
"""

from __future__ import annotations

from grassroots.accounts.models import Role
from grassroots.accounts.scoping import STAFF_ROLES, covers, has_role, in_scope

WORKFORCE_MANAGER_ROLES = frozenset({Role.ADMINISTRATOR, Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF})


def can_manage_workforce(user, code: str) -> bool:
    """Create grid workers and start or end assignments in the area ``code``."""
    return in_scope(user, code, roles=WORKFORCE_MANAGER_ROLES)


def can_import_rosters(user) -> bool:
    """Import grid-worker rosters somewhere (and so download the empty roster workbook)."""
    return has_role(user, WORKFORCE_MANAGER_ROLES)


def can_view_assignments(user, code: str) -> bool:
    """See who serves the grid ``code``: any role whose scope contains the grid."""
    return in_scope(user, code)


# Who supervises a grid worker: staff over the worker's area (not other workers, not residents). Patrol
# tracks and workload rankings are theirs to see.
SUPERVISOR_ROLES = frozenset({Role.TOWNSHIP_STAFF, Role.SUPERVISOR, Role.VILLAGE_STAFF})


def can_manage_party(user, code: str) -> bool:
    """Create party organisations and members, confirm or decline check-ins to a branch in ``code``."""
    return in_scope(user, code, roles=WORKFORCE_MANAGER_ROLES)


def can_view_party(user, code: str) -> bool:
    """See party organisations, members and check-ins in ``code``: staff whose scope contains it."""
    return in_scope(user, code, roles=STAFF_ROLES)


def is_member_self(user, member) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and member.user_id == user.pk


def can_request_check_in(user, member) -> bool:
    """A member asks to check in for themself (a manager of their branch may do it on their behalf)."""
    return is_member_self(user, member) or can_manage_party(user, member.area_code)


def can_log_service(user, check_in) -> bool:
    """Hours are logged by the member themself or by a manager of the branch's grid."""
    return is_member_self(user, check_in.member) or can_manage_party(user, check_in.area_code)


def can_view_check_in(user, check_in) -> bool:
    return is_member_self(user, check_in.member) or can_view_party(user, check_in.area_code)


def is_worker_self(user, worker) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and worker.user_id == user.pk


def can_patrol(user, worker, area_code: str | None = None) -> bool:
    """Start and end patrols, post positions and findings: only the worker themself, while they hold the
    grid-worker role over the patrol's area (a grid they serve, or their own area)."""
    return is_worker_self(user, worker) and in_scope(
        user, area_code or worker.area_code, roles={Role.GRID_WORKER}
    )


def can_supervise_worker(user, code: str) -> bool:
    """See a worker's patrol tracks and workload in ``code``: township staff, supervisors and village staff
    over the worker's area."""
    return in_scope(user, code, roles=SUPERVISOR_ROLES)


# Who may ask a grid's worker to patrol a place: the supervisors and the county's staff over the grid.
PATROL_TASK_ROLES = SUPERVISOR_ROLES | {Role.COUNTY_STAFF}


def can_set_patrol_tasks(user, code: str) -> bool:
    return in_scope(user, code, roles=PATROL_TASK_ROLES)


def can_view_patrol(user, patrol) -> bool:
    """The patrol summary (times, findings): the worker themself and their supervisors."""
    return is_worker_self(user, patrol.worker) or can_supervise_worker(user, patrol.area_code)


def can_view_track(user, patrol) -> bool:
    """The recorded positions: supervisors only (the worker's personal data)."""
    return can_supervise_worker(user, patrol.area_code)


def can_manage_groups(user, code: str) -> bool:
    """Create volunteer teams and councils, their members and activities in ``code``."""
    return in_scope(user, code, roles=WORKFORCE_MANAGER_ROLES)


def can_view_groups(user, code: str) -> bool:
    """Teams, councils and their activities are open to everyone whose scope reaches the area
    (residents included)."""
    return covers(user, code)
