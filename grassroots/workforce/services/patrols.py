"""Patrols (巡查): a grid worker starts one from the phone, posts positions in batches, records what they
find on the way, and ends it.

Positions are thinned on the server: a batch is validated as a whole (coordinates in range, times inside
the patrol and not in the future), then sorted, and a position is kept only when at least
``PATROL_POINT_MIN_SECONDS`` have passed since the last one kept. The track is the worker's personal data:
only supervisors read it (``rules.can_view_track``), and :func:`patrol_tracks_purge` deletes positions of
patrols that started more than ``PATROL_TRACK_RETENTION_DAYS`` ago.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from grassroots import clock, geo
from grassroots.accounts.models import User
from grassroots.accounts.scoping import UnknownReference
from grassroots.accounts.services import audit_record

from .. import extensions
from ..models import GridWorker, Patrol, PatrolFinding, PatrolPoint, PatrolTask
from ..rules import can_patrol, can_set_patrol_tasks, is_worker_self
from ..selectors import grids_served, responsible_workers_for
from . import WorkforceError
from .checks import require_on

MAX_BATCH = 500
# A phone's clock may run a little ahead of the server's.
_CLOCK_SKEW = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class Position:
    recorded_at: dt.datetime
    lon: float
    lat: float


@transaction.atomic
def patrol_start(
    *, actor: User | None, worker: GridWorker, grid_code: str = "", note: str = "", request=None
) -> Patrol:
    """Start a patrol of ``worker``. One open patrol per worker.

    The patrol is counted in a grid the worker serves today: ``grid_code`` when given (it must be one of
    them), else their only grid; a worker serving several grids who names none, or none at all, patrols
    their own area."""
    grids = grids_served(worker)
    if grid_code:
        if grid_code not in grids:
            raise WorkforceError(
                _("%(code)s is not a grid you serve today; choose one of your grids.") % {"code": grid_code},
                code="patrol_grid",
            )
        area_code = grid_code
    else:
        area_code = grids[0] if len(grids) == 1 else worker.area_code
    if actor is not None:
        require_on(actor, lambda user, w: can_patrol(user, w, area_code), worker, area_code)
    try:
        with transaction.atomic():
            patrol = Patrol.objects.create(
                worker=worker, area_code=area_code, started_at=clock.now(), note=(note or "").strip()
            )
    except IntegrityError:
        raise WorkforceError(
            _("A patrol is already under way; end it before starting another."), code="patrol_open"
        ) from None
    if actor is not None:
        audit_record(actor=actor, action="patrol.start", target=patrol, request=request)
    return patrol


def _locked_open(actor: User | None, patrol: Patrol) -> Patrol:
    if actor is not None:
        require_on(
            actor, lambda user, w: can_patrol(user, w, patrol.area_code), patrol.worker, patrol.area_code
        )
    locked = Patrol.objects.select_for_update().select_related("worker").get(pk=patrol.pk)
    if locked.ended_at is not None:
        raise WorkforceError(_("This patrol has ended; start a new one to record more."), code="patrol_ended")
    return locked


def _validate(patrol: Patrol, positions: list[Position]) -> list[Position]:
    if len(positions) > MAX_BATCH:
        raise WorkforceError(
            _("Send at most %(n)s positions at a time.") % {"n": MAX_BATCH}, code="batch_too_large"
        )
    latest = clock.now() + _CLOCK_SKEW
    for i, p in enumerate(positions):
        if not geo.is_point(p.lon, p.lat):
            raise WorkforceError(
                _("Position %(n)s is not a longitude and latitude; nothing was saved.") % {"n": i + 1},
                code="bad_position",
            )
        if p.recorded_at.tzinfo is None or not (patrol.started_at - _CLOCK_SKEW <= p.recorded_at <= latest):
            raise WorkforceError(
                _(
                    "Position %(n)s was recorded outside the patrol's time (or without a time zone); "
                    "check the phone's clock. Nothing was saved."
                )
                % {"n": i + 1},
                code="bad_position_time",
            )
    return sorted(positions, key=lambda p: p.recorded_at)


@transaction.atomic
def patrol_positions_add(*, actor: User | None, patrol: Patrol, positions: list[Position]) -> int:
    """Record a batch of positions on an open patrol; returns how many were kept after thinning.

    All or nothing: one invalid position refuses the whole batch."""
    locked = _locked_open(actor, patrol)
    ordered = _validate(locked, positions)
    gap = dt.timedelta(seconds=settings.PATROL_POINT_MIN_SECONDS)
    last = (
        PatrolPoint.objects.filter(patrol=locked)
        .order_by("-recorded_at")
        .values_list("recorded_at", flat=True)
        .first()
    )
    kept = []
    for p in ordered:
        if last is not None and p.recorded_at - last < gap:
            continue
        kept.append(PatrolPoint(patrol=locked, recorded_at=p.recorded_at, lon=p.lon, lat=p.lat))
        last = p.recorded_at
    PatrolPoint.objects.bulk_create(kept)
    if kept:
        locked.point_count += len(kept)
        locked.save(update_fields=["point_count"])
    patrol.point_count = locked.point_count
    return len(kept)


@transaction.atomic
def patrol_finding_add(
    *,
    actor: User | None,
    patrol: Patrol,
    description: str,
    lon: float | None = None,
    lat: float | None = None,
    case_id: int | None = None,
    request=None,
    idempotency_key: str = "",
) -> PatrolFinding:
    """Record what was found on an open patrol. ``case_id`` is the case reported for it, when known: a case
    the actor can see (asked of the cases app through ``extensions.may_name_case``), else
    :class:`~grassroots.accounts.scoping.UnknownReference`. A finding sent again with the
    ``idempotency_key`` it was first sent with (from the phone's outbox) is the finding recorded then."""
    idempotency_key = (idempotency_key or "").strip()[:64]
    if idempotency_key:
        earlier = PatrolFinding.objects.filter(patrol=patrol, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    locked = _locked_open(actor, patrol)
    if idempotency_key:  # under the patrol's lock: a second sending waits for the first, then finds it
        earlier = PatrolFinding.objects.filter(patrol=locked, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    if case_id is not None and not extensions.may_name_case(actor, case_id):
        raise UnknownReference(field="case_id", what=_("case"), value=case_id)
    description = (description or "").strip()
    if not description:
        raise WorkforceError(_("Say what was found."), code="description_required")
    if (lon is None) != (lat is None) or (lon is not None and lat is not None and not geo.is_point(lon, lat)):
        raise WorkforceError(
            _("Give both longitude and latitude of the finding, or neither."), code="bad_position"
        )
    finding = PatrolFinding.objects.create(
        patrol=locked,
        area_code=locked.area_code,
        description=description[:300],
        lon=lon,
        lat=lat,
        case_id=case_id,
        idempotency_key=idempotency_key,
    )
    if actor is not None:
        audit_record(actor=actor, action="patrol.finding", target=finding, request=request)
    return finding


def patrol_finding_link_case(*, finding_id: int, case_id: int) -> int:
    """The hook for the cases app (which sits above workforce): after a case is reported from a patrol,
    call this to record the case's id on the finding. Returns the number of findings updated (0 or 1)."""
    return PatrolFinding.objects.filter(pk=finding_id, case_id__isnull=True).update(case_id=case_id)


@transaction.atomic
def patrol_end(*, actor: User | None, patrol: Patrol, note: str = "", request=None) -> Patrol:
    """End an open patrol now."""
    locked = _locked_open(actor, patrol)
    locked.ended_at = clock.now()
    if note:
        locked.note = (locked.note + "\n" + note.strip()).strip()
    locked.save(update_fields=["ended_at", "note"])
    if actor is not None:
        audit_record(actor=actor, action="patrol.end", target=locked, request=request)
    return locked


def patrol_tracks_purge(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Delete the positions of patrols that started more than ``days`` (the configured retention) ago;
    the patrols themselves (times, findings) stay. Returns the number of positions deleted."""
    days = settings.PATROL_TRACK_RETENTION_DAYS if days is None else days
    cutoff = (now or clock.now()) - dt.timedelta(days=days)
    with transaction.atomic():
        expired = Patrol.objects.filter(started_at__lt=cutoff, track_deleted_at__isnull=True)
        deleted, _counts = PatrolPoint.objects.filter(patrol__in=expired.values("pk")).delete()
        expired.update(track_deleted_at=clock.now(), point_count=0)
    return deleted


# --- patrol tasks (巡查任务) -------------------------------------------------------------------------------


def patrol_task_set(
    *,
    actor: User,
    grid_code: str,
    description: str,
    due_on: dt.date,
    lon: float | None = None,
    lat: float | None = None,
    key: str = "",
) -> tuple[PatrolTask, bool]:
    """Ask the grid's responsible worker (``responsible_workers_for``: the grid leader first) to patrol a place
    by ``due_on``. Returns (task, created): with a ``key`` this actor used before, the task made then, and
    nothing written. Raises :class:`~grassroots.errors.NotPermitted` outside the actor's supervision scope and
    :class:`WorkforceError` for a grid without a worker, an empty description or a date in the past."""
    key = (key or "").strip()[:64]
    if key:
        earlier = PatrolTask.objects.filter(created_by=actor, idempotency_key=key).first()
        if earlier is not None:
            return earlier, False
    require_on(actor, can_set_patrol_tasks, grid_code, grid_code)
    description = (description or "").strip()
    if not description:
        raise WorkforceError(_("Say what the worker should look at."), code="description_required")
    if due_on < clock.today():
        raise WorkforceError(_("The patrol date lies in the past."), code="due_in_past")
    if (lon is None) != (lat is None) or (lon is not None and lat is not None and not geo.is_point(lon, lat)):
        raise WorkforceError(
            _("Give both longitude and latitude of the place, or neither."), code="bad_position"
        )
    workers = responsible_workers_for(grid_code)
    if not workers:
        raise WorkforceError(
            _("No grid worker serves %(grid)s today; assign one first.") % {"grid": grid_code},
            code="no_worker",
        )
    task = PatrolTask(
        area_code=grid_code,
        worker=workers[0],
        description=description[:500],
        lon=lon,
        lat=lat,
        due_on=due_on,
        created_by=actor,
        created_at=clock.now(),
        idempotency_key=key,
    )
    try:
        with transaction.atomic():
            task.save()
            audit_record(actor=actor, action="patrol.task_set", target=task, area_code=grid_code)
    except IntegrityError:  # the same key twice at once: the other request made the task
        earlier = PatrolTask.objects.filter(created_by=actor, idempotency_key=key).first()
        if earlier is None:
            raise
        return earlier, False
    return task, True


@transaction.atomic
def patrol_task_done(*, actor: User, task: PatrolTask, note: str = "", request=None) -> PatrolTask:
    """The named worker marks a task done, with a word on what they found. Done twice: unchanged."""
    locked = PatrolTask.objects.select_for_update().get(pk=task.pk)
    if locked.worker is None or not is_worker_self(actor, locked.worker):
        raise WorkforceError(_("Only the worker named on the task can mark it done."), code="not_your_task")
    if locked.done_at is None:
        locked.done_at = clock.now()
        locked.done_note = (note or "").strip()[:300]
        locked.save(update_fields=["done_at", "done_note"])
        audit_record(actor=actor, action="patrol.task_done", target=locked, request=request)
    return locked
