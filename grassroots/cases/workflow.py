"""The case workflow in one place (DESIGN.md section 3, "The case workflow").

``TRANSITIONS`` maps (state, action) to a :class:`Transition`: the state it leads to, and who may take it —
the staff roles whose grant must contain the case's ``area_code`` (so a case escalated to the township is out
of the grid worker's hands), the case levels where the action exists, and whether the case's own reporter
or its current assignee may take it whatever their role. Anything not in the table is refused.

:func:`transition` is the only code that changes a case's workflow fields. It locks the row, checks the
version the caller saw (optimistic concurrency: the loser of a race gets :class:`CaseConflict`), checks the
table and the permission, applies the action's effect, bumps the version and appends one
:class:`~grassroots.cases.models.CaseEvent` with the old and new values, and tells the reporter what
happened in plain words — all in one transaction.

Main line:  reported → accepted → dispatched → handled → closed
Side lines: cancel (reported/accepted → cancelled), return to the hotline (a hotline work order, reported/accepted →
cancelled), return (dispatched → accepted), escalate (accepted or
dispatched → accepted one level up), verify_fail (handled → dispatched, rework + 1), shelve/unshelve
(→ shelved → the state before), merge (reported/accepted → closed as a duplicate), reopen (closed →
accepted), and the events that keep the state: urge, rate, request/approve/reject an extension.

Separation of duties: the verification (verify_pass, verify_fail) is refused to whoever the case is assigned
to or reported it handled, and the rating to them and to whoever verified it — guards in the table, each
refusal saying why.

Closure rounds: a case is in round 1 until it is reopened, then round 2, and so on. Each round is rated at most
once (``rate``), and its rating is an append-only :class:`~grassroots.cases.models.CaseRating`: reopening
starts a new round and erases nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.models import Role
from grassroots.accounts.scoping import OutOfScope, in_scope
from grassroots.areas.codes import Level
from grassroots.errors import NotPermitted

from . import alerts, callback_list, events
from .effects import EFFECTS

# What callers read from the workflow, wherever it is defined (its effects, its refusals, its role families).
from .effects import RATINGS as RATINGS
from .effects import DispatchTarget as DispatchTarget
from .effects import Step as Step
from .effects import record_rating as record_rating
from .errors import ActionNotAllowed, CaseConflict
from .errors import CaseError as CaseError
from .errors import ReportInvalid as ReportInvalid
from .models import (
    Case,
    CloseReason,
    EventAction,
    HotlineOrder,
    Source,
    State,
)
from .roles import ADMIN as ADMIN
from .roles import ALL_LEVELS, BELOW_COUNTY, DESK, HANDLERS, INTAKE, OVERSIGHT, VIEWERS

Action = EventAction  # the workflow actions are the user-chosen members of EventAction


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    # None: the state does not change (urge, rate, extensions); unshelve goes back to previous_state.
    target: str | None
    roles: frozenset[str]
    levels: frozenset[int] = ALL_LEVELS
    reporter: bool = False
    assignee: bool = False
    # Extra condition on the case and actor: returns a translatable refusal, or None when fine.
    guard: Callable[[Case, object], object | None] | None = field(default=None, compare=False)

    def describe(self) -> str:
        who = sorted(self.roles)
        if self.reporter:
            who.append("reporter")
        if self.assignee:
            who.append("assignee")
        return f"{self.source} --{self.action}--> {self.target or '(same)'} by {', '.join(who)}"


def _reporter_unsolved(case: Case, actor) -> object | None:
    """The reporter may reopen only a case they said was not really solved."""
    reporter_only = case.reporter_id == getattr(actor, "pk", None) and not _staff_may(actor, case, DESK)
    if reporter_only and not (case.rated_this_round and case.really_solved is False):
        return _("You can reopen your report after saying that it was not really solved.")
    return None


def _not_merged(case: Case, actor) -> object | None:
    if case.close_reason == CloseReason.MERGED:
        return _("This report was merged into another one; follow that one instead.")
    return None


def _not_rated(case: Case, actor) -> object | None:
    if case.close_reason == CloseReason.MERGED:
        return _("This report was merged into another one; rate that one instead.")
    if case.rated_this_round:
        return _("This report has already been rated since it was last closed.")
    return None


def _own_work(case: Case, actor) -> bool:
    """Whether ``actor`` handled the case in this closure round: it is assigned to their login, or they
    reported it handled."""
    me = getattr(actor, "pk", None)
    return me is not None and me in (case.assignee_user_id, case.handled_by_id)


def _independent_verifier(case: Case, actor) -> object | None:
    """Separation of duties: verification (核查) is independent of handling, as the supervision axis is kept
    apart from command and handling. Whoever handled the case, or reported it handled, may not verify it."""
    if _own_work(case, actor):
        return _(
            "You handled this case or reported it handled, so someone else must verify it: verification is "
            "independent of handling."
        )
    return None


def _not_rating_own_work(case: Case, actor) -> object | None:
    """A rating is the view of those the work was done for: whoever handled or verified the case may not rate
    it, even when they reported it."""
    if _own_work(case, actor) or case.verified_by_id == getattr(actor, "pk", None):
        return _(
            "You handled or verified this case, so you may not rate it: the rating is for those the work was "
            "done for."
        )
    return None


def _not_calling_back_own_work(case: Case, actor) -> object | None:
    """Separation of duties: a callback survey (回访) asks the reporter about the work, so whoever handled the
    case (it is assigned to them, or they reported it handled) may not take it down."""
    if _own_work(case, actor):
        return _(
            "You handled this case, so someone else must call the reporter back: a callback asks about your "
            "own work."
        )
    return None


def _due_a_callback(case: Case, actor) -> object | None:
    """Only a case on the callback list (``callback_list.due``: the one definition) is called back."""

    if not callback_list.is_due(case):
        return _(
            "This case is not due a callback: it was rated already, came in by a channel that is not called "
            "back, has no way to reach the reporter, or the reporter could not be reached often enough."
        )
    return None


def _extension_pending(case: Case, actor) -> object | None:
    if not case.extension_request:
        return _("There is no extension request to decide.")
    if case.extension_request.get("by") == getattr(actor, "pk", None):
        return _("Someone other than the person who asked must decide on an extension.")
    return None


def _no_extension_pending(case: Case, actor) -> object | None:
    if case.extension_request:
        return _("An extension request is already waiting for a decision.")
    return None


def _hotline_order(case: Case, actor) -> object | None:
    """Only a case that came as a 12345 hotline work order goes back to the hotline."""
    if case.source != Source.HOTLINE or not HotlineOrder.objects.filter(case_id=case.pk).exists():
        return _("Only a case that came from the 12345 hotline as a work order can be returned to it.")
    return None


S, A = State, Action
_OPEN_UNSHELVED = (S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.HANDLED)


def _table() -> dict[tuple[str, str], Transition]:
    rows = [
        Transition(A.ACCEPT, S.REPORTED, S.ACCEPTED, INTAKE),
        Transition(A.CANCEL, S.REPORTED, S.CANCELLED, DESK, reporter=True),
        Transition(A.CANCEL, S.ACCEPTED, S.CANCELLED, DESK),
        # 退回热线: a hotline work order that is not ours goes back, saying why (the hotline reads it in the feed).
        *(
            Transition(A.RETURN_TO_HOTLINE, s, S.CANCELLED, DESK, guard=_hotline_order)
            for s in (S.REPORTED, S.ACCEPTED)
        ),
        Transition(A.DISPATCH, S.ACCEPTED, S.DISPATCHED, DESK),
        # A grid worker dispatches within the grid (usually to themself); above the grid the desk does.
        Transition(
            A.DISPATCH,
            S.ACCEPTED,
            S.DISPATCHED,
            frozenset({Role.GRID_WORKER}),
            levels=frozenset({Level.GRID}),
        ),
        Transition(A.RETURN, S.DISPATCHED, S.ACCEPTED, DESK, assignee=True),
        Transition(A.ESCALATE, S.ACCEPTED, S.ACCEPTED, INTAKE, levels=BELOW_COUNTY),
        Transition(A.ESCALATE, S.DISPATCHED, S.ACCEPTED, INTAKE, levels=BELOW_COUNTY, assignee=True),
        Transition(A.HANDLE, S.DISPATCHED, S.HANDLED, HANDLERS, assignee=True),
        Transition(A.VERIFY_PASS, S.HANDLED, S.CLOSED, DESK, guard=_independent_verifier),
        Transition(A.VERIFY_FAIL, S.HANDLED, S.DISPATCHED, DESK, guard=_independent_verifier),
        *(Transition(A.SHELVE, s, S.SHELVED, DESK) for s in (S.REPORTED, S.ACCEPTED, S.DISPATCHED)),
        Transition(A.UNSHELVE, S.SHELVED, None, DESK),
        Transition(
            A.REQUEST_EXTENSION, S.DISPATCHED, None, HANDLERS, assignee=True, guard=_no_extension_pending
        ),
        Transition(A.APPROVE_EXTENSION, S.DISPATCHED, None, DESK, guard=_extension_pending),
        Transition(A.REJECT_EXTENSION, S.DISPATCHED, None, DESK, guard=_extension_pending),
        *(Transition(A.URGE, s, None, OVERSIGHT) for s in (*_OPEN_UNSHELVED, S.SHELVED)),
        *(Transition(A.MERGE, s, S.CLOSED, INTAKE) for s in (S.REPORTED, S.ACCEPTED)),
        Transition(
            A.REOPEN,
            S.CLOSED,
            S.ACCEPTED,
            DESK,
            reporter=True,
            guard=_combine(_not_merged, _reporter_unsolved),
        ),
        Transition(
            A.RATE,
            S.CLOSED,
            None,
            frozenset(),
            reporter=True,
            guard=_combine(_not_rated, _not_rating_own_work),
        ),
        # 回访: the desk calls the reporter of a closed case and takes down their rating, or notes no answer.
        Transition(
            A.CALLBACK,
            S.CLOSED,
            None,
            DESK,
            guard=_combine(_not_rated, _not_calling_back_own_work, _due_a_callback),
        ),
    ]
    table: dict[tuple[str, str], list[Transition]] = {}
    for row in rows:
        table.setdefault((row.source, row.action), []).append(row)
    return table


def _combine(*guards):
    def guard(case, actor):
        for g in guards:
            refusal = g(case, actor)
            if refusal is not None:
                return refusal
        return None

    return guard


def _staff_may(actor, case: Case, roles) -> bool:
    return bool(roles) and in_scope(actor, case.area_code, roles=roles)


TRANSITIONS: dict[tuple[str, str], list[Transition]] = _table()
ACTIONS: frozenset[str] = frozenset(action for _state, action in TRANSITIONS)


def permits(row: Transition, actor, case: Case) -> bool:
    """Whether ``actor`` may take the transition ``row`` on ``case`` (ignoring guards)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if case.level not in row.levels:
        return False
    if row.reporter and case.reporter_id is not None and case.reporter_id == actor.pk:
        return True
    if row.assignee and case.assignee_user_id is not None and case.assignee_user_id == actor.pk:
        return True
    return _staff_may(actor, case, row.roles)


