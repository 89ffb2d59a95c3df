"""Callback surveys (回访)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Query, Schema, Status

from grassroots.errors import NotPermitted
from grassroots.masking import MaskedText
from grassroots.paging import Paging

from .. import rules, selectors
from ..services import callbacks as callback_services
from .common import (  # the shared schemas and answer
    router,
)

# --- callback surveys (回访) ------------------------------------------------------------------------------------


class CallbackCallOut(Schema):
    id: int
    round: int = Field(description="the closure round called about")
    outcome: str = Field(description="reached or not_reached")
    note: MaskedText = Field(
        description="the reporter's words when reached, else what happened; numbers masked"
    )
    called_by_name: str
    called_at: dt.datetime
    rating: str | None = Field(description="the rating taken down (reached only)")
    really_solved: bool | None

    @staticmethod
    def resolve_rating(obj):
        return obj.rating.rating if obj.rating_id else None

    @staticmethod
    def resolve_really_solved(obj):
        return obj.rating.really_solved if obj.rating_id else None


class CallbackItemOut(Schema):
    id: int
    reference: str
    source: str = Field(description="the channel the case came in through")
    category_code: str
    category_name: str
    description: MaskedText
    area_code: str
    closed_at: dt.datetime | None
    round: int
    version: int = Field(description="send it back as expected_version with the call")
    reporter_name: MaskedText = Field(
        alias="reporter_display", description="empty when the caller may not see who reported"
    )
    phone_masked: str = Field(
        description="the number to call, masked; POST …/callbacks/reveal shows it whole"
    )
    calls: list[CallbackCallOut] = Field(alias="round_calls", description="this round's calls so far")
    handled_by_you: bool = Field(alias="own_work", description="you handled it: someone else must call back")

    @staticmethod
    def resolve_category_code(obj):
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj):
        return obj.category.shown_name


class CallbackPage(Schema):
    count: int
    items: list[CallbackItemOut]


class CallbackQuery(Paging):
    area: str = Field("", description="an area code inside the caller's scope: only its subtree")


class CallbackIn(Schema):
    expected_version: int
    reached: bool = Field(description="whether the reporter answered")
    rating: str = Field("", description="reached: satisfied, basically or unsatisfied")
    really_solved: bool | None = Field(None, description="reached: does the reporter say it is really solved")
    note: str = Field("", description="reached: what the reporter said, in their words; else what happened")
    reopen_if_unsolved: bool = Field(False, description="reached and not really solved: reopen the case")


class CallbackResultOut(Schema):
    call: CallbackCallOut
    case_id: int
    state: str
    version: int


class CallbackRevealIn(Schema):
    reason: str = Field(..., description="why the whole number is needed; recorded in the audit log")


def _callback_key():
    return Header(
        "",
        alias="Idempotency-Key",
        max_length=64,
        description="made by the client for each call and sent again with each retry of it: the call recorded "
        "the first time is answered (200) and no second one is recorded",
    )


def _desk_only(user) -> None:
    if not rules.can_call_back(user):
        raise NotPermitted(_("Callbacks are made by the desk: village, township or county staff."))


@router.get(
    "/callbacks",
    response=CallbackPage,
    summary="The callback list: closed cases of the caller's desk whose reporter is to be called back (回访)",
)
def callback_list(request, q: Query[CallbackQuery]):
    user = request.user
    _desk_only(user)
    qs = selectors.callback_list_for(user=user, area=q.area)
    return {"count": qs.count(), "items": selectors.callback_rows_for(user=user, cases=q.window(qs))}


@router.post(
    "/{int:case_id}/callbacks",
    response={200: CallbackResultOut, 201: CallbackResultOut},
    summary="Record one call to the reporter: not reached, or reached with their rating (Idempotency-Key honoured)",
)
def callback_record(request, case_id: int, body: CallbackIn, idempotency_key: str = _callback_key()):
    """Whoever handled the case is refused (403, saying why); outside the caller's scope 404; a case not due a
    callback (rated already, or not on the list) 403; a stale ``expected_version`` 409."""
    case = selectors.case_get_for(user=request.user, pk=case_id)
    updated = callback_services.callback_record(
        actor=request.user, case=case, expected_version=body.expected_version, reached=body.reached,
        rating=body.rating, really_solved=body.really_solved, note=body.note,
        reopen_if_unsolved=body.reopen_if_unsolved, idempotency_key=idempotency_key,
    )  # fmt: skip
    result = {
        "call": updated.written_attempt,
        "case_id": updated.pk,
        "state": updated.state,
        "version": updated.version,
    }
    return Status(200 if updated.replayed else 201, result)


@router.post(
    "/{int:case_id}/callbacks/reveal",
    response=dict[str, str],
    summary="Show the reporter's phone whole to dial it (audited, with a reason)",
)
def callback_reveal(request, case_id: int, body: CallbackRevealIn, response: HttpResponse):
    case = selectors.callback_get_for(user=request.user, pk=case_id)
    response["Cache-Control"] = "no-store, private"
    return {
        "phone": callback_services.callback_phone_reveal(
            actor=request.user, case=case, reason=body.reason, request=request
        )
    }


__all__ = ["router"]
