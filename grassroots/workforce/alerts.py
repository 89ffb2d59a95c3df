"""Who is told what about a party member's check-in (报到): one table, beside the check-in services, and the one
function that sends from it.

A check-in asked of a grid's branch puts work on whoever confirms for that branch: the staff the rules let
manage party work there, at the nearest level that has any (the village's staff; the township's only when the
village has nobody), never the member themself nor whoever asked on their behalf. The branch's decision puts
the next step back with the member.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from grassroots.messages import Message
from grassroots.notifications.selectors import nearest_holders
from grassroots.notifications.services import notify

from . import rules
from .models import CheckIn

REQUESTED, CONFIRMED, DECLINED = "requested", "confirmed", "declined"


def _confirmers(check_in: CheckIn, actor) -> list:
    return nearest_holders(
        check_in.area_code,
        rules.WORKFORCE_MANAGER_ROLES,
        allowed=lambda user: rules.can_manage_party(user, check_in.area_code),
        besides=(actor, check_in.member.user),
    )


def _member(check_in: CheckIn, actor) -> list:
    user = check_in.member.user
    return [user] if user is not None and user != actor and user.is_active else []


@dataclass(frozen=True)
class Alert:
    title: object  # formatted with %(member)s, %(branch)s, %(year)s
    body: object
    who: str  # the recipients, in words (for the docs and the matrix test)
    users: Callable[[CheckIn, object], list]


# Event → what the recipients read and who they are.
ALERTS: dict[str, Alert] = {
    REQUESTED: Alert(
        _("Check-in to confirm: %(member)s to %(branch)s (%(year)s)"),
        _("Confirm it, or decline it with a reason, on the list of member check-ins."),
        "who confirms for the branch: its nearest party managers, not the member",
        _confirmers,
    ),
    CONFIRMED: Alert(
        _("Your check-in to %(branch)s for %(year)s is confirmed"),
        _("Log the hours of the service you pledged on your check-in page."),
        "the member",
        _member,
    ),
    DECLINED: Alert(
        _("Your check-in to %(branch)s for %(year)s was declined"),
        _("Read the reason on your check-in page."),
        "the member",
        _member,
    ),
}


def tell(check_in: CheckIn, event: str, actor=None) -> None:
    """Tell the people the table names for ``event`` on ``check_in``."""
    alert = ALERTS[event]
    values = {"member": check_in.member.name, "branch": check_in.branch.name, "year": check_in.year}
    notify(
        recipients=alert.users(check_in, actor),
        title=Message(alert.title, **values),
        body=Message(alert.body),
        target=check_in,
    )
