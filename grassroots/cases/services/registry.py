"""The case actions as the pages and the API offer them: one row per action, beside the transition table
(``cases/workflow.py``), which alone decides whether the action may be taken.

A row says which service function serves the action, which inputs it takes (the page form shows those
fields, the API generates that action's body schema from them), what its button says, and whether its
button is a prominent one. The page (``cases.views.act``) and the API (``POST /cases/{id}/actions/<name>``, one
operation per row, generated in ``cases/api.py``) both call :func:`perform`.

Adding an action: a row in ``workflow.TRANSITIONS`` (who, from which state, to which), its effect in
``workflow.EFFECTS``, its service function in ``actions.py``, and one :class:`ActionSpec` row here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.accounts.models import User

from .. import selectors
from ..errors import CaseConflict
from ..models import Case, LimitUnit
from ..workflow import Action, ActionNotAllowed, CaseError
from . import actions, callbacks

# The inputs an action may take. "reason" is a required text and "note" an optional one (both arrive as
# ``text``); "amount" comes with its unit; "master" names the original case of a duplicate.
INPUTS = ("note", "reason", "target", "amount", "card", "master", "photos", "rating")


@dataclass(frozen=True)
class ActionInput:
    """What the actor sent with an action, from the page form or the API body alike."""

    expected_version: int
    text: str = ""
    target: str = ""  # a key offered by selectors.dispatch_targets_for
    card: str = "normal"
    amount: int | None = None
    unit: str = LimitUnit.DAYS
    master: str | int | None = None
    master_field: str = "master"  # the input's name, for the refusal (the API calls it master_id)
    photos: Sequence[Any] = ()
    rating: str = ""
    really_solved: bool | None = None
    reopen_if_unsolved: bool = False


Run = Callable[[User, Case, ActionInput], Case]


@dataclass(frozen=True)
class ActionSpec:
    name: str
    label: Any  # what the button says (imperative; the timeline uses EventAction's past-tense labels)
    inputs: tuple[str, ...]
    run: Run
    primary: bool = False  # a visible consequence for the reporter or the case: the prominent button
    reporter_label: Any = None  # what the button says to the case's own reporter, when that differs
    summary: str = ""  # the API operation's one line

    def __post_init__(self):
        unknown = set(self.inputs) - set(INPUTS)
        assert not unknown, f"{self.name}: unknown inputs {unknown}"


def _common(actor: User, case: Case, values: ActionInput) -> dict:
    return {"actor": actor, "case": case, "expected_version": values.expected_version}


def _dispatch(actor: User, case: Case, v: ActionInput) -> Case:
    # only a handler offered for this case and actor is taken (the service looks the key up under the lock)
    return actions.case_dispatch(**_common(actor, case, v), target=v.target, note=v.text)


def _merge(actor: User, case: Case, v: ActionInput) -> Case:
    if v.master in (None, ""):
        raise CaseError(
            _("Say which case this one duplicates."), code="bad_merge", detail={v.master_field: "required"}
        )
    master = selectors.merge_master_for(user=actor, value=v.master, field=v.master_field)
    return actions.case_merge(**_common(actor, case, v), master=master, note=v.text)


def _rate(actor: User, case: Case, v: ActionInput) -> Case:
    return actions.case_rate(
        **_common(actor, case, v),
        rating=v.rating,
        really_solved=v.really_solved,  # type: ignore[arg-type]  # the service refuses anything but a bool
        comment=v.text,
        reopen_if_unsolved=v.reopen_if_unsolved,
    )


def _callback(actor: User, case: Case, v: ActionInput) -> Case:
    return callbacks.callback_record(
        **_common(actor, case, v),
        reached=bool(v.rating),
        rating=v.rating,
        really_solved=v.really_solved,
        note=v.text,
        reopen_if_unsolved=v.reopen_if_unsolved,
    )


def _text_as(keyword: str, service: Callable[..., Case], **fixed) -> Run:
    """The run of an action whose one input is its text: the service takes it as ``keyword``."""
    return lambda a, c, v: service(**_common(a, c, v), **{keyword: v.text}, **fixed)


def _spec(name, label, inputs, run, **extra) -> ActionSpec:
    return ActionSpec(name=str(name), label=label, inputs=inputs, run=run, **extra)


# One row per action: the action, its button, its inputs, how it runs; its options and the API's summary.
ACTIONS: dict[str, ActionSpec] = {
    spec.name: spec
    for spec in (
        _spec(Action.ACCEPT, gettext_lazy("Accept"), ("note",), _text_as("note", actions.case_accept),
              primary=True, summary="Accept the case (it is ours to deal with)"),
        _spec(Action.CANCEL, gettext_lazy("Cancel: do not take it up"), ("reason",),
              _text_as("reason", actions.case_cancel), reporter_label=gettext_lazy("Withdraw my report"),
              summary="Cancel a report (its reporter withdraws it, or the desk does not take it up, "
              "saying why)"),
        _spec(Action.RETURN_TO_HOTLINE, gettext_lazy("Return to the 12345 hotline: not our matter"), ("reason",),
              _text_as("reason", actions.case_return_to_hotline),
              summary="Return a 12345 hotline work order to the hotline (not this platform's matter), saying why"),
        _spec(Action.DISPATCH, gettext_lazy("Dispatch"), ("target", "note"), _dispatch, primary=True,
              summary="Dispatch to one of the handlers GET /cases/{id}/dispatch-targets offers"),
        _spec(Action.RETURN, gettext_lazy("Return: not for me"), ("reason",),
              _text_as("reason", actions.case_return),
              summary="Return a dispatched case to the desk, saying why"),
        _spec(Action.ESCALATE, gettext_lazy("Escalate to the level above"), ("reason",),
              _text_as("reason", actions.case_escalate),
              summary="Escalate to the level above, saying why this level cannot solve it"),
        _spec(Action.HANDLE, gettext_lazy("Report it handled"), ("note", "photos"),
              lambda a, c, v: actions.case_handle(**_common(a, c, v), note=v.text, photo_files=v.photos),
              primary=True, summary="Report the case handled, with a note and after-photos (multipart)"),
        _spec(Action.VERIFY_PASS, gettext_lazy("Verified: close it"), ("note",),
              _text_as("note", actions.case_verify, passed=True),
              primary=True, summary="Verification passed: close the case"),
        _spec(Action.VERIFY_FAIL, gettext_lazy("Verification failed: send it back"), ("reason",),
              _text_as("note", actions.case_verify, passed=False),
              summary="Verification failed: back to the handler as rework, saying what is still wrong"),
        _spec(Action.SHELVE, gettext_lazy("Shelve (pause the clock)"), ("reason",),
              _text_as("reason", actions.case_shelve),
              summary="Put the case on hold (its clock stands still), saying why"),
        _spec(Action.UNSHELVE, gettext_lazy("Resume"), ("note",), _text_as("note", actions.case_unshelve),
              summary="Resume a case on hold"),
        _spec(Action.REQUEST_EXTENSION, gettext_lazy("Ask for more time"), ("amount", "reason"),
              lambda a, c, v: actions.case_extension_request(
                  **_common(a, c, v), amount=v.amount or 0, unit=v.unit, reason=v.text),
              summary="Ask for more time to handle it"),
        _spec(Action.APPROVE_EXTENSION, gettext_lazy("Approve the extension"), ("note",),
              _text_as("note", actions.case_extension_decide, approve=True),
              summary="Approve the extension asked for"),
        _spec(Action.REJECT_EXTENSION, gettext_lazy("Reject the extension"), ("note",),
              _text_as("note", actions.case_extension_decide, approve=False),
              summary="Reject the extension asked for"),
        _spec(Action.URGE, gettext_lazy("Urge"), ("card", "note"),
              lambda a, c, v: actions.case_urge(**_common(a, c, v), card=v.card, note=v.text),
              summary="Urge (督办): a normal, yellow or red card"),
        _spec(Action.MERGE, gettext_lazy("Merge into the original case"), ("master", "note"), _merge,
              summary="Close as a duplicate of the original case (named by id or reference)"),
        _spec(Action.REOPEN, gettext_lazy("Reopen"), ("reason",), _text_as("reason", actions.case_reopen),
              summary="Reopen a closed case, saying why"),
        _spec(Action.RATE, gettext_lazy("Rate"), ("rating",), _rate,
              summary="The reporter rates a closed case and says whether it was really solved"),
        _spec(Action.CALLBACK, gettext_lazy("Record a callback"), ("rating",), _callback,
              summary="Record a call to the reporter (回访): with a rating they were reached and it is theirs; "
              "without one, the call did not reach them (also POST /cases/{id}/callbacks)"),
    )
}  # fmt: skip


def label_for(spec: ActionSpec, *, user: User, case: Case):
    """What the action's button says to ``user`` on ``case``."""
    if spec.reporter_label is not None and case.reporter_id == user.pk:
        return spec.reporter_label
    return spec.label


