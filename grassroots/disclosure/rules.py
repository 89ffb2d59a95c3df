"""Disclosure permissions as named predicates over (user, area code).

Public pages need none: anyone may read a published notice. Village staff (and the township and county
above them, and administrators) manage boards and notices inside their scope; staff up the tree see the
catalogue roll-up. Anyone logged in may object to a notice whose window is open.
"""

from __future__ import annotations

from grassroots.accounts.models import Role
from grassroots.accounts.scoping import has_role, in_scope

MANAGER_ROLES = frozenset({Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF, Role.ADMINISTRATOR})
OVERSIGHT_ROLES = MANAGER_ROLES | {Role.SUPERVISOR, Role.LEADER}


def can_manage_board(user, code: str) -> bool:
    """Create boards and notices, import rosters, publish, correct, answer objections, confirm."""
    return in_scope(user, code, roles=MANAGER_ROLES)


# Answering an objection concludes its case, which only those who handle cases may do (cases.workflow has
# no step for administrators): an administrator manages the board, staff answer for the village.
ANSWER_ROLES = MANAGER_ROLES - {Role.ADMINISTRATOR}


def can_answer_objection(user, code: str) -> bool:
    return in_scope(user, code, roles=ANSWER_ROLES)


def can_view_catalogue(user, code: str) -> bool:
    return in_scope(user, code, roles=OVERSIGHT_ROLES)


def can_use_disclosure_desk(user) -> bool:
    return has_role(user, OVERSIGHT_ROLES)


def can_object(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)