def may_take(actor, case: Case, action: str) -> bool:
    """Whether ``actor`` may take ``action`` on ``case`` at its level and area in some state (ignoring the
    state and guards): e.g. who may be shown the handlers a case can be dispatched to."""
    return any(
        permits(row, actor, case) for (_state, a), rows in TRANSITIONS.items() if a == action for row in rows
    )


def can_see(actor, case: Case) -> bool:
    """The reporter, the assignee, and staff whose scope holds the case now or where it came from."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if case.reporter_id == actor.pk or case.assignee_user_id == actor.pk:
        return True
    return in_scope(actor, case.area_code, roles=VIEWERS) or in_scope(actor, case.origin_code, roles=VIEWERS)


def allowed_row(actor, case: Case, action: str) -> Transition | None:
    """The transition ``actor`` may take now (guards included), or None."""
    for row in TRANSITIONS.get((case.state, action), []):
        if permits(row, actor, case) and (row.guard is None or row.guard(case, actor) is None):
            return row
    return None


def available_actions(actor, case: Case) -> list[str]:
    """The actions ``actor`` may take on ``case`` now, in table order (for pages and the API)."""
    seen: list[str] = []
    for (state, action), _rows in TRANSITIONS.items():
        if state == case.state and action not in seen and allowed_row(actor, case, action) is not None:
            seen.append(action)
    return seen


TRACKED = (
    "state",
    "previous_state",
    "area_code",
    "level",
    "assignee_kind",
    "assignee_ref",
    "assignee_name",
    "assignee_user_id",
    "handled_by_id",
    "verified_by_id",
    "rework_count",
    "reopen_count",
    "urge_count",
    "closing_level",
    "close_reason",
    "merged_into_id",
    "response_due_at",
    "handling_due_at",
    "rating",
    "really_solved",
    "rated_round",
    "cancel_reason",
)


def _snapshot(case: Case) -> dict:
    out = {}
    for name in TRACKED:
        value = getattr(case, name)
        out[name] = value.isoformat() if isinstance(value, dt.datetime) else value
    return out


def _row(case: Case) -> dict[str, object]:
    """The case's stored columns as they are now (JSON values copied: an effect may change them in place)."""
    return {
        f.name: copy.deepcopy(value) if isinstance(value := getattr(case, f.attname), dict | list) else value
        for f in _COLUMNS
    }


