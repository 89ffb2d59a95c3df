"""Whether the header shows a signed-in person the way to their own check-in (报到).

Party members are often residents without any staff role, so the header must lead them to their check-in
page; but asking the database on every page would add a query to each of them. Whether the person is a
party member is therefore read once when they log in and kept in their session (the check-in page itself
refreshes it). A member record linked to a login while that person is logged in shows the link from their
next login, or once they open the page from the workforce link.
"""

from __future__ import annotations

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
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SESSION_KEY))
