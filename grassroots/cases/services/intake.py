"""Intake from every channel: a resident's report (web form, API, patrol finding), a desk's entry (phone,
hotline, visit, walk-in) and a grid worker's matter resolved on the spot.

One pipeline (:func:`_take_in`) for all three: what was sent is a :class:`ReportInput`; it is checked whole
first — text, category, kind, urgency, point, photos — so that bad input stores nothing, the point is routed to
its grid (``areas.routing.route_point``), the grid's responsible worker is named
(``workforce.selectors.responsible_workers_for``), the response deadline computed and the case written with
its first timeline event in one transaction (``cases.events``). Photo files are written when that transaction
commits. The three entry functions differ only in who may use them, which channels they take and where the
place must lie.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from grassroots import clock, personal, photos
from grassroots.accounts.models import Role, User
from grassroots.accounts.rules import require
from grassroots.accounts.scoping import STAFF_ROLES, in_scope
from grassroots.areas import destinations
from grassroots.areas.codes import CodeError, level_of
from grassroots.areas.models import Area
from grassroots.areas.routing import RouteResult, route_point
from grassroots.messages import Message
from grassroots.workforce.selectors import responsible_workers_for

from .. import alerts, deadlines, events, photo_rows, rules
from ..models import (
    AssigneeKind,
    Case,
    CaseKind,
    CloseReason,
    EventAction,
    PhotoStage,
    Source,
    State,
    Urgency,
)
from ..selectors import home_counties
from ..workflow import DispatchTarget, ReportInvalid
from .idempotency import checked_key, earlier_case, request_fingerprint
from .intake_checks import (
    _check,
    _check_received,
    _Checked,
)

SELF_SERVICE_SOURCES = frozenset({Source.MOBILE_WEB, Source.API})
DESK_SOURCES = frozenset({Source.PHONE, Source.HOTLINE, Source.VISIT, Source.WALK_IN, Source.PATROL})


# --- intake ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    area_code: str
    grid_code: str | None
    lon: float | None
    lat: float | None
    method: str
    distance_m: float | None
    explanation: Message  # how the place was decided, naming the area
    routed: RouteResult | None = None  # the routing answer, when a point was given
    area_name: str = ""  # of the receiving area (its code when it has none)


def _route(checked: _Checked, area_code: str | None) -> _Place:
    if checked.lon is not None:
        result = route_point(checked.lon, checked.lat, crs=checked.crs, accuracy_m=checked.accuracy_m)
        name = destinations.receiving_area_name(result.area_code)
        return _Place(
            area_code=result.area_code,
            grid_code=result.grid_code,
            lon=result.lon,
            lat=result.lat,
            method=str(result.method),
            distance_m=result.distance_m,
            explanation=result.explain(name=name),
            routed=result,
            area_name=name,
        )
    area_code = area_code or ""
    try:
        level_of(area_code)
    except CodeError as exc:
        raise ReportInvalid(exc.message, detail={"area_code": str(exc.message)}) from None
    if not Area.objects.filter(code=area_code).exists():
        raise ReportInvalid(
            _("Unknown area %(code)s.") % {"code": area_code}, detail={"area_code": "unknown"}
        )
    grid = area_code if len(area_code) == 15 else None
    return _Place(area_code, grid, None, None, "chosen", None, Message(_("area chosen by the staff member")))


def _responsible(grid_code: str | None) -> DispatchTarget | None:
    if not grid_code:
        return None

    for worker in responsible_workers_for(grid_code):
        return DispatchTarget(AssigneeKind.GRID_WORKER, str(worker.pk), worker.name, worker.user)
    return None


@dataclass(frozen=True)
class ReportInput:
    """What a report says, from whichever channel: the one value the intake pipeline takes."""

    category: object
    description: str
    lon: object = None
    lat: object = None
    crs: str = "wgs84"
    accuracy_m: object = None
    kind: str = CaseKind.PROBLEM
    urgency: str | None = None
    address: str = ""
    anonymous: bool = False
    area_code: str | None = None  # a desk's choice when the caller cannot give a point
    reporter_name: str = ""
    reporter_phone: str = ""
    received_at: object = None
    note: str = ""  # what a grid worker did on the spot
    confirm_far: bool = False  # the reporter confirmed a place outside their county or far from every grid
    photos: dict = field(default_factory=dict)  # {PhotoStage: [uploaded files]}


@dataclass(frozen=True)
class _Channel:
    """How one way in differs: whose the case is, where its place must lie, in which state it starts."""

    source: str
    reporter: User | None
    scope_roles: frozenset | None = None  # the place must lie in the actor's grant for one of these roles
    outside_scope: object = ""  # the refusal when it does not (formatted with the area code)
    state: str = State.REPORTED
    far_check: bool = False  # a place far from home or from every grid needs the reporter's confirmation


def _take_in(*, actor: User, report: ReportInput, channel: _Channel, key: str, arguments: dict) -> Case:
    """The pipeline every channel shares: check everything, prepare the photos, route, check the place
    against the channel, then write the case and its first events in one transaction."""
    received = _check_received(report.received_at)
    checked = _check(
        category=report.category,
        kind=report.kind,
        urgency=report.urgency,
        description=report.description,
        lon=report.lon,
        lat=report.lat,
        crs=report.crs,
        accuracy_m=report.accuracy_m,
        need_point=not report.area_code,
    )
    if channel.state == State.CLOSED:
        _check_done(report)
    if report.reporter_phone and len(personal.normalise_phone(report.reporter_phone)) < 7:
        raise ReportInvalid(
            _("The caller's phone number looks incomplete."), detail={"reporter_phone": "short"}
        )
    prepared = {stage: photos.prepare_all(files) for stage, files in report.photos.items()}
    place = _route(checked, report.area_code)
    if channel.scope_roles is not None and not in_scope(actor, place.area_code, roles=channel.scope_roles):
        raise ReportInvalid(
            str(channel.outside_scope) % {"code": place.area_code}, detail={"area_code": place.area_code}
        )
    if channel.far_check and not report.confirm_far and place.routed is not None:
        _check_near(actor, place.routed)
    with transaction.atomic():
        return _create(
            actor=actor,
            report=report,
            channel=channel,
            checked=checked,
            place=place,
            prepared=prepared,
            key=key,
            arguments=arguments,
            received_at=received,
        )


def _check_near(actor: User, result: RouteResult) -> None:
    """Refuse a pin outside the reporter's county, or farther than the routing distance from every grid, until
    the reporter confirms it (``confirm_far``): a tap on a map without streets once sent a report 45 km away to
    another county's township, without a word. The refusal names where the report would go (only the name of
    the receiving area: nothing else about a place that may lie outside the reporter's scope); the report
    page's preview (``areas.destinations.destination``) says the same before sending."""
    counties = home_counties(actor)
    if not destinations.needs_confirmation(result, home_counties=counties):
        return
    where = destinations.destination(result, home_counties=counties)
    if where.message:
        raise ReportInvalid(
            where.message,
            code="confirm_far",
            detail={"field": "confirm_far", "area_name": where.area_name, "distance_m": where.distance_m},
        )


