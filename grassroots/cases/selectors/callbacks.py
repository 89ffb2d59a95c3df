"""The callback list (回访): closed cases due a call, in the desk's scope, with their calls."""

from __future__ import annotations

from django.db.models import QuerySet

from grassroots.accounts.scoping import (
    OutOfScope,
    scoped,
)
from grassroots.masking import mask_phone

from .. import callback_list, rules, workflow
from ..metrics import under
from ..models import (
    CallbackAttempt,
    Case,
)

# --- callback surveys (回访) -----------------------------------------------------------------------------------

CALLBACK_PAGE_SIZE = 25


def callback_list_for(*, user, area: str = "") -> QuerySet[Case]:
    """The closed cases due a callback (``callback_list.due``) whose area lies in the user's desk scope (the
    desk that closed them and the desks above it), oldest closure first, with their current round's calls
    (``round_calls``, after :func:`with_round_calls`). ``area`` narrows to a subtree of that scope."""

    qs = scoped(Case.objects.all(), user, roles=workflow.DESK)
    if area:
        qs = qs.filter(under("area_code", area))
    return callback_list.due(qs).select_related("category", "reporter").order_by("closed_at", "id")


def callbacks_to_make_for(*, user) -> QuerySet[Case]:
    """The user's callback list less the cases they handled in this round (someone else calls those back:
    the transition table's guard), oldest closure first: what waits for them on their home page."""
    return callback_list_for(user=user).exclude(assignee_user_id=user.pk).exclude(handled_by_id=user.pk)


def with_round_calls(cases) -> list[Case]:
    """The cases, each with ``round_calls``: the calls of its current round, oldest first (one query)."""

    cases = list(cases)
    calls: dict[int, list] = {c.pk: [] for c in cases}
    rounds = {c.pk: c.round for c in cases}
    if cases:
        for call in CallbackAttempt.objects.filter(case__in=list(calls)).order_by("called_at", "id"):
            if call.round == rounds[call.case_id]:
                calls[call.case_id].append(call)
    for case in cases:
        case.round_calls = calls[case.pk]
    return cases


def callback_get_for(*, user, pk) -> Case:
    """One case on the user's callback list, else 404 (:class:`OutOfScope`)."""
    try:
        return callback_list_for(user=user).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise OutOfScope from None


def callback_calls_of(case: Case) -> list:
    """Every call of a case the caller may see, oldest first (all rounds)."""

    return list(CallbackAttempt.objects.filter(case=case).order_by("called_at", "id"))


def callback_rows_for(*, user, cases) -> list[Case]:
    """The callback list's cases with what a row shows this user: their current round's calls
    (``round_calls``), the reporter's name and masked phone when the user may know who reported
    (``reporter_display``, ``phone_masked``: empty otherwise) and whether the user handled the case, so may not
    call back (``own_work``)."""

    rows = with_round_calls(cases)
    for case in rows:
        visible = rules.can_see_reporter(user, case)
        name = case.reporter_name or (str(case.reporter) if case.reporter_id else "")
        case.reporter_display = name if visible else ""
        case.phone_masked = mask_phone(case.callback_phone) if visible else ""
        case.own_work = workflow.handled(case, user)
    return rows
