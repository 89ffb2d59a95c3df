"""The only answers with a full number: a resident's ID or phone, a household's or a place's phone. Each
is audited by the service and never cached."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Router

from .. import selectors, services
from .schemas import RevealIn

router = Router()


def _reveal(request, obj, payload: RevealIn, response: HttpResponse) -> dict[str, str]:
    response["Cache-Control"] = "no-store, private"
    return services.reveal(
        actor=request.user, obj=obj, fields=payload.fields, reason=payload.reason, request=request
    )


@router.post(
    "/households/{household_id}/reveal", response=dict[str, str], summary="Show the phone in full (audited)"
)
def household_reveal(request, household_id: int, payload: RevealIn, response: HttpResponse):
    household = selectors.household_get_for(user=request.user, pk=household_id)
    return _reveal(request, household, payload, response)


@router.post(
    "/residents/{resident_id}/reveal", response=dict[str, str], summary="Show ID / phone in full (audited)"
)
def resident_reveal(request, resident_id: int, payload: RevealIn, response: HttpResponse):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    return _reveal(request, resident, payload, response)


@router.post(
    "/places/{place_id}/reveal", response=dict[str, str], summary="Show the contact phone in full (audited)"
)
def place_reveal(request, place_id: int, payload: RevealIn, response: HttpResponse):
    place = selectors.place_get_for(user=request.user, pk=place_id)
    return _reveal(request, place, payload, response)
