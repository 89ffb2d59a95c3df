"""The effect of each case action on the case's fields (:data:`EFFECTS`), applied by
:func:`grassroots.cases.workflow.transition` once the table has allowed the action; and where a case can be
dispatched (:class:`DispatchTarget`). An effect changes the locked case in memory and returns the
:class:`Step` that ``transition`` records; it never saves, never tells anyone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import User
from grassroots.accounts.scoping import in_scope
from grassroots.areas.codes import Level, level_of, parent_code
from grassroots.messages import Message

from . import deadlines
from .errors import CaseError
from .models import (
    AssigneeKind,
    CallbackAttempt,
    CallbackOutcome,
    Case,
    CaseRating,
    CloseReason,
    EventAction,
    Rating,
    RatingChannel,
    State,
)
from .roles import INTAKE

Action = A = EventAction
S = State


@dataclass(frozen=True)
class DispatchTarget:
    """Where a case is dispatched: a grid worker, a staff login, a department or a co-building unit.

    ``ref`` identifies the target in its own register (a GridWorker id, a people.Organisation id ...);
    ``user`` is the login that handles it, when there is one (that login may then handle or return it).
    """

    kind: str
    ref: str
    name: str
    user: User | None = None

    def __post_init__(self):
        if self.kind not in AssigneeKind.values:
            raise CaseError(
                _("Choose a grid worker, a staff member, a department or a unit."), code="bad_target"
            )
        if not self.name:
            raise CaseError(_("Say whom the case goes to."), code="bad_target")


RATINGS = frozenset(Rating.values)


# --- effects --------------------------------------------------------------------------------------------


@dataclass
class Step:
    """What an effect produced besides field changes."""

    note: str = ""
    internal: bool = False
    message: Message | str = ""  # for the reporter: kept as a message, put into words when read
    detail: dict = field(default_factory=dict)


def _set_assignee(case: Case, target) -> None:
    if target is None:
        case.assignee_kind = case.assignee_ref = case.assignee_name = ""
        case.assignee_user = None
        return
    case.assignee_kind = target.kind
    case.assignee_ref = target.ref
    case.assignee_name = target.name
    case.assignee_user = target.user


def _level_word(level: int):
    return Level(level).label  # lazy: the message keeps it to translate when read


def _accept(case, actor, now, p) -> Step:
    case.accepted_at = case.accepted_at or now
    return Step(
        note=p.get("note", ""), message=Message(_("Your report has been accepted and is being arranged."))
    )


def _cancel(case, actor, now, p) -> Step:
    case.cancel_reason = p["reason"]
    case.cancelled_at = now
    if case.reporter_id == actor.pk:
        message = Message(_("You withdrew your report."))
    else:
        message = Message(_("Your report was not taken up. Reason: %(reason)s"), reason=p["reason"])
    return Step(note=p["reason"], message=message)


def _return_to_hotline(case, actor, now, p) -> Step:
    """退回热线: the work order is not this platform's matter; the hotline passes it on. The case ends as
    cancelled (no longer ours), its reason kept where a cancellation keeps it; the outcome feed tells the
    hotline it came back by this event."""
    case.cancel_reason = p["reason"]
    case.cancelled_at = now
    return Step(
        note=p["reason"],
        message=Message(
            _(
                "Your request was passed back to the 12345 hotline to go to the office it belongs to. Reason: %(reason)s"
            ),
            reason=p["reason"],
        ),
    )


def _dispatch(case, actor, now, p) -> Step:
    # The target is looked up among the handlers offered for the case as it stands now (locked) and this
    # actor: never taken as sent (cases.selectors.resolve_target, given by the service).
    target = p["resolve_target"](case=case, actor=actor, key=p["target_key"])
    _set_assignee(case, target)
    case.dispatched_at = now
    if case.handling_due_at is None:
        case.handling_started_at = now
        case.handling_due_at = deadlines.handling_due(case.category, case.urgency, now)
    return Step(
        note=p.get("note", ""),
        detail={"target": {"kind": target.kind, "ref": target.ref, "name": target.name}},
        message=Message(_("Your report has been passed to %(name)s to handle."), name=target.name),
    )


def _return(case, actor, now, p) -> Step:
    case.extension_request = None  # a pending request is moot once the case moves on
    previous = case.assignee_name
    _set_assignee(case, None)
    return Step(
        note=p["reason"],
        detail={"returned_by": previous},
        message=Message(_("Your report is being passed on to the right handler.")),
    )


def _escalate(case, actor, now, p) -> Step:
    case.extension_request = None  # a pending request is moot once the case moves on
    upper = parent_code(case.area_code)
    case.area_code = upper
    case.level = int(level_of(upper))
    _set_assignee(case, None)
    return Step(
        note=p["reason"],
        message=Message(
            _("Your report needs more than the level below can do; it has gone up to the %(level)s level."),
            level=_level_word(case.level),
        ),
    )


def _handle(case, actor, now, p) -> Step:
    case.extension_request = None  # a pending request is moot once the case moves on
    case.handled_at = now
    case.handled_by = actor
    return Step(
        note=p["note"],
        message=Message(
            _("The handler reports the matter dealt with: %(note)s It will now be checked."), note=p["note"]
        ),
    )


def _close(case: Case, now, reason: str) -> None:
    case.closed_at = now
    case.close_reason = reason
    case.closing_level = case.level
    case.closing_code = case.area_code


def _verify_pass(case, actor, now, p) -> Step:
    _close(case, now, CloseReason.VERIFIED)
    case.verified_by = actor
    return Step(
        note=p.get("note", ""),
        message=Message(
            _("Your report has been checked and closed. Please tell us whether it was really solved.")
        ),
    )


def _verify_fail(case, actor, now, p) -> Step:
    case.rework_count += 1
    return Step(
        note=p["reason"],
        detail={"rework_count": case.rework_count},
        message=Message(_("The check found the work unfinished; it has been sent back to be redone.")),
    )


def _shelve(case, actor, now, p) -> Step:
    case.previous_state = case.state
    case.shelved_at = now
    return Step(
        note=p["reason"],
        message=Message(_("Work on your report is on hold for now. Reason: %(reason)s"), reason=p["reason"]),
    )


def _unshelve(case, actor, now, p) -> Step:
    paused = deadlines.shelved_working_seconds(case.shelved_at, now)
    waiting = case.previous_state
    if waiting == State.REPORTED:
        case.response_due_at = deadlines.shift_by_working_seconds(case.response_due_at, paused)
    elif waiting == State.DISPATCHED:
        case.handling_due_at = deadlines.shift_by_working_seconds(case.handling_due_at, paused)
    case.shelved_seconds += paused
    case.state = waiting
    case.previous_state = ""
    case.shelved_at = None
    return Step(
        note=p.get("note", ""),
        detail={"paused_working_seconds": paused},
        message=Message(_("Work on your report has resumed.")),
    )


def _request_extension(case, actor, now, p) -> Step:
    case.extension_request = {"amount": p["amount"], "unit": p["unit"], "reason": p["reason"], "by": actor.pk}
    return Step(note=p["reason"], internal=True, detail={"amount": p["amount"], "unit": p["unit"]})


def _approve_extension(case, actor, now, p) -> Step:
    request = case.extension_request
    before = case.handling_due_at
    case.handling_due_at = deadlines.extend(case.handling_due_at or now, request["amount"], request["unit"])
    case.extension_request = None
    return Step(
        note=p.get("note", ""),
        detail={"request": request, "from": _iso(before), "to": _iso(case.handling_due_at)},
        message=Message(
            _("The time to deal with your report has been extended to %(due)s."),
            due=f"{_local(case.handling_due_at):%Y-%m-%d %H:%M}",
        ),
    )


def _reject_extension(case, actor, now, p) -> Step:
    request = case.extension_request
    case.extension_request = None
    return Step(note=p.get("note", ""), internal=True, detail={"request": request})


def _urge(case, actor, now, p) -> Step:
    case.urge_count += 1
    case.last_urge_card = p["card"]
    return Step(note=p.get("note", ""), internal=True, detail={"card": p["card"]})


def _merge(case, actor, now, p) -> Step:
    master: Case = p["master"]
    if master.pk == case.pk:
        raise CaseError(_("A case cannot be merged into itself."), code="bad_merge")
    if master.close_reason == CloseReason.MERGED or master.state == State.CANCELLED:
        raise CaseError(
            _("Merge into the original case, not into a merged or cancelled one."), code="bad_merge"
        )
    if not in_scope(actor, master.area_code, roles=INTAKE):
        # the service looked it up in the actor's scope; this keeps any other caller to the same rule
        raise CaseError(_("Merge into a case of your area."), code="bad_merge")
    case.merged_into = master
    _close(case, now, CloseReason.MERGED)
    return Step(
        note=p.get("note", ""),
        detail={"master": master.pk},
        message=Message(
            _(
                "Your report is about the same matter as report %(reference)s, which is already being dealt with; "
                "you can follow it there."
            ),
            reference=master.reference,
        ),
    )


def _reopen(case, actor, now, p) -> Step:
    case.reopen_count += 1
    case.closed_at = None
    case.close_reason = ""
    case.closing_level = None
    case.closing_code = ""
    case.handled_by = case.verified_by = None  # the new round is handled and verified afresh
    # The round's rating stays where it is (a CaseRating row, and the case's copy of the latest one): the
    # case enters a new round, whose rating is still to come.
    _set_assignee(case, None)
    return Step(
        note=p["reason"], message=Message(_("Your report has been reopened and will be dealt with again."))
    )


def record_rating(case: Case, actor, now, *, rating: str, really_solved, comment: str, channel: str) -> dict:
    """Append the rating of the case's current round (a :class:`CaseRating`, never edited) and keep a copy of
    it on the case as its latest rating. Returns the timeline's detail. The caller holds the case's lock."""
    CaseRating.objects.create(
        case=case,
        round=case.round,
        channel=channel,
        rating=rating,
        really_solved=really_solved,
        comment=comment,
        rated_by=actor,
        rated_at=now,
        origin_code=case.origin_code,
        category_id=case.category_id,
        source=case.source,
        assignee_kind=case.assignee_kind,
        assignee_name=case.assignee_name,
    )
    case.rating = rating
    case.really_solved = really_solved
    case.rating_comment = comment
    case.rated_at = now
    case.rated_round = case.round
    return {"rating": rating, "really_solved": really_solved, "round": case.round, "channel": channel}


def _rate(case, actor, now, p) -> Step:
    detail = record_rating(
        case,
        actor,
        now,
        rating=p["rating"],
        really_solved=p["really_solved"],
        comment=p.get("comment", ""),
        channel=RatingChannel.REPORTER,
    )
    return Step(note=p.get("comment", ""), detail=detail)


def _callback(case, actor, now, p) -> Step:
    """One call of a callback survey: an append-only :class:`CallbackAttempt`; when the reporter was reached,
    their rating and "really solved?" answer in their words, recorded as the round's rating (channel
    ``callback``) by :func:`record_rating`, as the reporter's own rating is."""
    detail: dict = {"outcome": p["outcome"]}
    rating = None
    if p["outcome"] == CallbackOutcome.REACHED:
        detail.update(
            record_rating(
                case,
                actor,
                now,
                rating=p["rating"],
                really_solved=p["really_solved"],
                comment=p.get("note", ""),
                channel=RatingChannel.CALLBACK,
            )
        )
        rating = CaseRating.objects.get(case=case, round=case.round)
    attempt = CallbackAttempt.objects.create(
        case=case,
        round=case.round,
        outcome=p["outcome"],
        note=p.get("note", ""),
        called_by=actor,
        called_by_name=str(actor),
        called_at=now,
        area_code=case.area_code,
        rating=rating,
        idempotency_key=p.get("idempotency_key", ""),
    )
    detail["attempt"] = attempt.pk
    case.written_attempt = attempt
    # A call that found no one is the desk's own note; a reached one shows as the round's rating.
    return Step(note=p.get("note", ""), internal=rating is None, detail=detail)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)


EFFECTS: dict[str, Callable[..., Step]] = {
    A.ACCEPT: _accept,
    A.CANCEL: _cancel,
    A.RETURN_TO_HOTLINE: _return_to_hotline,
    A.DISPATCH: _dispatch,
    A.RETURN: _return,
    A.ESCALATE: _escalate,
    A.HANDLE: _handle,
    A.VERIFY_PASS: _verify_pass,
    A.VERIFY_FAIL: _verify_fail,
    A.SHELVE: _shelve,
    A.UNSHELVE: _unshelve,
    A.REQUEST_EXTENSION: _request_extension,
    A.APPROVE_EXTENSION: _approve_extension,
    A.REJECT_EXTENSION: _reject_extension,
    A.URGE: _urge,
    A.MERGE: _merge,
    A.REOPEN: _reopen,
    A.RATE: _rate,
    A.CALLBACK: _callback,
}

# The fields whose old and new values the timeline records.
