"""The workflow actions: one operation per row of the registry."""

from __future__ import annotations

from types import SimpleNamespace

from django.http import HttpRequest
from ninja import Field, File, Form, Schema
from ninja.files import UploadedFile
from pydantic import create_model

from .. import selectors, services
from ..models import Case, LimitUnit
from ..services import registry
from .common import (  # the shared schemas and answer
    CaseDetailOut,
    TargetIn,
    _detail,
    _target_key,
    router,
)

# --- the workflow actions: one operation per row of the registry ---------------------------------------------

# The body fields each registry input brings to an action's schema (pydantic field definitions).
_INPUT_FIELDS: dict[str, dict] = {
    "note": {"note": (str, "")},
    "reason": {"reason": (str, ""), "note": (str, Field("", description="taken when reason is empty"))},
    "target": {"target": (TargetIn | None, None)},
    "amount": {"amount": (int | None, None), "unit": (str, LimitUnit.DAYS)},
    "card": {"card": (str, Field("normal", description="normal, yellow or red"))},
    "master": {"master_id": (int | None, Field(None, description="the original case: its id or reference"))},
    "rating": {
        "rating": (str, ""),
        "really_solved": (bool | None, None),
        "reopen_if_unsolved": (bool, False),
        "note": (str, Field("", description="the reporter's comment")),
    },
}


def _action_schema(spec: registry.ActionSpec) -> type[Schema]:
    """The JSON body of one action: the version the caller saw and the action's own inputs."""
    fields: dict = {"expected_version": (int, ...)}
    for name in spec.inputs:
        fields.update(_INPUT_FIELDS.get(name, {}))
    title = "".join(part.title() for part in spec.name.split("_"))
    return create_model(f"Case{title}In", __base__=Schema, **fields)


def _values(body, *, photos=()) -> registry.ActionInput:
    get = body.__dict__.get
    return registry.ActionInput(
        expected_version=body.expected_version,
        text=get("reason") or get("note") or "",
        target=_target_key(get("target")),
        card=get("card") or "normal",
        amount=get("amount"),
        unit=get("unit") or LimitUnit.DAYS,
        master=get("master_id"),
        master_field="master_id",
        photos=photos,
        rating=get("rating") or "",
        really_solved=get("really_solved"),
        reopen_if_unsolved=bool(get("reopen_if_unsolved")),
    )


def _performed(request, case_id: int, action: str, values: registry.ActionInput) -> Case:
    case = selectors.case_get_for(user=request.user, pk=case_id)
    updated = registry.perform(action, actor=request.user, case=case, values=values)
    return _detail(request, selectors.case_get_for(user=request.user, pk=updated.pk))


def _json_operation(spec: registry.ActionSpec):
    body_schema = _action_schema(spec)

    def operation(request, case_id: int, body):
        return _performed(request, case_id, spec.name, _values(body))

    operation.__annotations__ = {"request": HttpRequest, "case_id": int, "body": body_schema}
    return operation


def _multipart_operation(spec: registry.ActionSpec):
    def operation(request, case_id: int, expected_version: int, note: str, photos=None):
        body = SimpleNamespace(expected_version=expected_version, note=note)
        return _performed(request, case_id, spec.name, _values(body, photos=photos or []))

    operation.__annotations__ = {
        "request": HttpRequest, "case_id": int, "expected_version": Form[int], "note": Form[str],
        "photos": File[list[UploadedFile]],
    }  # fmt: skip
    return operation


class TakeIn(Schema):
    expected_version: int


@router.post(
    "/{int:case_id}/take",
    response=CaseDetailOut,
    summary="A grid worker takes a report of their grid in one step: accepted and dispatched to themself",
)
def case_take(request, case_id: int, body: TakeIn):
    case = selectors.case_get_for(user=request.user, pk=case_id)
    updated = services.case_take(actor=request.user, case=case, expected_version=body.expected_version)
    return _detail(request, selectors.case_get_for(user=request.user, pk=updated.pk))


for _spec in registry.ACTIONS.values():
    _make = _multipart_operation if "photos" in _spec.inputs else _json_operation
    router.post(
        f"/{{int:case_id}}/actions/{_spec.name}",
        response=CaseDetailOut,
        summary=_spec.summary,
        operation_id=f"cases_action_{_spec.name}",
    )(_make(_spec))