def spec_for(action: str) -> ActionSpec:
    spec = ACTIONS.get(action)
    if spec is None:
        raise ActionNotAllowed(_("Unknown action %(action)s.") % {"action": action}, code="unknown_action")
    return spec


def perform(action: str, *, actor: User, case: Case, values: ActionInput) -> Case:
    """Take ``action`` on ``case`` with what the actor sent; the service and the transition table check it."""
    return spec_for(action).run(actor, case, values)


def perform_queued(action: str, *, actor: User, case: Case, values: ActionInput) -> tuple[Case, bool]:
    """An action done on a phone without signal and sent from its outbox when the signal returned, perhaps more
    than once (an answer lost on the way back is sent again): applied with the version the phone saw, as
    :func:`perform`. When the case has moved on since, and the very next step after that version was this
    action by this actor, it was this action arriving a second time: the case is answered as it is, nothing is
    applied again. Returns the case and whether it was applied now; any other change first is the
    :class:`~grassroots.cases.errors.CaseConflict` the worker is shown."""
    try:
        return perform(action, actor=actor, case=case, values=values), True
    except CaseConflict:
        already = case.events.filter(version=values.expected_version + 1, action=action, actor=actor).exists()
        if not already:
            raise
        return Case.objects.get(pk=case.pk), False
