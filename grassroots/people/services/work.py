"""Writes to places and organisations, visits (with photos) and proxy services (代办帮办)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots import clock
from grassroots import photos as photo_files
from grassroots.accounts.models import User
from grassroots.accounts.rules import require
from grassroots.accounts.services import audit_record
from grassroots.areas.models import Area
from grassroots.errors import Conflict

from .. import extensions, person_numbers, rules
from ..codes import PlaceKind
from ..errors import PeopleError
from ..models import (
    Household,
    Place,
    ProxyService,
    ProxyServiceStep,
    Resident,
    ServiceStatus,
    Visit,
    VisitPhoto,
)
from .registry import _choice, _coordinates, _optional_text, _required_text, reschedule_visits

MAX_PHOTOS = 6
PHOTO_MAX_SIDE = 1600

# --- places and organisations -------------------------------------------------------------------------------

PLACE_FIELDS = frozenset(
    {"kind", "name", "address", "contact_name", "contact_phone", "accepts_cases", "longitude", "latitude",
     "notes", "is_active"}
)  # fmt: skip


def _apply_place_fields(place: Place, fields: dict) -> None:
    unknown = set(fields) - PLACE_FIELDS
    if unknown:
        raise PeopleError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if "kind" in fields:
        place.kind = _choice(fields["kind"], PlaceKind, _("kind"))
        if not place.kind:
            raise PeopleError(_("Choose the kind of place."), code="missing")
    if "name" in fields:
        place.name = _required_text(fields["name"], _("name"), 200)
    if "address" in fields:
        place.address = _optional_text(fields["address"], _("address"), 200)
    if "contact_name" in fields:
        place.contact_name = _optional_text(fields["contact_name"], _("contact person"), 100)
    if "contact_phone" in fields:
        place.contact_phone, place.contact_phone_hash, place.contact_phone_masked = (
            person_numbers.phone_columns(fields["contact_phone"])
        )
    if "accepts_cases" in fields:
        place.accepts_cases = bool(fields["accepts_cases"])
    if "is_active" in fields:
        place.is_active = bool(fields["is_active"])
    if "notes" in fields:
        place.notes = _optional_text(fields["notes"], _("notes"), 2000)
    if "longitude" in fields or "latitude" in fields:
        place.longitude, place.latitude = _coordinates(
            fields.get("longitude", place.longitude), fields.get("latitude", place.latitude)
        )


@transaction.atomic
def place_create(*, actor: User, area_code: str, request=None, **fields) -> Place:
    """A place or organisation in a grid, or higher up for departments (a county bureau)."""
    require(actor, rules.can_write_places, area_code)
    area = Area.objects.filter(code=area_code).first()
    if area is None:
        raise PeopleError(_("There is no area with code %(code)s.") % {"code": area_code}, code="no_area")
    place = Place(area=area, area_code=area.code)
    fields.setdefault("name", "")
    fields.setdefault("kind", "")
    _apply_place_fields(place, fields)
    place.save()
    audit_record(actor=actor, action="people.place_create", target=place, request=request)
    return place


@transaction.atomic
def place_update(*, actor: User, place: Place, request=None, **fields) -> Place:
    require(actor, rules.can_write_places, place.area_code)
    place = Place.objects.select_for_update().get(pk=place.pk)
    _apply_place_fields(place, fields)
    place.save()
    audit_record(
        actor=actor,
        action="people.place_update",
        target=place,
        request=request,
        detail={"fields": sorted(fields)},
    )
    return place


# --- visits -------------------------------------------------------------------------------------------------


@transaction.atomic
def visit_record(
    *,
    actor: User,
    household: Household,
    visited_on: dt.date,
    found: str,
    met_with: str = "",
    need: str = "",
    open_case: bool = False,
    photos=(),
    request=None,
    idempotency_key: str = "",
) -> Visit:
    """Record a visit; the household's next visit date moves on. A need found can become a case in the
    same step through the cases app's handler (see extensions.py); without one the need is kept here.
    A visit sent again with the ``idempotency_key`` it was first sent with (from the phone's outbox, after a
    lost answer) is the visit recorded then, not a second one."""
    idempotency_key = (idempotency_key or "").strip()
    if len(idempotency_key) > 64:
        raise PeopleError(_("The idempotency key is at most 64 characters."), code="bad_key")
    require(actor, rules.can_write_register, household.area_code)
    if isinstance(visited_on, str):
        try:
            visited_on = dt.date.fromisoformat(visited_on)
        except ValueError:
            raise PeopleError(_("Write the date of the visit as YYYY-MM-DD."), code="bad_date") from None
    if visited_on is None or visited_on > clock.today():
        raise PeopleError(_("The visit date cannot lie in the future."), code="bad_date")
    if visited_on < clock.today() - dt.timedelta(days=366):
        raise PeopleError(_("Record visits within a year of the visit."), code="bad_date")
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise PeopleError(_("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS}, code="too_many_photos")
    need = _optional_text(need, _("need found"), 4000)
    if open_case and not need:
        raise PeopleError(_("Describe the need before turning it into a case."), code="need_missing")
    cleaned = [photo_files.prepare(p, max_side=PHOTO_MAX_SIDE) for p in photos]
    household = Household.objects.select_for_update().get(pk=household.pk)
    if idempotency_key:
        # under the household's lock: a second sending of the same visit waits for the first, then finds it
        earlier = Visit.objects.filter(visitor=actor, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    visit = Visit.objects.create(
        idempotency_key=idempotency_key,
        household=household,
        area_code=household.area_code,
        visited_on=visited_on,
        visitor=actor,
        visitor_name=str(actor)[:150],
        met_with=_optional_text(met_with, _("met with"), 200),
        found=_required_text(found, pgettext_lazy("visit", "what was found"), 4000),
        need=need,
    )
    for photo in cleaned:
        stored = photo_files.store(photo, folder="people/visits", thumbnail=False)
        VisitPhoto.objects.create(visit=visit, image=stored.name)
    if open_case:
        for handler in extensions.need_handlers:
            reference = handler(visit=visit, actor=actor)
            if reference:
                visit.case_reference = str(reference)[:64]
                visit.save(update_fields=["case_reference"])
                break
    if household.last_visited_on is None or visited_on >= household.last_visited_on:
        household.last_visited_on = visited_on
        household.save(update_fields=["last_visited_on", "updated_at"])
    reschedule_visits(household)
    audit_record(
        actor=actor,
        action="people.visit_record",
        target=visit,
        request=request,
        detail={"household": household.pk, "photos": len(cleaned), "need": bool(need)},
    )
    return visit


# --- proxy services -----------------------------------------------------------------------------------------


class ServiceAction:
    START = "start"  # 开始办理
    PROGRESS = "progress"  # 记录进展
    COMPLETE = "complete"  # 办结
    CANCEL = "cancel"  # 取消


# (status, action) → new status. The one table of the proxy-service workflow.
SERVICE_TRANSITIONS: dict[tuple[str, str], str] = {
    (ServiceStatus.REQUESTED, ServiceAction.START): ServiceStatus.IN_PROGRESS,
    (ServiceStatus.REQUESTED, ServiceAction.CANCEL): ServiceStatus.CANCELLED,
    (ServiceStatus.IN_PROGRESS, ServiceAction.PROGRESS): ServiceStatus.IN_PROGRESS,
    (ServiceStatus.IN_PROGRESS, ServiceAction.COMPLETE): ServiceStatus.DONE,
    (ServiceStatus.IN_PROGRESS, ServiceAction.CANCEL): ServiceStatus.CANCELLED,
}
NOTE_REQUIRED = {ServiceAction.PROGRESS, ServiceAction.COMPLETE, ServiceAction.CANCEL}


def service_actions_for(service: ProxyService) -> list[str]:
    return [action for (status, action) in SERVICE_TRANSITIONS if status == service.status]


@transaction.atomic
def service_request(
    *, actor: User, resident: Resident, item: str, description: str = "", due_on=None, request=None
) -> ProxyService:
    """A grid worker takes on a service for a resident (代办帮办): the first step is the request itself."""
    require(actor, rules.can_write_register, resident.area_code)
    if not resident.is_present:
        raise PeopleError(_("This person is no longer on the register."), code="not_present")
    if isinstance(due_on, str):
        due_on = dt.date.fromisoformat(due_on) if due_on else None
    if due_on is not None and due_on < clock.today():
        raise PeopleError(_("The due date has already passed."), code="bad_date")
    service = ProxyService.objects.create(
        resident=resident,
        area_code=resident.area_code,
        item=_required_text(item, _("service item"), 200),
        description=_optional_text(description, _("description"), 4000),
        handler=actor,
        due_on=due_on,
    )
    ProxyServiceStep.objects.create(
        service=service,
        action="request",
        from_status="",
        to_status=service.status,
        note=service.description,
        actor=actor,
        actor_name=str(actor)[:150],
    )
    audit_record(actor=actor, action="people.service_request", target=service, request=request)
    return service


@transaction.atomic
def service_act(
    *,
    actor: User,
    service: ProxyService,
    action: str,
    note: str = "",
    version: int | None = None,
    request=None,
) -> ProxyService:
    """Move a proxy service along its table; the step is written with the status before and after.
    ``version`` (optimistic concurrency): the loser of a race gets a clear conflict."""
    require(actor, rules.can_write_register, service.area_code)
    service = ProxyService.objects.select_for_update().get(pk=service.pk)
    if version is not None and int(version) != service.version:
        raise Conflict(_("Someone else updated this service a moment ago; reload the page and try again."))
    new_status = SERVICE_TRANSITIONS.get((service.status, action))
    if new_status is None:
        raise PeopleError(
            _("A service that is %(status)s cannot be moved this way.")
            % {"status": service.get_status_display()},
            code="bad_transition",
        )
    note = _optional_text(note, _("note"), 4000)
    if action in NOTE_REQUIRED and not note:
        raise PeopleError(_("Write what was done (or why it is cancelled)."), code="note_required")
    old_status = service.status
    service.status = new_status
    service.version += 1
    if new_status == ServiceStatus.DONE:
        service.completed_at = clock.now()
    if action == ServiceAction.START and service.handler_id is None:
        service.handler = actor
    service.save()
    ProxyServiceStep.objects.create(
        service=service,
        action=action,
        from_status=old_status,
        to_status=new_status,
        note=note,
        actor=actor,
        actor_name=str(actor)[:150],
    )
    audit_record(
        actor=actor,
        action="people.service_" + action,
        target=service,
        request=request,
        detail={"from": old_status, "to": new_status},
    )
    return service