def _check_done(report: ReportInput) -> None:
    """A matter resolved on the spot says what was done and shows it before and after."""
    if not report.note:
        raise ReportInvalid(_("Say what you did to resolve it."), detail={"note": "required"})
    if not report.photos.get(PhotoStage.BEFORE) or not report.photos.get(PhotoStage.AFTER):
        raise ReportInvalid(
            _("Add at least one photo from before and one from after."), detail={"photos": "before and after"}
        )


def _new_case(
    *,
    actor,
    report: ReportInput,
    channel: _Channel,
    checked: _Checked,
    place: _Place,
    key,
    arguments,
    reported,
) -> Case:
    response_due = deadlines.response_due(checked.category, checked.urgency, reported)
    phone, phone_hash, _masked = personal.phone_columns(report.reporter_phone)
    case = Case(
        kind=checked.kind,
        source=channel.source,
        category=checked.category,
        urgency=checked.urgency,
        description=checked.description,
        address=(report.address or "")[:200],
        reporter=channel.reporter,
        reporter_name=(report.reporter_name or "")[:100],
        reporter_phone=phone,
        reporter_phone_hash=phone_hash or "",
        is_anonymous=bool(report.anonymous),
        entered_by=actor if actor is not channel.reporter else None,
        idempotency_key=key,
        idempotency_fingerprint=request_fingerprint(arguments or {}) if key else "",
        lon=place.lon,
        lat=place.lat,
        crs=checked.crs if place.lon is not None else "",
        accuracy_m=checked.accuracy_m,
        origin_code=place.area_code,
        area_code=place.area_code,
        level=int(level_of(place.area_code)),
        routing_method=place.method,
        routing_distance_m=place.distance_m,
        routing_explanation=place.explanation.in_language(settings.LANGUAGE_CODE),
        routing_explanation_data=place.explanation.as_data(),
        reported_at=reported,
        # in UTC like every time read from the database (working-time arithmetic answers in local time)
        response_due_at=response_due.astimezone(dt.UTC),
    )
    responsible = _responsible(place.grid_code)
    if responsible is not None:
        case.assignee_kind, case.assignee_ref = responsible.kind, responsible.ref
        case.assignee_name, case.assignee_user = responsible.name, responsible.user
    return case


