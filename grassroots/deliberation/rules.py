"""Who may see and do what in deliberation, as named predicates over (user, committee).

"Resident of the area" (the issue's "any resident of the area may propose", "ten eyes"): a user holding the
``resident`` role on an area that ``accounts.scoping.covers`` the committee's village — the village itself, a
grid of it (the usual grant: a resident is registered on their grid), or an area containing it. Grants on a
neighbouring village do not count.

- see a committee and its topics: everyone when the committee is public (no login needed); otherwise its
  members, residents of the area, and staff whose scope covers the village (404 for anyone else);
- propose a topic, comment: residents of the area, members, and the committee's managers;
- follow a topic: anyone logged in who can see it;
- rate a carried-out decision: residents of the area;
- act in a step (opinion, vote, sign ...): the member holding a seat, from their own account, as the process
  table says (``process.py``; checked in ``workflow.py``);
- manage the committee (found it, seat and unseat members, hide a comment): village, township or county staff
  and administrators whose scope contains the village;
- record a meeting, link a case or notice: members and managers.

Views and the API check these; the services check them again. A user who cannot see the committee gets
404 (:class:`~grassroots.accounts.scoping.OutOfScope`); one who can see it but may not act gets 403.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import Role
from grassroots.accounts.scoping import STAFF_ROLES, OutOfScope, covers, in_scope, is_unrestricted
from grassroots.errors import NotPermitted

from .models import Committee, Membership

RESIDENT_ROLES = frozenset({Role.RESIDENT})
MANAGER_ROLES = frozenset({Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF, Role.ADMINISTRATOR})


def is_active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def seat_of(user, committee: Committee) -> Membership | None:
    """The user's current seat on the committee (one query), or None."""
    if not is_active(user):
        return None
    return Membership.objects.filter(
        committee_id=committee.pk, user_id=user.pk, ended_on__isnull=True
    ).first()


def is_member(user, committee: Committee) -> bool:
    return seat_of(user, committee) is not None


def is_resident_of(user, committee: Committee) -> bool:
    return is_active(user) and covers(user, committee.area_code, roles=RESIDENT_ROLES)


def is_staff_viewer(user, committee: Committee) -> bool:
    return is_active(user) and covers(user, committee.area_code, roles=STAFF_ROLES)


def can_manage_committee(user, committee: Committee | str) -> bool:
    code = committee if isinstance(committee, str) else committee.area_code
    return is_active(user) and in_scope(user, code, roles=MANAGER_ROLES)


def can_view_committee(user, committee: Committee) -> bool:
    if committee.is_public or is_unrestricted(user):
        return True
    return is_staff_viewer(user, committee) or is_resident_of(user, committee) or is_member(user, committee)


def can_take_part(user, committee: Committee) -> bool:
    """Propose a topic and comment: residents of the area, members, managers."""
    if not is_active(user):
        return False
    return (
        is_resident_of(user, committee) or can_manage_committee(user, committee) or is_member(user, committee)
    )


def can_propose(user, committee: Committee) -> bool:
    return committee.dissolved_on is None and can_take_part(user, committee)


def can_comment(user, committee: Committee) -> bool:
    return can_take_part(user, committee)


def can_follow(user, committee: Committee) -> bool:
    return is_active(user) and can_view_committee(user, committee)


def can_rate(user, committee: Committee) -> bool:
    return is_resident_of(user, committee)


def can_link(user, committee: Committee) -> bool:
    return is_active(user) and (is_member(user, committee) or can_manage_committee(user, committee))


def can_record_meeting(user, committee: Committee) -> bool:
    return can_link(user, committee)


def can_moderate(user, committee: Committee) -> bool:
    return can_manage_committee(user, committee)


def can_see_full_names(user, committee: Committee) -> bool:
    """Proposers' and commenters' names in full: members and staff; everyone else sees them masked."""
    return is_unrestricted(user) or is_staff_viewer(user, committee) or is_member(user, committee)


_REFUSALS: dict[Callable, object] = {
    can_propose: _(
        "Only residents of this village, the committee's members and village staff may propose topics here. "
        "If you live here, ask your grid worker to register your account on your grid."
    ),
    can_comment: _(
        "Only residents of this village, the committee's members and village staff may comment here. "
        "If you live here, ask your grid worker to register your account on your grid."
    ),
    can_rate: _("Only residents of this village may rate its decisions."),
    can_follow: _("Log in to follow a topic."),
    can_manage_committee: _("Only village, township or county staff of this area may manage its committees."),
    can_link: _("Only the committee's members and village staff may link cases and notices."),
    can_record_meeting: _("Only the committee's members and village staff may record its meetings."),
    can_moderate: _("Only village, township or county staff of this area may hide comments."),
}


def refusal(predicate: Callable[..., bool]):
    """The message that says why ``predicate`` refused, and what to do."""
    return _REFUSALS.get(predicate, _("You may not do this here."))


def require(user, predicate: Callable[..., bool], committee: Committee) -> None:
    """Raise unless ``predicate(user, committee)``: 404 when the user cannot see the committee, else 403."""
    if predicate(user, committee):
        return
    if not can_view_committee(user, committee):
        raise OutOfScope
    raise NotPermitted(refusal(predicate))
