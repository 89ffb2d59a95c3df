"""Who hears about a case change, and in which words (called by ``workflow.transition`` and the services).

Every change with a message for the reporter reaches the reporter's inbox (not when they made the change
themselves); a dispatch reaches the new assignee; the deadline scan reaches assignees and supervisors.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from grassroots.accounts.models import Role, RoleGrant
from grassroots.areas.codes import ancestor_codes
from grassroots.notifications.models import Topic
from grassroots.notifications.services import notify

from .models import Case, CaseEvent, EventAction


def _title(case: Case, what: str) -> str:
    return _("Report %(reference)s: %(what)s") % {"reference": case.reference, "what": what}


def after_transition(case: Case, event: CaseEvent, actor) -> None:
    """Tell the reporter what happened, in words; tell a new assignee that a case is theirs."""
    if event.message and case.reporter_id and case.reporter_id != getattr(actor, "pk", None):
        notify(
            recipients=[case.reporter],
            title=_title(case, str(EventAction(event.action).label)),
            body=event.message,
            target=case,
            topic=Topic.OWN_REPORT,  # residents registered by phone hear of it by SMS unless they chose otherwise
        )
    if (
        event.action == EventAction.DISPATCH
        and case.assignee_user_id
        and case.assignee_user_id != getattr(actor, "pk", None)
    ):
        notify(
            recipients=[case.assignee_user],
            title=_title(case, _("dispatched to you")),
            body=case.description[:200],
            target=case,
        )
    if event.action == EventAction.VERIFY_PASS:
        callback_due(case)


def new_case(case: Case) -> None:
    """A new case reached its grid: its responsible worker hears of it."""
    if case.assignee_user_id and case.assignee_user_id != case.reporter_id:
        notify(
            recipients=[case.assignee_user],
            title=_title(case, _("new report in your grid")),
            body=case.description[:200],
            target=case,
        )


def supervisors_of(code: str) -> list:
    """Users holding the supervisor role on the area or any area above it."""
    grants = RoleGrant.objects.filter(
        role=Role.SUPERVISOR, area_code__in=ancestor_codes(code)
    ).select_related("user")
    return [g.user for g in grants if g.user.is_active]


def deadline_reminder(case: Case, *, overdue: bool, step: str) -> None:
    if overdue:
        what = _("response overdue") if step == "response" else _("handling overdue")
        recipients = [case.assignee_user, *supervisors_of(case.area_code)]
    else:
        what = _("handling deadline near")
        recipients = [case.assignee_user]
    notify(recipients=recipients, title=_title(case, what), body=case.description[:200], target=case)


# The desk roles that call reporters back (workflow.DESK, repeated here: workflow imports this module).
CALLBACK_DESK_ROLES = (Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF, Role.SUPERVISOR)


def callback_desk_of(code: str) -> list:
    """The desk of an area for callbacks: the active users holding a desk role on the area itself or, when it
    has none, on the nearest area above it that has (a grid's cases go to its village or community)."""
    grants = RoleGrant.objects.filter(
        role__in=CALLBACK_DESK_ROLES, area_code__in=ancestor_codes(code)
    ).select_related("user")
    by_code: dict[str, list] = {}
    for grant in grants:
        if grant.user.is_active:
            by_code.setdefault(grant.area_code, []).append(grant.user)
    for area in sorted(by_code, key=len, reverse=True):
        return by_code[area]
    return []


def callback_due(case: Case) -> None:
    """A case just closed that is due a callback survey (回访) enters the list of the desk that closed it: that
    desk hears of it (not whoever handled it, who may not call back)."""
    from . import callback_list

    if not callback_list.is_due(case):
        return
    handlers = {case.assignee_user_id, case.handled_by_id}
    notify(
        recipients=[u for u in callback_desk_of(case.closing_code or case.area_code) if u.pk not in handlers],
        title=_title(case, _("closed: call the reporter back")),
        body=case.description[:200],
        target=case,
    )
