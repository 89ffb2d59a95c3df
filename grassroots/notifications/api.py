"""JSON API for notifications (mounted at /api/v1/notifications): the caller's own delivery choice."""

from __future__ import annotations

from ninja import Router, Schema

from . import selectors, services
from .models import Delivery

router = Router(tags=["notifications"])


class DeliveryOut(Schema):
    delivery: str
    label: str
    choices: list[str]


class DeliveryIn(Schema):
    # A plain string, checked by the service, so that a wrong value gets a message naming the choices.
    delivery: str


def _out(delivery: str) -> dict:
    return {"delivery": delivery, "label": str(Delivery(delivery).label), "choices": list(Delivery.values)}


@router.get(
    "/delivery",
    response=DeliveryOut,
    summary="How the caller's notifications reach them besides the inbox: immediate or daily digest",
)
def delivery_get(request):
    return _out(selectors.delivery_for(user=request.user))


@router.put(
    "/delivery",
    response=DeliveryOut,
    summary="Choose immediate notifications (an email each) or the daily digest; only for the caller",
)
def delivery_put(request, payload: DeliveryIn):
    preference = services.delivery_preference_set(
        actor=request.user, user=request.user, delivery=payload.delivery
    )
    return _out(preference.delivery)
