"""Whether the header shows a signed-in person the way to their own check-in (报到).

Party members are often residents without any staff role, so the header must lead them to their check-in
page; but asking the database on every page would add a query to each of them. Whether the person is a
party member is therefore read once when they log in and kept in their session (the check-in page itself
refreshes it). A member record linked to a login while that person is logged in shows the link from their
next login, or once they open the page from the workforce link.
"""

from __future__ import annotations

from grassroots.accounts.models import Role
from grassroots.accounts.scoping import scope_codes
from grassroots.areas.codes import CODE_LENGTH, Level

from .models import PartyMember

SESSION_KEY = "workforce.party_member"


def remember_membership(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: keep in the session whether the user is a party member."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = PartyMember.objects.filter(user_id=user.pk).exists()


def note_membership(request, is_member: bool) -> None:
    if hasattr(request, "session") and request.session.get(SESSION_KEY) != is_member:
        request.session[SESSION_KEY] = is_member


def check_in_link_shown(request) -> bool:
    """Whether the person is a party member, from their session; a session that does not say yet (one
    begun before this was kept, or by a way of logging in that sends no ``user_logged_in``) asks once and
    keeps the answer, so that every member with a login finds the link."""
    session = getattr(request, "session", None)
    if session is None:
        return False
    known = session.get(SESSION_KEY)
    if known is None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        known = PartyMember.objects.filter(user_id=user.pk).exists()
        session[SESSION_KEY] = known
    return bool(known)


def grid_workers_link_shown(user) -> bool:
    """Residents of a grid reach their grid workers from the header (from the grants: no query)."""
    return any(len(code) == CODE_LENGTH[Level.GRID] for code in scope_codes(user, roles={Role.RESIDENT}))