def _resolved_at_once(case: Case, actor: User, now) -> None:
    """A matter resolved on the spot starts closed: accepted, handled and closed by the worker at once."""
    case.state = State.CLOSED
    case.accepted_at = case.dispatched_at = case.handled_at = case.closed_at = now
    case.close_reason = CloseReason.ON_THE_SPOT
    case.closing_level = case.level
    case.closing_code = case.area_code
    case.assignee_kind, case.assignee_ref = AssigneeKind.USER, str(actor.pk)
    case.assignee_name, case.assignee_user = str(actor), actor


def _save_once(case: Case, *, reporter, key: str, arguments: dict) -> Case | None:
    """Save the new case; with an idempotency key sent twice at once, the case the other request made
    instead (None when this one was saved)."""
    if not key:
        case.save()
        return None
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:  # the same key, sent twice at once: the other request made the case
        earlier = earlier_case(reporter, key, arguments, entered_by=case.entered_by)
        if earlier is not None:
            return earlier
        raise
    return None


def _create(
    *,
    actor: User,
    report: ReportInput,
    channel: _Channel,
    checked: _Checked,
    place: _Place,
    prepared: dict,
    key: str,
    arguments: dict,
    received_at: dt.datetime | None,
) -> Case:
    now = clock.now()
    # A call or visit taken earlier and entered now counts from when it was received: its response deadline,
    # its place in the figures and the first line of its timeline.
    reported = received_at or now
    case = _new_case(
        actor=actor, report=report, channel=channel, checked=checked, place=place, key=key,
        arguments=arguments, reported=reported,
    )  # fmt: skip
    if channel.state == State.CLOSED:
        _resolved_at_once(case, actor, now)
    earlier = _save_once(case, reporter=channel.reporter, key=key, arguments=arguments)
    if earlier is not None:
        return earlier
    report_event = events.record(
        case,
        EventAction.REPORT,
        at=reported,
        actor=actor,
        old_state="",
        new_state=State.REPORTED,
        version=1,
        message=Message(
            _("Your report was received and sent to %(where)s."),
            where=place.area_name or destinations.receiving_area_name(place.area_code),
        ),
        changes={
            "source": channel.source,
            "routing": {"method": place.method, "area_code": place.area_code},
            **({"entered_at": now.isoformat()} if received_at is not None else {}),
        },
    )
    # What was written, kept on the case so that callers can answer without reading it back.
    case.written_events, case.written_photos = [report_event], []
    for stage in (PhotoStage.REPORT, PhotoStage.BEFORE):
        if prepared.get(stage):
            case.written_photos += photo_rows.attach(
                case=case, photos=prepared[stage], stage=stage, actor=actor, event=report_event
            )
    if channel.state == State.CLOSED:
        done = events.record(
            case,
            EventAction.RESOLVE_ON_THE_SPOT,
            at=now,
            actor=actor,
            old_state=State.REPORTED,
            new_state=State.CLOSED,
            version=1,
            note=report.note,
            message=Message(_("The grid worker resolved this on the spot.")),
        )
        case.written_events.append(done)
        case.written_photos += photo_rows.attach(
            case=case,
            photos=prepared.get(PhotoStage.AFTER, []),
            stage=PhotoStage.AFTER,
            actor=actor,
            event=done,
        )
    else:
        alerts.new_case(case)
    case.replayed = False
    return case


