"""JSON API for notifications (mounted at /api/v1/notifications): the caller's own inbox (newest first,
marking read) and delivery choice. Nobody reaches anyone else's notifications: another's id is a 404."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Field, Query, Router, Schema

from grassroots.masking import MaskedText
from grassroots.paging import Paging

from . import selectors, services
from .links import target_url
from .models import Delivery

router = Router(tags=["notifications"])


class DeliveryOut(Schema):
    delivery: str = Field(description="the caller's choice, or their default when they have not chosen")
    label: str
    default: bool = Field(description="true while the caller has not chosen (the default applies)")
    choices: list[str] = Field(
        description="inbox, digest, immediate (email each), sms_own_reports (SMS for changes to one's own "
        "reports), sms, wechat"
    )
    unavailable: dict[str, str] = Field(
        description="choices the caller cannot make now, each with the reason (no mobile, WeChat not connected)"
    )


class DeliveryIn(Schema):
    # A plain string, checked by the service, so that a wrong value gets a message naming the choices.
    delivery: str


class NotificationOut(Schema):
    id: int
    title: MaskedText
    body: MaskedText
    target_type: str
    target_id: str
    url: str = Field(description="the page of what it is about, or empty")
    created_at: dt.datetime
    read_at: dt.datetime | None


class InboxPage(Schema):
    count: int
    unread: int = Field(description="the caller's unread notifications, whatever the filter")
    items: list[NotificationOut]


class InboxQuery(Paging):
    unread: bool = False


class ReadAllOut(Schema):
    marked: int


def _notification(n) -> dict:
    return {
        "id": n.pk, "title": n.shown_title, "body": n.shown_body, "target_type": n.target_type, "target_id": n.target_id,
        "url": target_url(n), "created_at": n.created_at, "read_at": n.read_at,
    }  # fmt: skip


@router.get("/", response=InboxPage, summary="The caller's notifications, newest first, paged")
def inbox(request, q: Query[InboxQuery]):
    qs = selectors.inbox_for(user=request.user, unread_only=q.unread)
    return {
        "count": qs.count(),
        "unread": selectors.unread_count_for(user=request.user),
        "items": [_notification(n) for n in q.window(qs)],
    }


@router.post("/{notification_id}/read", response=NotificationOut, summary="Mark one of the caller's read")
def mark_read(request, notification_id: int):
    notification = selectors.inbox_for(user=request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    services.notification_mark_read(actor=request.user, notification=notification)
    notification.refresh_from_db(fields=["read_at"])
    return _notification(notification)


@router.post("/read-all", response=ReadAllOut, summary="Mark all the caller's notifications read")
def mark_all_read(request):
    return {"marked": services.notification_mark_all_read(actor=request.user)}


def _out(user) -> dict:
    delivery = selectors.delivery_for(user=user)
    options = selectors.delivery_options_for(user=user)
    return {
        "delivery": delivery,
        "label": str(Delivery(delivery).label),
        "default": options["is_default"],
        "choices": list(Delivery.values),
        "unavailable": {value: reason for value, _label, reason in options["choices"] if reason},
    }


@router.get(
    "/delivery",
    response=DeliveryOut,
    summary="How the caller's notifications reach them besides the inbox: inbox only, daily digest, email, "
    "SMS (each, or for changes to their own reports) or WeChat",
)
def delivery_get(request):
    return _out(request.user)


@router.put(
    "/delivery",
    response=DeliveryOut,
    summary="Choose how the caller's notifications reach them; SMS needs a mobile on record, WeChat a "
    "connected WeChat",
)
def delivery_put(request, payload: DeliveryIn):
    services.delivery_preference_set(actor=request.user, user=request.user, delivery=payload.delivery)
    return _out(request.user)
