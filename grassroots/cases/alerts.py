"""Who hears about a case change, and in which words (called by ``workflow.transition``, intake and the scan).

Two kinds of people hear of an event:

- the reporter, of every change with a message for them (not of a change they made themselves);
- whoever must act next, by :data:`RECIPIENTS`: one row per event that puts work on someone, naming who that
  is. "Who may act next" is read from the transition table itself (:func:`next_actors`): the users the table
  permits to take the next action on the case now, at the nearest level that has any (the grid's workers
  before the village's staff, the village before the township), so the table stays the one statement of who
  does what. The actor never hears of their own action.

Titles say what happened and name the service type and the place in words, never a code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from grassroots.accounts.models import Role, RoleGrant
from grassroots.accounts.scoping import remember_grants
from grassroots.areas.codes import ancestor_codes
from grassroots.areas.models import Area
from grassroots.messages import Message
from grassroots.notifications.models import Topic
from grassroots.notifications.services import notify

# workflow calls this module after each transition and this module reads workflow's table: the two import
# each other as modules (attributes are read only when a function runs).
from . import workflow
from .models import Case, CaseEvent, EventAction

A = EventAction


@dataclass(frozen=True)
class Rule:
    """One kind of recipient: its name (for the docs and the matrix test), how to find them on a case, and
    the roles whose holders on the case's area or above it that takes (read once per event for all its rules:
    :class:`Holders`)."""

    name: str
    users: Callable[[Case, object, Holders], list]  # (case, actor, holders) → users; never the actor
    roles: Callable[[], frozenset[str]] = frozenset  # asked when the rule is used (the table loads later)


class Holders:
    """The role grants of ``roles`` on the area ``code`` or any area above it, with each holder's login, in
    one query: the query also reads every other grant of those logins and leaves them on the login (the
    scoping module's per-user copy), so that asking the transition table about a holder reads nothing more."""

    def __init__(self, code: str, roles: frozenset[str]):
        self.code, self.roles = code, roles
        self._grants: list[RoleGrant] | None = None  # read when first asked for

    def _read(self) -> list[RoleGrant]:
        codes = ancestor_codes(self.code)
        above = set(codes)
        held = RoleGrant.objects.filter(role__in=self.roles, area_code__in=codes).values("user_id")
        grants: list[RoleGrant] = []
        users: dict[int, object] = {}
        owned: dict[int, list[tuple[str, str]]] = {}
        for grant in RoleGrant.objects.filter(user_id__in=held).select_related("user").order_by("id"):
            user = users.setdefault(grant.user_id, grant.user)
            owned.setdefault(grant.user_id, []).append((grant.role, grant.area_code))
            if grant.role in self.roles and grant.area_code in above:
                grant.user = user
                grants.append(grant)
        for pk, user in users.items():
            remember_grants(user, owned[pk])
        return grants

    def of(self, roles: frozenset[str]) -> list[RoleGrant]:
        """The grants of ``roles`` (among those asked for) above the case, in the order they were granted."""
        if self._grants is None:
            self._grants = self._read() if self.roles else []
        return [grant for grant in self._grants if grant.role in roles]


def _assignee(case: Case, actor, holders: Holders) -> list:
    return [case.assignee_user] if case.assignee_user_id else []


_SUPERVISOR = frozenset({Role.SUPERVISOR})


def supervisors_of(code: str, holders: Holders | None = None) -> list:
    """Users holding the supervisor role on the area or any area above it."""
    holders = holders if holders is not None else Holders(code, _SUPERVISOR)
    return [g.user for g in holders.of(_SUPERVISOR) if g.user.is_active]


@functools.cache
def _table_roles(action: str) -> frozenset[str]:
    """The roles the transition table lets take ``action`` in any state (whose holders may be told)."""
    return frozenset(
        role
        for (_state, a), rows in workflow.TRANSITIONS.items()
        if a == action
        for row in rows
        for role in row.roles
    )


def next_actors(case: Case, action: str, actor=None, holders: Holders | None = None) -> list:
    """The staff the transition table lets take ``action`` on ``case`` now (guards included), at the nearest
    level that has any besides ``actor``: the deepest area holding a permitted grant."""
    rows = workflow.TRANSITIONS.get((case.state, action), [])
    roles = frozenset(role for row in rows for role in row.roles)
    if not roles:
        return []
    holders = holders if holders is not None else Holders(case.area_code, roles)
    by_depth: dict[int, list] = {}
    for grant in sorted(holders.of(roles), key=lambda g: g.user_id):
        by_depth.setdefault(len(grant.area_code), []).append(grant.user)
    for depth in sorted(by_depth, reverse=True):  # the nearest level first; stop at the first with anyone
        found: list = []
        for user in by_depth[depth]:
            if user == actor or not user.is_active or user in found:
                continue
            if workflow.allowed_row(user, case, action) is not None:
                found.append(user)
        if found:
            return found
    return []


def _next(action: str, name: str) -> Rule:
    return Rule(
        name,
        lambda case, actor, holders: next_actors(case, action, actor, holders),
        lambda: _table_roles(action),
    )


ASSIGNEE = Rule("the assignee", _assignee)
SUPERVISORS = Rule(
    "the supervisors over the case's area",
    lambda case, actor, holders: supervisors_of(case.area_code, holders),
    lambda: _SUPERVISOR,
)
ACCEPTORS = _next(A.ACCEPT, "who may accept it: the grid's workers, else the desk of the area it reached")
DISPATCHERS = _next(A.DISPATCH, "who may dispatch it: the desk of the level it is at")
VERIFIERS = _next(A.VERIFY_PASS, "who may verify it: the nearest desk, not whoever handled it")
APPROVERS = _next(A.APPROVE_EXTENSION, "who may approve the extension: the nearest desk")
# 回访: the desk nearest the closed case that the table lets call back (not whoever handled it); nobody when the
# case is not due a callback (callback_list.due, the table's guard).
CALLERS = _next(A.CALLBACK, "who may call the reporter back: the nearest desk, not whoever handled it")

# Event → (what the recipients read, who they are). Every event that puts work on someone is a row.
RECIPIENTS: dict[str, tuple[object, tuple[Rule, ...]]] = {
    A.REPORT: (gettext_lazy("new report to take up"), (ACCEPTORS, ASSIGNEE)),
    A.DISPATCH: (gettext_lazy("dispatched to you"), (ASSIGNEE,)),
    A.RETURN: (gettext_lazy("returned: dispatch it again"), (DISPATCHERS,)),
    # 退回热线: a work order sent back is watched by the supervision axis (a return must not be a way of
    # shirking a matter); the hotline itself learns of it from the outcome feed.
    A.RETURN_TO_HOTLINE: (gettext_lazy("returned to the 12345 hotline: check the reason"), (SUPERVISORS,)),
    A.ESCALATE: (gettext_lazy("escalated to your level"), (DISPATCHERS,)),
    A.HANDLE: (gettext_lazy("handled, waiting for your verification"), (VERIFIERS,)),
    A.VERIFY_FAIL: (gettext_lazy("verification failed: rework needed"), (ASSIGNEE,)),
    A.REQUEST_EXTENSION: (gettext_lazy("more time asked for: approve or reject"), (APPROVERS,)),
    A.APPROVE_EXTENSION: (gettext_lazy("your extension was approved"), (ASSIGNEE,)),
    A.REJECT_EXTENSION: (gettext_lazy("your extension was rejected"), (ASSIGNEE,)),
    A.UNSHELVE: (gettext_lazy("resumed: back in your hands"), (ASSIGNEE,)),
    A.URGE: (gettext_lazy("urged: deal with it now"), (ASSIGNEE, SUPERVISORS)),
    A.REOPEN: (gettext_lazy("reopened: dispatch it again"), (DISPATCHERS,)),
    A.VERIFY_PASS: (gettext_lazy("closed: call the reporter back"), (CALLERS,)),
    A.RESPONSE_OVERDUE: (gettext_lazy("response overdue"), (ACCEPTORS, ASSIGNEE, SUPERVISORS)),
    A.HANDLING_OVERDUE: (gettext_lazy("handling overdue"), (ASSIGNEE, SUPERVISORS)),
    A.HANDLING_WARNING: (gettext_lazy("handling deadline near"), (ASSIGNEE,)),
}

URGE_CARDS = {"yellow": gettext_lazy("yellow card"), "red": gettext_lazy("red card")}


def _place(case: Case) -> str:
    if case.address:
        return case.address[:40]
    area = Area.objects.filter(code=case.area_code).only("name").first()
    return area.name if area is not None else case.area_code


def _title(case: Case, what) -> Message:
    return Message(
        gettext_lazy("%(what)s: %(category)s, %(place)s (%(reference)s)"),
        what=what,
        category=case.category.names() if case.category_id else "",
        place=_place(case),
        reference=case.reference,
    )


def recipients_for(case: Case, action: str, actor=None) -> list:
    """Who must act after ``action`` on ``case``, by :data:`RECIPIENTS` (the actor left out)."""
    _what, rules = RECIPIENTS.get(action, ("", ()))
    # the grants above the case, read once for all the rules of the event
    holders = Holders(case.area_code, frozenset().union(*(rule.roles() for rule in rules)))
    seen: dict[int, object] = {}
    for rule in rules:
        for user in rule.users(case, actor, holders):
            if user is not None and user.pk != getattr(actor, "pk", None):
                seen.setdefault(user.pk, user)
    return list(seen.values())


def tell_next(case: Case, action: str, actor=None, *, detail: dict | None = None) -> None:
    """Tell whoever must act after ``action`` that it is their turn, in words."""
    if action not in RECIPIENTS:
        return
    recipients = recipients_for(case, action, actor)
    if not recipients:
        return
    what = RECIPIENTS[action][0]
    card = (detail or {}).get("card")
    if action == A.URGE and card in URGE_CARDS:
        what = Message(gettext_lazy("%(what)s (%(card)s)"), what=what, card=URGE_CARDS[card])
    notify(recipients=recipients, title=_title(case, what), body=case.description[:200], target=case)


def after_transition(case: Case, event: CaseEvent, actor) -> None:
    """Tell the reporter what happened, in words; tell whoever acts next that it is their turn."""
    if event.message and case.reporter_id and case.reporter_id != getattr(actor, "pk", None):
        notify(
            recipients=[case.reporter],
            # the reporter knows the place: their report's number and what happened, short enough for an SMS
            title=Message(
                gettext_lazy("Report %(reference)s: %(what)s"),
                reference=case.reference,
                what=EventAction(event.action).label,
            ),
            body=Message.from_data(event.message_data) if event.message_data else event.message,
            target=case,
            topic=Topic.OWN_REPORT,  # residents registered by phone hear of it by SMS unless they chose otherwise
        )
    tell_next(case, event.action, actor, detail=(event.changes or {}).get("detail"))


def new_case(case: Case) -> None:
    """A new case reached its area: whoever may take it up hears of it (not the reporter themself)."""
    tell_next(case, A.REPORT, case.entered_by if case.entered_by_id else case.reporter)


def deadline_reminder(case: Case, *, overdue: bool, step: str) -> None:
    if overdue:
        action = A.RESPONSE_OVERDUE if step == "response" else A.HANDLING_OVERDUE
    else:
        action = A.HANDLING_WARNING
    tell_next(case, action)