def case_report(
    *,
    actor: User,
    category,
    description: str,
    lon=None,
    lat=None,
    crs: str = "wgs84",
    accuracy_m=None,
    kind: str = CaseKind.PROBLEM,
    urgency: str | None = None,
    address: str = "",
    anonymous: bool = False,
    photo_files: Iterable = (),
    source: str = Source.MOBILE_WEB,
    idempotency_key: str = "",
    patrol=None,
    confirm_far: bool = False,
) -> Case:
    """A resident (or anyone logged in) reports through the web form or the API.

    Returns the new case, routed and with its responsible worker named; with an ``idempotency_key`` that
    this reporter used before, returns that earlier case instead (``case.replayed`` is True) and writes
    nothing. Raises :class:`ReportInvalid`, :class:`~grassroots.photos.PhotoError` or the routing
    error for bad input, having stored nothing.

    ``patrol`` (a ``workforce.Patrol``): the report is a finding on the reporter's own open patrol, and its
    source is ``patrol`` whatever the form; ``integrations.case_report_on_patrol`` records the finding.

    A point outside the reporter's county (:func:`home_counties`) or farther than
    ``ROUTING_NEAREST_METRES`` from every grid is refused (``confirm_far``, naming where it would go) unless
    ``confirm_far`` is true.
    """
    arguments = dict(locals())  # first: what was asked for, which the idempotency key is bound to
    # Confirming says the pin is meant; it does not change the report, so a resend matches either way.
    arguments.pop("confirm_far")
    require(actor, rules.can_report)
    if patrol is not None:
        if patrol.ended_at is not None or patrol.worker.user_id != actor.pk:
            raise ReportInvalid(
                _("Only a patrol of your own that has not ended can be named for a report."),
                detail={"patrol": "not open or not yours"},
            )
        source = Source.PATROL
    elif source not in SELF_SERVICE_SOURCES:
        raise ReportInvalid(_("Use the staff entry form for this channel."), detail={"source": source})
    key = checked_key(idempotency_key)
    earlier = earlier_case(actor, key, arguments)
    if earlier is not None:
        return earlier
    report = ReportInput(
        category=category, description=description, lon=lon, lat=lat, crs=crs, accuracy_m=accuracy_m,
        kind=kind, urgency=urgency, address=address, anonymous=anonymous,
        photos={PhotoStage.REPORT: photo_files}, confirm_far=bool(confirm_far),
    )  # fmt: skip
    channel = _Channel(source=source, reporter=actor, far_check=True)
    return _take_in(actor=actor, report=report, channel=channel, key=key, arguments=arguments)


def case_enter(
    *,
    actor: User,
    source: str,
    category,
    description: str,
    lon=None,
    lat=None,
    crs: str = "wgs84",
    accuracy_m=None,
    area_code: str | None = None,
    kind: str = CaseKind.PROBLEM,
    urgency: str | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter=None,
    anonymous: bool = False,
    photo_files: Iterable = (),
    idempotency_key: str = "",
    received_at: dt.datetime | None = None,
) -> Case:
    """Staff enter a case taken by phone, hotline, visit, walk-in or patrol (the staff page and
    ``POST /api/v1/cases/entries`` alike).

    The place is a point (routed like any report) or, when the caller cannot give one, an area code the
    staff member chooses. The case must land inside the staff member's scope. ``received_at``: when the call
    or visit was taken, if earlier than now (at most :data:`ENTRY_MAX_AGE` ago, never in the future); the
    case counts from then. With an ``idempotency_key`` the staff member used before for a caller without a
    login (or the ``reporter``'s key), the earlier case is returned (``case.replayed``) and nothing written.
    """
    arguments = dict(locals())  # first: what was asked for, which the idempotency key is bound to
    require(actor, rules.can_enter_cases)
    if source not in DESK_SOURCES:
        raise ReportInvalid(
            _("Channel must be one of: %(choices)s.") % {"choices": ", ".join(sorted(DESK_SOURCES))},
            detail={"source": str(source)},
        )
    key = checked_key(idempotency_key)
    earlier = earlier_case(reporter, key, arguments, entered_by=actor)
    if earlier is not None:
        return earlier
    report = ReportInput(
        category=category, description=description, lon=lon, lat=lat, crs=crs, accuracy_m=accuracy_m,
        area_code=area_code or None, kind=kind, urgency=urgency, address=address, anonymous=anonymous,
        reporter_name=reporter_name, reporter_phone=reporter_phone, received_at=received_at,
        photos={PhotoStage.REPORT: photo_files},
    )  # fmt: skip
    channel = _Channel(
        source=source,
        reporter=reporter,
        scope_roles=frozenset(rules.INTAKE_ROLES),
        outside_scope=_(
            "This place (%(code)s) lies outside your area; pass the call to the area it belongs to."
        ),
    )
    return _take_in(actor=actor, report=report, channel=channel, key=key, arguments=arguments)


