"""The workflow actions: each checks its payload and calls :func:`grassroots.cases.workflow.transition`,
which checks the table, the permission and the version. Each takes the ``expected_version`` the actor saw and
returns the updated case. :data:`ACTIONS` (``cases/services/registry.py``) says which of these serves each
action of the page and the API."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grassroots import clock, photos
from grassroots.accounts.models import User
from grassroots.errors import DomainError

from .. import events, photo_rows, selectors
from ..models import (
    AssigneeKind,
    Case,
    EventAction,
    LimitUnit,
    PhotoStage,
    Rating,
)
from ..workflow import Action, CaseError, DispatchTarget, transition
from .intake_checks import MAX_DESCRIPTION


def _required(value, field: str, message) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise CaseError(message, code="missing_" + field, detail={field: "required"})
    if len(text) > MAX_DESCRIPTION:
        raise CaseError(
            _("At most %(n)d characters.") % {"n": MAX_DESCRIPTION},
            code="too_long",
            detail={field: "too long"},
        )
    return text


def _optional(value) -> str:
    return (value or "").strip()[:MAX_DESCRIPTION] if isinstance(value, str) else ""


def case_accept(*, actor: User, case: Case, expected_version: int, note: str = "") -> Case:
    return transition(
        case=case, action=Action.ACCEPT, actor=actor, expected_version=expected_version, note=_optional(note)
    )


def case_cancel(*, actor: User, case: Case, expected_version: int, reason: str) -> Case:
    reason = _required(reason, "reason", _("Say why the report is cancelled; the reporter will read it."))
    return transition(
        case=case, action=Action.CANCEL, actor=actor, expected_version=expected_version, reason=reason
    )


def case_return_to_hotline(*, actor: User, case: Case, expected_version: int, reason: str) -> Case:
    """退回热线: a 12345 work order that is not this platform's matter goes back to the hotline, saying why
    (the hotline reads the reason in the outcome feed and export; the supervisors are told)."""
    reason = _required(reason, "reason", _("Say why this is not a matter for us; the hotline will read it."))
    return transition(
        case=case,
        action=Action.RETURN_TO_HOTLINE,
        actor=actor,
        expected_version=expected_version,
        reason=reason,
    )


def dispatch_target_for_user(user, *, kind: str = AssigneeKind.USER) -> DispatchTarget:
    return DispatchTarget(kind, str(user.pk), str(user), user)


def dispatch_target_for_worker(worker) -> DispatchTarget:
    """A ``workforce.GridWorker`` as a dispatch target (their login, when they have one, handles it)."""
    return DispatchTarget(AssigneeKind.GRID_WORKER, str(worker.pk), worker.name, worker.user)


def case_dispatch(
    *,
    actor: User,
    case: Case,
    expected_version: int,
    target: DispatchTarget | str | None = None,
    to_user=None,
    note: str = "",
) -> Case:
    """Send the case to a handler: a key offered by ``selectors.dispatch_targets_for`` (``grid_worker:12``,
    ``user:5`` …), a :class:`DispatchTarget` (its kind and reference name the handler), or a staff login.

    Only a handler among those offered for this case and actor is accepted, looked up when the case is locked;
    the name and login recorded (and told to the reporter) are the register's, never the caller's. Anything
    else raises :class:`~grassroots.accounts.scoping.UnknownReference` (400) and changes nothing.
    """
    key = selectors.target_key(target if target is not None else to_user)
    if not key:
        raise CaseError(
            _("Choose whom to dispatch the case to."), code="missing_target", detail={"target": "required"}
        )
    return transition(
        case=case,
        action=Action.DISPATCH,
        actor=actor,
        expected_version=expected_version,
        target_key=key,
        resolve_target=selectors.resolve_target,
        note=_optional(note),
    )


def case_dispatch_many(
    *, actor: User, cases: Iterable[tuple[Case, int]], target: DispatchTarget | str, note: str = ""
) -> list[tuple[Case, DomainError | None]]:
    """Bulk dispatch: each (case, expected_version) on its own; returns [(case, error or None)]."""
    results: list[tuple[Case, DomainError | None]] = []
    for case, version in cases:
        try:
            results.append(
                (
                    case_dispatch(actor=actor, case=case, expected_version=version, target=target, note=note),
                    None,
                )
            )
        except DomainError as exc:
            results.append((case, exc))
    return results


def case_return(*, actor: User, case: Case, expected_version: int, reason: str) -> Case:
    reason = _required(
        reason, "reason", _("Say why you are returning the case, so that it reaches the right handler.")
    )
    return transition(
        case=case, action=Action.RETURN, actor=actor, expected_version=expected_version, reason=reason
    )


def case_escalate(*, actor: User, case: Case, expected_version: int, reason: str) -> Case:
    reason = _required(reason, "reason", _("Say why this level cannot solve it."))
    return transition(
        case=case, action=Action.ESCALATE, actor=actor, expected_version=expected_version, reason=reason
    )


def case_handle(
    *, actor: User, case: Case, expected_version: int, note: str, photo_files: Iterable = ()
) -> Case:
    """The handler reports back what was done, with after-photos (up to 9)."""
    note = _required(note, "note", _("Say what was done."))
    prepared = photos.prepare_all(photo_files)
    with transaction.atomic():
        updated = transition(
            case=case, action=Action.HANDLE, actor=actor, expected_version=expected_version, note=note
        )
        if prepared:
            event = updated.events.filter(action=EventAction.HANDLE).order_by("-id").first()
            photo_rows.attach(case=updated, photos=prepared, stage=PhotoStage.AFTER, actor=actor, event=event)
    return updated


def case_verify(*, actor: User, case: Case, expected_version: int, passed: bool, note: str = "") -> Case:
    """Verification (核查): passed closes the case at its level; failed sends it back as rework."""
    if passed:
        return transition(
            case=case,
            action=Action.VERIFY_PASS,
            actor=actor,
            expected_version=expected_version,
            note=_optional(note),
        )
    reason = _required(note, "note", _("Say what is still wrong, so the handler knows what to redo."))
    return transition(
        case=case, action=Action.VERIFY_FAIL, actor=actor, expected_version=expected_version, reason=reason
    )


def case_shelve(*, actor: User, case: Case, expected_version: int, reason: str) -> Case:
    reason = _required(reason, "reason", _("Say why the case is put on hold; the reporter will read it."))
    return transition(
        case=case, action=Action.SHELVE, actor=actor, expected_version=expected_version, reason=reason
    )


def case_unshelve(*, actor: User, case: Case, expected_version: int, note: str = "") -> Case:
    return transition(
        case=case,
        action=Action.UNSHELVE,
        actor=actor,
        expected_version=expected_version,
        note=_optional(note),
    )


def case_extension_request(
    *, actor: User, case: Case, expected_version: int, amount: int, unit: str = LimitUnit.DAYS, reason: str
) -> Case:
    reason = _required(reason, "reason", _("Say why more time is needed."))
    if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= 365:
        raise CaseError(_("Ask for 1 to 365 units of time."), code="bad_extension", detail={"amount": amount})
    if unit not in LimitUnit.values:
        raise CaseError(
            _("Unit must be one of: %(choices)s.") % {"choices": ", ".join(LimitUnit.values)},
            code="bad_extension",
            detail={"unit": unit},
        )
    return transition(
        case=case,
        action=Action.REQUEST_EXTENSION,
        actor=actor,
        expected_version=expected_version,
        amount=amount,
        unit=unit,
        reason=reason,
    )


def case_extension_decide(
    *, actor: User, case: Case, expected_version: int, approve: bool, note: str = ""
) -> Case:
    action = Action.APPROVE_EXTENSION if approve else Action.REJECT_EXTENSION
    return transition(
        case=case, action=action, actor=actor, expected_version=expected_version, note=_optional(note)
    )


URGE_CARDS = ("normal", "yellow", "red")


def case_urge(
    *, actor: User, case: Case, expected_version: int, card: str = "normal", note: str = ""
) -> Case:
    """Urge (督办): normal, yellow card or red card. An event, not a state change."""
    if card not in URGE_CARDS:
        raise CaseError(
            _("Card must be one of: %(choices)s.") % {"choices": ", ".join(URGE_CARDS)},
            code="bad_card",
            detail={"card": card},
        )
    return transition(
        case=case,
        action=Action.URGE,
        actor=actor,
        expected_version=expected_version,
        card=card,
        note=_optional(note),
    )


def case_merge(*, actor: User, case: Case, expected_version: int, master: Case, note: str = "") -> Case:
    """Close ``case`` as a duplicate of ``master``; both reporters are told, the master's timeline says so."""
    with transaction.atomic():
        updated = transition(
            case=case,
            action=Action.MERGE,
            actor=actor,
            expected_version=expected_version,
            master=master,
            note=_optional(note),
        )
        events.record(
            master,
            EventAction.DUPLICATE_MERGED,
            at=clock.now(),
            actor=actor,
            internal=True,
            changes={"duplicate": updated.pk},
        )
    return updated


