"""Callback surveys (回访): the desk calls the reporter of a closed case and records each attempt.

Reporters who came by phone, hotline, walk-in or a staff visit have no login and can never rate their case
themselves; after closure their case, and a sample of self-reported ones, is on the callback list of the desk
that closed it (``callback_list``). Each call is one append-only ``CallbackAttempt`` written by the workflow's
``callback`` action (``effects._callback``: the transition table says who may call, and refuses whoever
handled the case); a call that reached the reporter records their rating and "really solved?" answer as the
round's ``CaseRating`` (channel ``callback``), which the figures count as they count the reporter's own.

The reporter's phone is shown masked; the whole number only through the register's audited reveal
(``people.services.reveal``: the permission to reveal, a stated reason, an audit record first), to which the
case registers its ``callback_phone`` (:func:`install`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import User
from grassroots.errors import NotPermitted
from grassroots.people import services as people_services
from grassroots.people.services import registry

from .. import rules
from ..models import CallbackAttempt, CallbackOutcome, Case, Rating
from ..workflow import Action, CaseError, transition

MAX_NOTE = 2000


class CallbackInvalid(CaseError):
    code = "invalid_callback"


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if len(key) > 64:
        raise CallbackInvalid(
            _("The idempotency key is at most 64 characters."), detail={"idempotency_key": "too long"}
        )
    return key


def _replay(actor: User, key: str, case: Case) -> Case | None:
    """The case as it stands after the call recorded earlier with ``key`` by ``actor`` (``written_attempt``
    set), when that call was about this case; None for a new key."""
    if not key:
        return None
    earlier = CallbackAttempt.objects.filter(called_by=actor, idempotency_key=key).first()
    if earlier is None:
        return None
    if earlier.case_id != case.pk:
        raise CallbackInvalid(
            _("This Idempotency-Key was already sent for another case; a new call needs a new key."),
            detail={"idempotency_key": key},
        )
    replayed = Case.objects.select_related("category").get(pk=case.pk)
    replayed.written_attempt = earlier
    replayed.replayed = True
    return replayed


def callback_record(
    *,
    actor: User,
    case: Case,
    expected_version: int,
    reached: bool,
    rating: str = "",
    really_solved: bool | None = None,
    note: str = "",
    reopen_if_unsolved: bool = False,
    idempotency_key: str = "",
) -> Case:
    """Record one call to the reporter of a closed case (the page and ``POST /api/v1/cases/{id}/callbacks``).

    Not reached: an attempt with the note (no answer, wrong number ...); the case stays on the list until it is
    reached or :func:`callback_list.max_attempts` calls have failed. Reached: ``rating`` and ``really_solved``
    are required, ``note`` is what the reporter said in their words; with ``reopen_if_unsolved`` and an
    unsolved answer the case is reopened at once (as the reporter may do). Returns the updated case with
    ``written_attempt``; the same ``idempotency_key`` again returns the first call's result and writes
    nothing. Raises ``NotPermitted`` (with the reason) for whoever handled the case, ``OutOfScope`` outside
    scope, ``CaseConflict`` for a stale version.
    """
    key = _check_key(idempotency_key)
    replay = _replay(actor, key, case)
    if replay is not None:
        return replay
    text = (note or "").strip() if isinstance(note, str) else ""
    if len(text) > MAX_NOTE:
        raise CallbackInvalid(_("At most %(n)d characters.") % {"n": MAX_NOTE}, detail={"note": "too long"})
    payload: dict = {"note": text, "idempotency_key": key}
    if reached:
        if rating not in Rating.values:
            raise CallbackInvalid(
                _("Write down the reporter's rating: one of %(choices)s.")
                % {"choices": ", ".join(Rating.values)},
                detail={"rating": rating},
            )
        if not isinstance(really_solved, bool):
            raise CallbackInvalid(
                _("Write down whether the reporter says the problem was really solved: yes or no."),
                detail={"really_solved": "required"},
            )
        payload.update(outcome=CallbackOutcome.REACHED, rating=rating, really_solved=really_solved)
    else:
        payload.update(outcome=CallbackOutcome.NOT_REACHED)
    with transaction.atomic():
        updated = transition(
            case=case, action=Action.CALLBACK, actor=actor, expected_version=expected_version, **payload
        )
        attempt = updated.written_attempt
        if reached and reopen_if_unsolved and really_solved is False:
            updated = transition(
                case=updated,
                action=Action.REOPEN,
                actor=actor,
                expected_version=updated.version,
                reason=text or str(_("The reporter said on the callback that it was not really solved.")),
            )
            updated.written_attempt = attempt
    updated.replayed = False
    return updated


def callback_phone_reveal(*, actor: User, case: Case, reason: str, request=None) -> str:
    """The reporter's whole phone number to dial, through the register's audited reveal (its permission, a
    stated reason, an audit record written first). ``case`` comes from the caller's callback list."""

    if not rules.can_see_reporter(actor, case):
        raise NotPermitted(_("This reporter asked to stay anonymous; their number is not shown."))
    shown = people_services.reveal(actor=actor, obj=case, fields=["phone"], reason=reason, request=request)
    return shown["phone"]


def install() -> None:
    """Let the register's reveal show a case reporter's phone (``Case.callback_phone``); from ``ready()``."""

    registry.REVEALABLE.setdefault(Case, {"phone": "callback_phone"})
