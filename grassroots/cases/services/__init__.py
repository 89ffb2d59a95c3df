"""Every write to cases: intake from each channel, the workflow actions, categories.

Intake (:func:`case_report`, :func:`case_enter`, :func:`case_resolve_on_the_spot`) validates everything
first — text, category, kind, urgency, point, photos — so that bad input stores nothing, then routes the
point to its grid (``areas.routing.route_point``), names the grid's responsible worker
(``workforce.selectors.responsible_workers_for``), computes the response deadline and writes the case with
its first timeline event in one transaction. Photo files are written when that transaction commits.

The workflow wrappers (``case_accept`` … ``case_rate``) check their payload and call
:func:`grassroots.cases.workflow.transition`, which checks the table, the permission and the version.
Each takes the ``expected_version`` the actor saw and returns the updated case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots import clock, geo, personal
from grassroots.accounts.models import Role, User
from grassroots.accounts.rules import require
from grassroots.accounts.scoping import in_scope
from grassroots.accounts.services import audit_record
from grassroots.areas.codes import CodeError, level_of
from grassroots.areas.models import Area
from grassroots.areas.routing import route_point
from grassroots.errors import DomainError

from .. import alerts, calendar, deadlines, photos, reference, rules, selectors
from ..models import (
    AssigneeKind,
    CalendarYear,
    Case,
    CaseEvent,
    CaseKind,
    Category,
    CloseReason,
    EventAction,
    LimitUnit,
    PhotoStage,
    Rating,
    Source,
    State,
    Urgency,
)
from ..workflow import Action, CaseError, DispatchTarget, transition

MAX_DESCRIPTION = 2000
SELF_SERVICE_SOURCES = frozenset({Source.MOBILE_WEB, Source.API})
DESK_SOURCES = frozenset({Source.PHONE, Source.HOTLINE, Source.VISIT, Source.WALK_IN, Source.PATROL})


class ReportInvalid(CaseError):
    """One or more fields of a report are missing or wrong; ``detail`` maps each field to its message."""

    code = "invalid_report"


# --- intake ------------------------------------------------------------------------------------------------


@dataclass
class _Checked:
    category: Category
    kind: str
    urgency: str
    description: str
    lon: float | None
    lat: float | None
    crs: str
    accuracy_m: float | None


def _number(value, field, problems) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems[field] = _("%(field)s must be a number.") % {"field": field}
        return None
    if not math.isfinite(number):
        problems[field] = _("%(field)s must be a finite number.") % {"field": field}
        return None
    return number


def category_by_code(code) -> Category | None:
    if isinstance(code, Category):
        return code if code.is_active else None
    if not code:
        return None
    return reference.category(str(code))  # the process's copy (the service types change rarely)


def _check(*, category, kind, urgency, description, lon, lat, crs, accuracy_m, need_point: bool) -> _Checked:
    problems: dict[str, str] = {}
    text = (description or "").strip() if isinstance(description, str) else ""
    if not text:
        problems["description"] = str(_("Describe the problem in a few words."))
    elif len(text) > MAX_DESCRIPTION:
        problems["description"] = str(
            _("The description is too long: at most %(n)d characters.") % {"n": MAX_DESCRIPTION}
        )
    found = None
    if category in (None, ""):
        problems["category"] = str(_("Choose a service type."))
    else:
        found = category_by_code(category)
        if found is None:
            problems["category"] = str(
                _("Unknown service type %(code)s. Choose one from the list.") % {"code": category}
            )
    kind = kind or CaseKind.PROBLEM
    if kind not in CaseKind.values:
        problems["kind"] = str(
            _("Kind must be one of: %(choices)s.") % {"choices": ", ".join(CaseKind.values)}
        )
    if urgency and urgency not in Urgency.values:
        problems["urgency"] = str(
            _("Urgency must be one of: %(choices)s.") % {"choices": ", ".join(Urgency.values)}
        )
    x = _number(lon, "lon", problems)
    y = _number(lat, "lat", problems)
    if x is not None and not geo.is_lon(x):
        problems["lon"] = str(_("Longitude must be between -180 and 180; %(value)s is not.") % {"value": lon})
    if y is not None and not geo.is_lat(y):
        problems["lat"] = str(_("Latitude must be between -90 and 90; %(value)s is not.") % {"value": lat})
    if (x is None) != (y is None) and "lon" not in problems and "lat" not in problems:
        problems["lat" if y is None else "lon"] = str(_("Give both longitude and latitude, or neither."))
    if need_point and x is None and y is None and "lon" not in problems and "lat" not in problems:
        problems["location"] = str(_("Mark where the problem is on the map, or allow the location."))
    accuracy = _number(accuracy_m, "accuracy_m", problems)
    if accuracy is not None and accuracy < 0:
        problems["accuracy_m"] = str(_("Accuracy is a distance in metres and cannot be negative."))
    if problems or found is None:  # no service type found is always one of the problems
        raise ReportInvalid(" ".join(problems.values()), detail=problems)
    return _Checked(
        category=found,
        kind=kind,
        urgency=urgency or found.default_urgency,
        description=text,
        lon=x,
        lat=y,
        crs=(crs or "wgs84").strip().lower(),
        accuracy_m=accuracy,
    )


@dataclass(frozen=True)
class _Place:
    area_code: str
    grid_code: str | None
    lon: float | None
    lat: float | None
    method: str
    distance_m: float | None
    explanation: str


def _route(checked: _Checked, area_code: str | None) -> _Place:
    if checked.lon is not None:
        result = route_point(checked.lon, checked.lat, crs=checked.crs, accuracy_m=checked.accuracy_m)
        return _Place(
            area_code=result.area_code,
            grid_code=result.grid_code,
            lon=result.lon,
            lat=result.lat,
            method=str(result.method),
            distance_m=result.distance_m,
            explanation=str(result.explain()),
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
    return _Place(area_code, grid, None, None, "chosen", None, str(_("area chosen by the staff member")))


def _responsible(grid_code: str | None) -> DispatchTarget | None:
    if not grid_code:
        return None
    from grassroots.workforce.selectors import responsible_workers_for

    for worker in responsible_workers_for(grid_code):
        return DispatchTarget(AssigneeKind.GRID_WORKER, str(worker.pk), worker.name, worker.user)
    return None


class IdempotencyKeyReused(CaseError):
    """The idempotency key was first sent with another request."""

    code = "idempotency_key_reused"
    status = 422


def _canonical(value):
    """A request's value as plain data: an object stored in the database by its label and id, an uploaded
    file by the SHA-256 of its content (read and rewound), a list item by item."""
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if hasattr(value, "_meta") and hasattr(value, "pk"):
        return f"{value._meta.label}:{value.pk}"
    if hasattr(value, "read") and hasattr(value, "seek"):
        digest = hashlib.sha256()
        value.seek(0)
        for chunk in value.chunks() if hasattr(value, "chunks") else [value.read()]:
            digest.update(chunk)
        value.seek(0)
        return f"sha256:{digest.hexdigest()}"
    return value


def _fingerprint(arguments: dict) -> str:
    """SHA-256 of what a report asked for: every argument of the service that took it (the caller's locals
    at its start, so an argument added later is bound too) but the actor and the key itself."""
    fields = {
        name: _canonical(value)
        for name, value in arguments.items()
        if name not in ("actor", "idempotency_key")
    }
    text = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(reporter, key: str, arguments: dict, *, entered_by=None) -> Case | None:
    """The case made earlier with ``key`` when the request is the same; raises :class:`IdempotencyKeyReused`
    when the key was sent with another request; ``None`` for a new key. A key belongs to the reporter's login,
    or, for a case entered by staff for a caller without one (``reporter`` None), to the staff member who
    entered it."""
    if not key or (reporter is None and entered_by is None):
        return None
    # Through the unique (reporter, key) or (entered_by, key) index: its condition repeated (SQLite uses a
    # partial index only when the query states its condition) and no ordering (the model's would sort by
    # report time). The id alone first: nearly every key is new, and building the query for the case's sixty
    # columns cost a report as much again; a replay reads its case by that id.
    if reporter is not None:
        owned = Case.objects.filter(reporter=reporter, idempotency_key=key)
    else:
        owned = Case.objects.filter(reporter__isnull=True, entered_by=entered_by, idempotency_key=key)
    found = list(
        owned.exclude(idempotency_key="").order_by().values_list("pk", "idempotency_fingerprint")[:1]
    )
    if not found:
        return None
    pk, fingerprint = found[0]
    if fingerprint and fingerprint != _fingerprint(arguments):
        raise IdempotencyKeyReused(
            _(
                "This Idempotency-Key was already sent with a different report. Send the same report to retry "
                "it; a new report needs a new key."
            ),
            detail={"idempotency_key": key},
        )
    case = Case.objects.get(pk=pk)
    case.replayed = True
    return case


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if len(key) > 64:
        raise ReportInvalid(
            _("The idempotency key is at most 64 characters."), detail={"idempotency_key": "too long"}
        )
    return key


def _create(
    *,
    actor: User | None,
    reporter,
    source: str,
    checked: _Checked,
    place: _Place,
    prepared: dict[PhotoStage, list[photos.PreparedPhoto]],
    anonymous: bool,
    address: str,
    reporter_name: str,
    reporter_phone: str,
    key: str,
    arguments: dict | None = None,
    state: str = State.REPORTED,
    handling_note: str = "",
    received_at: dt.datetime | None = None,
) -> Case:
    now = clock.now()
    # A call or visit taken earlier and entered now counts from when it was received: its response deadline,
    # its place in the figures and the first line of its timeline.
    reported = received_at or now
    response_due = deadlines.response_due(checked.category, checked.urgency, reported)
    responsible = _responsible(place.grid_code)
    phone, phone_hash, _masked = personal.phone_columns(reporter_phone)
    case = Case(
        kind=checked.kind,
        source=source,
        category=checked.category,
        urgency=checked.urgency,
        description=checked.description,
        address=(address or "")[:200],
        reporter=reporter,
        reporter_name=(reporter_name or "")[:100],
        reporter_phone=phone,
        reporter_phone_hash=phone_hash or "",
        is_anonymous=bool(anonymous),
        entered_by=actor if actor is not reporter else None,
        idempotency_key=key,
        idempotency_fingerprint=_fingerprint(arguments or {}) if key else "",
        lon=place.lon,
        lat=place.lat,
        crs=checked.crs if place.lon is not None else "",
        accuracy_m=checked.accuracy_m,
        origin_code=place.area_code,
        area_code=place.area_code,
        level=int(level_of(place.area_code)),
        routing_method=place.method,
        routing_distance_m=place.distance_m,
        routing_explanation=place.explanation,
        reported_at=reported,
        # in UTC like every time read from the database (working-time arithmetic answers in local time)
        response_due_at=response_due.astimezone(dt.UTC),
    )
    if responsible is not None:
        case.assignee_kind, case.assignee_ref = responsible.kind, responsible.ref
        case.assignee_name, case.assignee_user = responsible.name, responsible.user
    if state == State.CLOSED:  # resolved on the spot: accepted, handled and closed by the worker at once
        assert actor is not None, "only a grid worker's own report is resolved on the spot"
        case.state = State.CLOSED
        case.accepted_at = case.dispatched_at = case.handled_at = case.closed_at = now
        case.close_reason = CloseReason.ON_THE_SPOT
        case.closing_level = case.level
        case.closing_code = case.area_code
        case.assignee_kind, case.assignee_ref = AssigneeKind.USER, str(actor.pk)
        case.assignee_name, case.assignee_user = str(actor), actor
    if key:
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError:
            replay = _replay(reporter, key, arguments or {}, entered_by=case.entered_by)
            if replay is not None:
                return replay
            raise
    else:
        case.save()
    report_event = CaseEvent.objects.create(
        case=case,
        action=EventAction.REPORT,
        old_state="",
        new_state=State.REPORTED,
        version=1,
        actor=actor,
        actor_name=str(actor) if actor is not None else "",
        area_code=case.area_code,
        level=case.level,
        message=str(_("Your report was received and sent to %(where)s.") % {"where": place.explanation}),
        changes={
            "source": source,
            "routing": {"method": place.method, "area_code": place.area_code},
            **({"entered_at": now.isoformat()} if received_at is not None else {}),
        },
        at=reported,
    )
    # What was written, kept on the case so that callers can answer without reading it back.
    case.written_events, case.written_photos = [report_event], []
    for stage in (PhotoStage.REPORT, PhotoStage.BEFORE):
        if prepared.get(stage):
            case.written_photos += photos.attach(
                case=case, photos=prepared[stage], stage=stage, actor=actor, event=report_event
            )
    if state == State.CLOSED:
        done = CaseEvent.objects.create(
            case=case,
            action=EventAction.RESOLVE_ON_THE_SPOT,
            old_state=State.REPORTED,
            new_state=State.CLOSED,
            version=1,
            actor=actor,
            actor_name=str(actor),
            area_code=case.area_code,
            level=case.level,
            note=handling_note,
            message=str(_("The grid worker resolved this on the spot.")),
            at=now,
        )
        case.written_events.append(done)
        case.written_photos += photos.attach(
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
) -> Case:
    """A resident (or anyone logged in) reports through the web form or the API.

    Returns the new case, routed and with its responsible worker named; with an ``idempotency_key`` that
    this reporter used before, returns that earlier case instead (``case.replayed`` is True) and writes
    nothing. Raises :class:`ReportInvalid`, :class:`~grassroots.cases.photos.PhotoError` or the routing
    error for bad input, having stored nothing.

    ``patrol`` (a ``workforce.Patrol``): the report is a finding on the reporter's own open patrol, and its
    source is ``patrol`` whatever the form; ``integrations.case_report_on_patrol`` records the finding.
    """
    arguments = dict(locals())  # first: what was asked for, which the idempotency key is bound to
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
    key = _check_key(idempotency_key)
    replay = _replay(actor, key, arguments)
    if replay is not None:
        return replay
    checked = _check(
        category=category,
        kind=kind,
        urgency=urgency,
        description=description,
        lon=lon,
        lat=lat,
        crs=crs,
        accuracy_m=accuracy_m,
        need_point=True,
    )
    prepared = {PhotoStage.REPORT: photos.prepare_all(photo_files)}
    place = _route(checked, None)
    with transaction.atomic():
        return _create(
            actor=actor,
            reporter=actor,
            source=source,
            checked=checked,
            place=place,
            prepared=prepared,
            anonymous=anonymous,
            address=address,
            reporter_name="",
            reporter_phone="",
            key=key,
            arguments=arguments,
        )


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
    key = _check_key(idempotency_key)
    replay = _replay(reporter, key, arguments, entered_by=actor)
    if replay is not None:
        return replay
    received = _check_received(received_at)
    checked = _check(
        category=category,
        kind=kind,
        urgency=urgency,
        description=description,
        lon=lon,
        lat=lat,
        crs=crs,
        accuracy_m=accuracy_m,
        need_point=not area_code,
    )
    if reporter_phone and len(personal.normalise_phone(reporter_phone)) < 7:
        raise ReportInvalid(
            _("The caller's phone number looks incomplete."), detail={"reporter_phone": "short"}
        )
    prepared = {PhotoStage.REPORT: photos.prepare_all(photo_files)}
    place = _route(checked, area_code)
    if not in_scope(actor, place.area_code, roles=rules.INTAKE_ROLES):
        raise ReportInvalid(
            _("This place (%(code)s) lies outside your area; pass the call to the area it belongs to.")
            % {"code": place.area_code},
            detail={"area_code": place.area_code},
        )
    with transaction.atomic():
        return _create(
            actor=actor,
            reporter=reporter,
            source=source,
            checked=checked,
            place=place,
            prepared=prepared,
            anonymous=anonymous,
            address=address,
            reporter_name=reporter_name,
            reporter_phone=reporter_phone,
            key=key,
            arguments=arguments,
            received_at=received,
        )


ENTRY_MAX_AGE = dt.timedelta(days=30)
# A phone's or a desk computer's clock may run a little ahead of the server's.
ENTRY_CLOCK_SKEW = dt.timedelta(minutes=5)


def _check_received(received_at) -> dt.datetime | None:
    """When a call or visit was taken: an aware time (a naive one is local time), not in the future, at most
    :data:`ENTRY_MAX_AGE` ago; None when it was taken just now."""
    if received_at is None or received_at == "":
        return None
    if not isinstance(received_at, dt.datetime):
        raise ReportInvalid(
            _("Give the time the call or visit was received as a date and time."),
            detail={"received_at": "not a time"},
        )
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    now = clock.now()
    if received_at > now + ENTRY_CLOCK_SKEW:
        raise ReportInvalid(
            _("The time received lies in the future; check the date and time."),
            detail={"received_at": "future"},
        )
    if received_at < now - ENTRY_MAX_AGE:
        raise ReportInvalid(
            _("The time received is more than %(days)d days ago; enter such an old matter with today's date.")
            % {"days": ENTRY_MAX_AGE.days},
            detail={"received_at": "too old"},
        )
    return min(received_at, now).astimezone(dt.UTC)


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
    key = _check_key(idempotency_key)
    replay = _replay(actor, key, arguments)
    if replay is not None:
        return replay
    checked = _check(
        category=category,
        kind=kind,
        urgency=Urgency.NORMAL,
        description=description,
        lon=lon,
        lat=lat,
        crs=crs,
        accuracy_m=accuracy_m,
        need_point=True,
    )
    if not (note or "").strip():
        raise ReportInvalid(_("Say what you did to resolve it."), detail={"note": "required"})
    before, after = list(before_photos), list(after_photos)
    if not before or not after:
        raise ReportInvalid(
            _("Add at least one photo from before and one from after."), detail={"photos": "before and after"}
        )
    prepared = {
        PhotoStage.BEFORE: photos.prepare_all(before),
        PhotoStage.AFTER: photos.prepare_all(after),
    }
    place = _route(checked, None)
    if not in_scope(actor, place.area_code, roles={Role.GRID_WORKER}):
        raise ReportInvalid(
            _("This place (%(code)s) is outside the grid you serve; report it as an ordinary case instead.")
            % {"code": place.area_code},
            detail={"area_code": place.area_code},
        )
    with transaction.atomic():
        return _create(
            actor=actor,
            reporter=actor,
            source=Source.ON_THE_SPOT,
            checked=checked,
            place=place,
            prepared=prepared,
            anonymous=False,
            address=address,
            reporter_name="",
            reporter_phone="",
            key=key,
            arguments=arguments,
            state=State.CLOSED,
            handling_note=note.strip(),
        )


# --- workflow actions -------------------------------------------------------------------------------------


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
            photos.attach(case=updated, photos=prepared, stage=PhotoStage.AFTER, actor=actor, event=event)
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
        CaseEvent.objects.create(
            case=master,
            action=EventAction.DUPLICATE_MERGED,
            old_state=master.state,
            new_state=master.state,
            actor=actor,
            actor_name=str(actor),
            area_code=master.area_code,
            level=master.level,
            internal=True,
            changes={"duplicate": updated.pk},
            at=clock.now(),
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


# --- the deadline scan ----------------------------------------------------------------------------------


@dataclass
class ScanResult:
    response_overdue: int = 0
    handling_warned: int = 0
    handling_overdue: int = 0


def _scan_event(case: Case, action: str, marker: str, now, detail: dict) -> bool:
    """Set ``marker`` once (a conditional UPDATE, so two scans at once cannot both win) and record it."""
    if Case.objects.filter(pk=case.pk, **{f"{marker}__isnull": True}).update(**{marker: now}) != 1:
        return False
    setattr(case, marker, now)
    CaseEvent.objects.create(
        case=case,
        action=action,
        old_state=case.state,
        new_state=case.state,
        version=0,
        actor=None,
        actor_name="",
        area_code=case.area_code,
        level=case.level,
        internal=True,
        changes={"detail": detail},
        at=now,
    )
    return True


def deadlines_scan(*, now=None, batch: int = 500) -> ScanResult:
    """Mark overdue cases, remind assignees near the handling deadline and tell supervisors of overdue ones.

    Run periodically (``manage.py cases_scan_deadlines`` from a timer). Idempotent: each reminder is sent
    once per case, guarded by its marker column; shelved cases are skipped (their clock stands still).
    """
    now = now or clock.now()
    result = ScanResult()
    base = Case.objects.select_related("assignee_user")

    # A case past a step's deadline is marked once per step: <step>_due_at, <step>_overdue_at, ScanResult.<step>_overdue
    for state, step, action in (
        (State.REPORTED, "response", EventAction.RESPONSE_OVERDUE),
        (State.DISPATCHED, "handling", EventAction.HANDLING_OVERDUE),
    ):
        due, marker, counter = f"{step}_due_at", f"{step}_overdue_at", f"{step}_overdue"
        late = base.filter(state=state, **{f"{due}__lt": now, f"{marker}__isnull": True})
        for case in late.iterator(chunk_size=batch):
            with transaction.atomic():
                if _scan_event(case, action, marker, now, {"due": getattr(case, due).isoformat()}):
                    alerts.deadline_reminder(case, overdue=True, step=step)
                    setattr(result, counter, getattr(result, counter) + 1)

    cal = calendar.Calendar()
    near = base.filter(
        state=State.DISPATCHED,
        handling_due_at__gte=now,
        handling_warned_at__isnull=True,
        handling_started_at__isnull=False,
    )
    for case in near.iterator(chunk_size=batch):
        if case.handling_started_at is None or case.handling_due_at is None:
            continue  # (the query above leaves them out)
        colour, used = calendar.traffic_light(
            case.handling_started_at, case.handling_due_at, now, calendar=cal
        )
        if colour == calendar.GREEN:
            continue
        with transaction.atomic():
            if _scan_event(
                case, EventAction.HANDLING_WARNING, "handling_warned_at", now, {"used": round(used, 3)}
            ):
                alerts.deadline_reminder(case, overdue=False, step="handling")
                result.handling_warned += 1
    return result


# --- the working calendar ------------------------------------------------------------------------------------


def calendar_notice_enter(
    *, actor: User, year: int, lines: list[calendar.HolidayLine], request=None
) -> CalendarYear:
    """Enter (or correct) a year's State Council holiday notice: the year's official days are replaced by
    these lines, local overrides stay, deadlines and publication windows count with them from now on.
    Raises :class:`calendar.CalendarNoticeInvalid` with every problem found, writing nothing."""
    require(actor, rules.can_enter_calendar)
    with transaction.atomic():
        entry = calendar.enter_notice(year=year, lines=lines, entered_by=actor)
        audit_record(
            actor=actor,
            action="calendar.notice_enter",
            target=entry,
            request=request,
            detail={
                "lines": [
                    {
                        "name": line.name,
                        "first": line.first.isoformat(),
                        "last": line.last.isoformat(),
                        "make_up": [d.isoformat() for d in line.make_up],
                    }
                    for line in lines
                ]
            },
        )
    return entry
