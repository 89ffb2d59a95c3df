"""Who may do what with the register, as named predicates over (user, area code).

Every read goes through ``accounts.scoping.scoped(..., roles=<one of the role sets below>)``: outside the
user's scope the register does not exist for them (404). Inside scope a role that may read but not act gets
403 from ``accounts.rules.require``.

| permission                        | roles (each inside the subtree of the grant)                         |
|-----------------------------------|-----------------------------------------------------------------------|
| read the register (masked)        | grid worker, village/community, township/street and county staff,   |
|                                   | supervisor, leader, administrator (residents and department         |
|                                   | handlers: never; the register does not exist for them)              |
| write households and residents,   | grid worker, village/community and township/street staff            |
| labels, moves; record visits;     |                                                                       |
| handle proxy services             |                                                                       |
| show an ID or phone number in full| grid worker (own grid), village/community and township/street staff, |
| ("show in full", with a reason,   | i.e. the people who serve the household. County staff, supervisors,  |
| audited)                          | leaders and administrators see masks only.                           |
| merge duplicates                  | village/community and township/street staff                          |
| import, export                    | village/community, township/street and county staff, administrator   |
| read places and organisations     | every staff role (departments need to see the units they work with)  |
| write places and organisations    | village/community, township/street staff, administrator              |

A superuser is unrestricted for reading and writing (``scoping.is_unrestricted``) but is not given
"show in full": that always needs one of the serving roles above, so an operator's account cannot read
personal data without a grant and an audit trail.
"""

from __future__ import annotations

from grassroots.accounts.models import Role
from grassroots.accounts.scoping import STAFF_ROLES, has_role, in_scope, scope_codes

REGISTER_READ_ROLES: frozenset[str] = frozenset(
    {
        Role.GRID_WORKER,
        Role.VILLAGE_STAFF,
        Role.TOWNSHIP_STAFF,
        Role.COUNTY_STAFF,
        Role.SUPERVISOR,
        Role.LEADER,
        Role.ADMINISTRATOR,
    }
)
REGISTER_WRITE_ROLES: frozenset[str] = frozenset({Role.GRID_WORKER, Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF})
REVEAL_ROLES: frozenset[str] = frozenset({Role.GRID_WORKER, Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF})
MERGE_ROLES: frozenset[str] = frozenset({Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF})
TRANSFER_ROLES: frozenset[str] = frozenset(
    {Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF, Role.ADMINISTRATOR}
)  # import and export
PLACE_READ_ROLES: frozenset[str] = STAFF_ROLES
PLACE_WRITE_ROLES: frozenset[str] = frozenset({Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF, Role.ADMINISTRATOR})


def can_read_register(user, code: str) -> bool:
    return in_scope(user, code, roles=REGISTER_READ_ROLES)


def can_write_register(user, code: str) -> bool:
    return in_scope(user, code, roles=REGISTER_WRITE_ROLES)


def can_reveal(user, code: str) -> bool:
    """Show an ID or phone number in full: serving roles only, superusers included only through a grant."""
    if not getattr(user, "is_active", False):
        return False
    return any(code.startswith(prefix) for prefix in scope_codes(user, roles=REVEAL_ROLES))


def can_merge(user, code: str) -> bool:
    return in_scope(user, code, roles=MERGE_ROLES)


def can_transfer(user, code: str) -> bool:
    """Import into, or export, the register of the area ``code``."""
    return in_scope(user, code, roles=TRANSFER_ROLES)


def can_read_places(user, code: str) -> bool:
    return in_scope(user, code, roles=PLACE_READ_ROLES)


def can_write_places(user, code: str) -> bool:
    return in_scope(user, code, roles=PLACE_WRITE_ROLES)


def can_use_places(user) -> bool:
    """Whether the list of places and organisations exists for the user (every staff role)."""
    return has_role(user, PLACE_READ_ROLES)


def can_use_register(user) -> bool:
    """Whether the register appears in the user's navigation at all."""
    return has_role(user, REGISTER_READ_ROLES)