_COLUMNS = [f for f in Case._meta.concrete_fields if not f.primary_key]


def transition(*, case: Case, action: str, actor, expected_version: int, **payload) -> Case:
    """Take ``action`` on ``case`` as ``actor``; returns the updated case (a fresh instance).

    Raises :class:`~grassroots.accounts.scoping.OutOfScope` (404) when the actor cannot see the case,
    :class:`CaseConflict` (409) when the case changed since ``expected_version``,
    :class:`ActionNotAllowed` (409) when the action does not exist in the case's state, and
    :class:`~grassroots.errors.NotPermitted` (403) when the actor may see the case but not take the action
    (or a guard refuses, with its reason). Nothing is written on any refusal.
    """
    if action not in EFFECTS:
        raise ActionNotAllowed(_("Unknown action %(action)s.") % {"action": action}, code="unknown_action")
    with transaction.atomic():
        # Lock the case row only (not the joined category, which every case of that type shares, nor the
        # reporter, whom the change is told to).
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("category", "reporter")
            .get(pk=case.pk)
        )
        if not can_see(actor, locked):
            raise OutOfScope
        if locked.version != expected_version:
            raise CaseConflict(
                _(
                    "Someone else changed this case while you were looking at it (it is now %(state)s). "
                    "Reload the page to see what changed, then decide again."
                )
                % {"state": State(locked.state).label},
                detail={"version": locked.version, "state": locked.state},
            )
        rows = TRANSITIONS.get((locked.state, action))
        if not rows:
            raise ActionNotAllowed(
                _("A case that is %(state)s cannot be %(action)s.")
                % {"state": State(locked.state).label, "action": Action(action).label},
            )
        permitted = [row for row in rows if permits(row, actor, locked)]
        if not permitted:
            raise NotPermitted(_("You may not take this action on this case at its level."))
        row = permitted[0]
        if row.guard is not None:
            refusal = row.guard(locked, actor)
            if refusal is not None:
                raise NotPermitted(refusal, code="refused")
        now = clock.now()
        before = _snapshot(locked)
        stored = _row(locked)
        old_state = locked.state
        step = EFFECTS[action](locked, actor, now, payload)
        if row.target is not None:
            locked.state = row.target
        locked.version += 1
        # only the columns the action changed (and the time of the change): not the whole row again
        written = _row(locked)
        locked.save(
            update_fields=[name for name in written if written[name] != stored[name]] + ["updated_at"]
        )
        after = _snapshot(locked)
        changes = {k: [before[k], after[k]] for k in TRACKED if before[k] != after[k]}
        if step.detail:
            changes["detail"] = step.detail
        event = events.record(
            locked,
            action,
            at=now,
            actor=actor,
            old_state=old_state,
            version=locked.version,
            note=str(step.note or ""),
            internal=step.internal or bool(payload.get("internal")),
            message="" if step.internal else step.message,
            changes=changes,
        )
        alerts.after_transition(locked, event, actor)
    return locked


def handled(case: Case, actor) -> bool:
    """Whether ``actor`` handled ``case`` in this closure round (the separation of duties' test, for pages)."""
    return _own_work(case, actor)