def case_reopen(*, actor: User, case: Case, expected_version: int, reason: str) -> Case:
    reason = _required(reason, "reason", _("Say why the case is reopened."))
    return transition(
        case=case, action=Action.REOPEN, actor=actor, expected_version=expected_version, reason=reason
    )


def case_rate(
    *,
    actor: User,
    case: Case,
    expected_version: int,
    rating: str,
    really_solved: bool,
    comment: str = "",
    reopen_if_unsolved: bool = False,
) -> Case:
    """The reporter rates a closed case and says whether it was really solved (recorded apart from the
    close). With ``reopen_if_unsolved`` and ``really_solved=False`` the case is reopened at once."""
    if rating not in Rating.values:
        raise CaseError(
            _("Rating must be one of: %(choices)s.") % {"choices": ", ".join(Rating.values)},
            code="bad_rating",
            detail={"rating": rating},
        )
    if not isinstance(really_solved, bool):
        raise CaseError(_("Say whether the problem was really solved: yes or no."), code="bad_rating")
    with transaction.atomic():
        updated = transition(
            case=case,
            action=Action.RATE,
            actor=actor,
            expected_version=expected_version,
            rating=rating,
            really_solved=really_solved,
            comment=_optional(comment),
        )
        if reopen_if_unsolved and not really_solved:
            updated = transition(
                case=updated,
                action=Action.REOPEN,
                actor=actor,
                expected_version=updated.version,
                reason=_optional(comment) or str(_("The reporter says it was not really solved.")),
            )
    return updated


def case_take(*, actor: User, case: Case, expected_version: int) -> Case:
    """A grid worker takes a report of their grid in one tap (我来办): accepted and dispatched to themself, in
    one transaction, through the table like any two steps. Refused (nothing written) when the worker is not
    among the handlers the case may be dispatched to."""
    with transaction.atomic():
        accepted = case_accept(actor=actor, case=case, expected_version=expected_version)
        own = [
            t for t in selectors.dispatch_targets_for(case=accepted, actor=actor) if t.target.user == actor
        ]
        if not own:
            raise CaseError(
                _("You are not among the grid's workers for this case; accept it and dispatch it instead."),
                code="not_a_handler_here",
            )
        return case_dispatch(actor=actor, case=accepted, expected_version=accepted.version, target=own[0].key)