def case_resolve_on_the_spot(
    *,
    actor: User,
    category,
    description: str,
    note: str,
    lon,
    lat,
    crs: str = "wgs84",
    accuracy_m=None,
    kind: str = CaseKind.PROBLEM,
    address: str = "",
    before_photos: Iterable = (),
    after_photos: Iterable = (),
    idempotency_key: str = "",
) -> Case:
    """A grid worker reports a small matter and closes it at once (即报即办), with before and after photos.

    The point must route into a grid the worker serves; the case is closed at grid level.
    """
    arguments = dict(locals())  # first: what was asked for, which the idempotency key is bound to
    require(actor, rules.can_resolve_on_the_spot)
    key = checked_key(idempotency_key)
    earlier = earlier_case(actor, key, arguments)
    if earlier is not None:
        return earlier
    report = ReportInput(
        category=category, description=description, lon=lon, lat=lat, crs=crs, accuracy_m=accuracy_m,
        kind=kind, urgency=Urgency.NORMAL, address=address, note=(note or "").strip(),
        photos={PhotoStage.BEFORE: list(before_photos), PhotoStage.AFTER: list(after_photos)},
    )  # fmt: skip
    channel = _Channel(
        source=Source.ON_THE_SPOT,
        reporter=actor,
        scope_roles=frozenset({Role.GRID_WORKER}),
        outside_scope=_(
            "This place (%(code)s) is outside the grid you serve; report it as an ordinary case instead."
        ),
        state=State.CLOSED,
    )
    return _take_in(actor=actor, report=report, channel=channel, key=key, arguments=arguments)


def case_open_proactive(
    *,
    actor: User,
    category,
    description: str,
    lon=None,
    lat=None,
    area_code: str | None = None,
    address: str = "",
    idempotency_key: str = "",
) -> Case:
    """Staff open a case themselves (未诉先办, channel ``proactive``) for a matter the figures show recurring
    — a hotspot of the insights app — at a point (routed like any report) or a chosen area inside their
    scope. With an ``idempotency_key`` the staff member used before, the earlier case is returned
    (``case.replayed``) and nothing written: a double tap makes one case."""
    arguments = dict(locals())  # first: what was asked for, which the idempotency key is bound to
    require(actor, rules.can_enter_cases)
    key = checked_key(idempotency_key)
    earlier = earlier_case(None, key, arguments, entered_by=actor)
    if earlier is not None:
        return earlier
    report = ReportInput(
        category=category, description=description, lon=lon, lat=lat,
        area_code=None if lon is not None else (area_code or None), address=address,
    )  # fmt: skip
    channel = _Channel(
        source=Source.PROACTIVE,
        reporter=None,
        scope_roles=frozenset(rules.INTAKE_ROLES),
        outside_scope=_("This place (%(code)s) lies outside your area."),
    )
    return _take_in(actor=actor, report=report, channel=channel, key=key, arguments=arguments)


def case_open_for_objection(*, actor: User, category, description: str, area_code: str, address: str) -> Case:
    """An objection to a public notice becomes a case at the notice's area (channel ``disclosure``), reported
    by the objector; the caller (``disclosure.services.objection_raise``) checks the objection itself."""
    report = ReportInput(
        category=category,
        description=description,
        kind=CaseKind.REQUEST,
        area_code=area_code,
        address=address,
    )
    channel = _Channel(source=Source.DISCLOSURE, reporter=actor)
    return _take_in(actor=actor, report=report, channel=channel, key="", arguments={})


def case_receive(
    *,
    actor: User,
    category,
    description: str,
    lon=None,
    lat=None,
    area_code: str | None = None,
    kind: str = CaseKind.PROBLEM,
    urgency: str | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    anonymous: bool = False,
    idempotency_key: str = "",
) -> Case:
    """An outside system files a report for someone (Open311 ``POST requests``, channel ``api``), acting as
    the system account of its API key (``integrations``).

    The place is a point (routed like any report) or, when the system has none, an area code; it must lie
    inside the key's area. The caller has no login here: the case has no reporter, only the name and phone
    the system passed (encrypted like a desk's entry). With an ``idempotency_key`` the same system used
    before for the same report, the earlier case is returned (``case.replayed``) and nothing written.
    """
    arguments = dict(locals())  # first: what was asked for, which the idempotency key is bound to
    require(actor, rules.can_report)
    key = checked_key(idempotency_key)
    earlier = earlier_case(None, key, arguments, entered_by=actor)
    if earlier is not None:
        return earlier
    report = ReportInput(
        category=category, description=description, lon=lon, lat=lat, area_code=area_code or None,
        kind=kind, urgency=urgency, address=address, anonymous=anonymous, reporter_name=reporter_name,
        reporter_phone=reporter_phone,
    )  # fmt: skip
    channel = _Channel(
        source=Source.API,
        reporter=None,
        scope_roles=STAFF_ROLES,
        outside_scope=_("This place (%(code)s) lies outside the area of this API key; send it to that area."),
    )
    return _take_in(actor=actor, report=report, channel=channel, key=key, arguments=arguments)
