"""The role families of the case workflow: who takes up, handles, oversees and sees cases, and at which levels."""

from __future__ import annotations

from grassroots.accounts.models import Role
from grassroots.accounts.scoping import STAFF_ROLES
from grassroots.areas.codes import Level

ALL_LEVELS = frozenset(Level)
BELOW_COUNTY = frozenset({Level.GRID, Level.VILLAGE, Level.TOWNSHIP})

# Role families used in the table.
HANDLERS = frozenset({Role.GRID_WORKER, Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF})
DESK = frozenset({Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF, Role.SUPERVISOR})
INTAKE = DESK | {Role.GRID_WORKER}
OVERSIGHT = DESK | {Role.LEADER}
ADMIN = frozenset({Role.ADMINISTRATOR})
# Who sees cases through their scope. Departments and units see only what is dispatched to them.
VIEWERS = STAFF_ROLES - {Role.DEPARTMENT_HANDLER}
