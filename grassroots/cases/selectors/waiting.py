"""What waits for someone: the cases waiting for a user's next step (the home page reads it)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from grassroots import clock
from grassroots.accounts.models import Role
from grassroots.accounts.scoping import (
    scope_codes,
)
from grassroots.notifications.models import Notification

from .. import workflow
from ..models import (
    OPEN_STATES,
    Case,
    State,
)

# --- what waits for someone -----------------------------------------------------------------------------

# The next step each open case waits for, in the order a person's day takes them; a case is listed under the
# first of these its state offers the user (the transition table decides, guards included).
WAITING_STEPS = (
    workflow.Action.ACCEPT,
    workflow.Action.DISPATCH,
    workflow.Action.HANDLE,
    workflow.Action.VERIFY_PASS,
    workflow.Action.APPROVE_EXTENSION,
    workflow.Action.RATE,
)
WAITING_LOOKBACK = dt.timedelta(days=120)


def work_waiting_for(*, user, limit: int = 300) -> dict[str, list[Case]]:
    """The cases waiting for the user's next step, by step (see :data:`WAITING_STEPS`), most urgent first.

    The candidates are the cases the user was told of (``cases.alerts`` tells exactly whoever must act next),
    the cases assigned to them, the reports in the grids they work in, and their own closed reports to rate;
    each stays listed while the table still offers the user that step."""
    out: dict[str, list[Case]] = {str(step): [] for step in WAITING_STEPS}
    if not getattr(user, "is_authenticated", False):
        return out
    told = (
        Notification.objects.filter(
            recipient=user, target_type=Case._meta.label_lower, created_at__gte=clock.now() - WAITING_LOOKBACK
        )
        .order_by("-created_at")
        .values_list("target_id", flat=True)[:limit]
    )
    ids = {int(pk) for pk in told if str(pk).isdigit()}
    ids |= set(
        Case.objects.filter(assignee_user=user, state__in=OPEN_STATES).values_list("pk", flat=True)[:limit]
    )
    grids = [code for code in scope_codes(user, roles={Role.GRID_WORKER}) if len(code) == 15]
    if grids:
        ids |= set(
            Case.objects.filter(area_code__in=grids, state=State.REPORTED).values_list("pk", flat=True)[
                :limit
            ]
        )
    # their own closed reports whose round is not rated yet (the round is reopen_count + 1)
    unrated = Case.objects.filter(reporter=user, state=State.CLOSED, rated_round__lte=F("reopen_count"))
    ids |= set(unrated.values_list("pk", flat=True)[:limit])
    cases = Case.objects.filter(pk__in=ids).select_related("category")
    for case in cases:
        # Only these steps are asked about, not every action the case offers: the guards of the others read
        # the database (is a callback due, did it come as a hotline order), once per case, and a desk is told
        # of hundreds of cases in the lookback.
        for waiting in WAITING_STEPS:
            if workflow.allowed_row(user, case, waiting) is not None:
                out[str(waiting)].append(case)
                break
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    for rows in out.values():
        rows.sort(key=lambda c: (c.handling_due_at or c.response_due_at or far, -c.pk))
    return out
