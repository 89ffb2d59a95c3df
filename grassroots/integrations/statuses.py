"""The one table between our case states and the Open311 statuses (GeoReport v2 ``open``/``closed`` and
mySociety's extended statuses of the ``servicerequestupdates`` extension), both ways.

Each row: the extended status; the case state (and close reason) it describes, or None for a status that is
only ever received; the plain GeoReport status of such a case; and the case action (``cases`` workflow) that a
``POST servicerequestupdates`` with this status takes, or None when an outside system may not ask for it.
Whether the action is allowed is decided by the workflow's transition table for the key's account, as for a
person. Read out: the first row that matches the case's state and close reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from grassroots.cases.models import CloseReason, State
from grassroots.cases.workflow import Action

OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class StatusRow:
    extended: str
    state: str | None
    close_reason: str | None  # None: any
    open311: str
    action_in: str | None


STATUSES: tuple[StatusRow, ...] = (
    # reported, waiting to be accepted                                     | a closed case is reopened
    StatusRow("open", State.REPORTED, None, OPEN, Action.REOPEN),
    # accepted (受理): ours, being looked into                               | accept
    StatusRow("investigating", State.ACCEPTED, None, OPEN, Action.ACCEPT),
    # dispatched (派遣): with a handler
    StatusRow("in_progress", State.DISPATCHED, None, OPEN, None),
    # handled (处置反馈): the handler says it is fixed; waiting for verification
    StatusRow("fixed", State.HANDLED, None, OPEN, None),
    # shelved (挂账): on hold, to be done later; its clock stands still  | shelve (saying why)
    StatusRow("action_scheduled", State.SHELVED, None, OPEN, Action.SHELVE),
    # closed as a duplicate of another case (merged)
    StatusRow("duplicate", State.CLOSED, CloseReason.MERGED, CLOSED, None),
    # closed (核查结案): verified, or resolved on the spot                  | verification passed
    StatusRow("closed", State.CLOSED, None, CLOSED, Action.VERIFY_PASS),
    # cancelled (不予受理/作废), with the reason the reporter sees         | cancel (saying why)
    StatusRow("no_further_action", State.CANCELLED, None, CLOSED, Action.CANCEL),
    # received only: reopen a closed case (saying why)
    StatusRow("reopen", None, None, OPEN, Action.REOPEN),
)

EXTENDED = tuple(row.extended for row in STATUSES)


def row_for(state: str, close_reason: str = "") -> StatusRow:
    """The row describing a case in ``state`` (closed as ``close_reason``)."""
    for row in STATUSES:
        if row.state == state and row.close_reason in (None, close_reason or None):
            return row
    raise LookupError(state)


def row_named(extended: str) -> StatusRow | None:
    """The row of an extended status as received (any case), else None."""
    wanted = (extended or "").strip().lower()
    return next((row for row in STATUSES if row.extended == wanted), None)


def cases_q(statuses: list[str]) -> Q | None:
    """The cases in any of ``statuses`` (``open``/``closed`` or extended ones), as a filter; None when one of
    them is no status of the table."""
    q = Q(pk__in=[])
    for status in statuses:
        wanted = status.strip().lower()
        rows = [
            r
            for r in STATUSES
            if r.state and wanted in (r.open311 if wanted in (OPEN, CLOSED) else "", r.extended)
        ]
        if not rows:
            return None
        for row in rows:
            one = Q(state=row.state)
            if row.close_reason:
                one &= Q(close_reason=row.close_reason)
            else:  # the rows before it that name a reason of this state have those cases
                for other in STATUSES:
                    if other.state == row.state and other.close_reason:
                        one &= ~Q(close_reason=other.close_reason)
            q |= one
    return q
