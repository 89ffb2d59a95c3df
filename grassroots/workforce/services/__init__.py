"""Every write to grid workers and their assignments.

Assignments are history: ending one sets ``ended_on`` and keeps the row, so "who served this grid in May"
stays answerable. One worker holds one role on one grid at a time; a second, overlapping assignment of the
same worker, grid and role is refused (and a partial unique index backs the rule for open assignments).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots import clock, personal
from grassroots.accounts.models import User
from grassroots.accounts.rules import require
from grassroots.accounts.services import audit_record
from grassroots.areas.codes import Level
from grassroots.areas.models import Area, Grid
from grassroots.errors import DomainError, NotPermitted

from ..models import Assignment, AssignmentRole, GridWorker, RedDuty, WorkerDuty, WorkerKind
from ..rules import can_manage_workforce, is_worker_self


class WorkforceError(DomainError):
    code = "workforce_error"


def phone_fields(raw: str) -> tuple[str, str | None]:
    """The digits of a mobile number and their keyed hash; ("", None) for no number."""
    if not raw:
        return "", None
    digits, digest, _masked = personal.phone_columns(raw)
    if not personal.is_mobile(digits):
        raise WorkforceError(
            _("A mobile number has 11 digits and starts with 1; check the number and try again."),
            code="bad_phone",
        )
    return digits, digest


@transaction.atomic
def worker_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    area_code: str,
    phone: str = "",
    is_party_member: bool = False,
    user: User | None = None,
    is_synthetic: bool = False,
    request=None,
) -> GridWorker:
    """Register a grid worker in the area they belong to: a grid, or a village/community (instructors).

    ``actor`` None is the system itself (imports, the demo generator); a person must be an administrator
    or village/township staff whose scope contains ``area_code``. The phone is stored encrypted with its
    keyed hash beside it.
    """
    if actor is not None:
        require(actor, can_manage_workforce, area_code)
    name = (name or "").strip()
    if not name:
        raise WorkforceError(_("Enter the grid worker's name."), code="name_required")
    if kind not in WorkerKind.values:
        raise WorkforceError(
            _("Choose full-time, part-time or red grid worker as the kind."), code="unknown_kind"
        )
    area = Area.objects.filter(code=area_code).only("level").first()
    if area is None or area.level not in (Level.VILLAGE, Level.GRID):
        raise WorkforceError(
            _(
                "A grid worker belongs to a grid, or to a village or community (instructors); choose one of those."
            ),
            code="bad_area",
        )
    if user is not None and GridWorker.objects.filter(user=user).exists():
        raise WorkforceError(
            _("This login already belongs to another grid worker; choose another login or none."),
            code="user_taken",
        )
    digits, phone_hash = phone_fields(phone)
    worker = GridWorker.objects.create(
        user=user,
        name=name,
        phone=digits,
        phone_hash=phone_hash,
        kind=kind,
        is_party_member=is_party_member,
        area_code=area_code,
        is_synthetic=is_synthetic,
    )
    if actor is not None:
        audit_record(actor=actor, action="worker.create", target=worker, request=request)
    return worker


def _day_label(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


@transaction.atomic
def assignment_start(
    *,
    actor: User | None,
    worker: GridWorker,
    grid: Grid,
    role: str,
    started_on: dt.date | None = None,
    request=None,
) -> Assignment:
    """Start ``worker`` serving ``grid`` in ``role`` from ``started_on`` (today when omitted), open-ended.

    The actor must be able to manage both the grid and the worker's own area. Refused when the same worker
    already holds the same role on the same grid on or after that day.
    """
    if role not in AssignmentRole.values:
        raise WorkforceError(
            _("Choose grid leader, grid worker or grid instructor as the role."), code="unknown_role"
        )
    grid_code = grid.area.code
    if actor is not None:
        require(actor, can_manage_workforce, grid_code)
        require(actor, can_manage_workforce, worker.area_code)
    started_on = started_on or clock.today()
    # Serialise assignments of one worker so that two concurrent starts cannot both pass the check.
    GridWorker.objects.select_for_update().filter(pk=worker.pk).first()
    overlapping = (
        Assignment.objects.filter(worker=worker, grid=grid, role=role)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=started_on))
        .order_by("started_on")
        .first()
    )
    if overlapping is not None:
        raise _overlap_error(worker, grid_code, role, overlapping)
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                worker=worker, grid=grid, area_code=grid_code, role=role, started_on=started_on
            )
    except IntegrityError:
        existing = Assignment.objects.filter(
            worker=worker, grid=grid, role=role, ended_on__isnull=True
        ).first()
        raise _overlap_error(worker, grid_code, role, existing) from None
    if actor is not None:
        audit_record(
            actor=actor,
            action="assignment.start",
            target=assignment,
            detail={"worker": worker.pk, "role": role, "started_on": started_on.isoformat()},
            request=request,
        )
    return assignment


def _overlap_error(
    worker: GridWorker, grid_code: str, role: str, existing: Assignment | None
) -> WorkforceError:
    return WorkforceError(
        _(
            "%(name)s already serves grid %(grid)s as %(role)s from %(start)s; end that assignment first, "
            "or start this one on a later day."
        )
        % {
            "name": worker.name,
            "grid": grid_code,
            "role": AssignmentRole(role).label,
            "start": _day_label(existing.started_on if existing else None),
        },
        code="assignment_overlaps",
    )


@transaction.atomic
def assignment_end(
    *,
    actor: User | None,
    assignment: Assignment,
    ended_on: dt.date | None = None,
    reason: str = "",
    request=None,
) -> Assignment:
    """End an assignment on ``ended_on`` (exclusive; today when omitted). The row stays as history."""
    if actor is not None:
        require(actor, can_manage_workforce, assignment.area_code)
    locked = Assignment.objects.select_for_update().select_related("worker").get(pk=assignment.pk)
    if locked.ended_on is not None:
        raise WorkforceError(
            _("This assignment already ended on %(day)s; there is nothing more to end.")
            % {"day": _day_label(locked.ended_on)},
            code="assignment_ended",
        )
    ended_on = ended_on or clock.today()
    if ended_on <= locked.started_on:
        raise WorkforceError(
            _("An assignment ends after the day it started (%(day)s); choose a later day.")
            % {"day": _day_label(locked.started_on)},
            code="assignment_end_before_start",
        )
    locked.ended_on = ended_on
    locked.save(update_fields=["ended_on"])
    if actor is not None:
        audit_record(
            actor=actor,
            action="assignment.end",
            target=locked,
            reason=reason,
            detail={"worker": locked.worker_id, "role": locked.role, "ended_on": ended_on.isoformat()},
            request=request,
        )
    assignment.ended_on = ended_on
    return locked


@transaction.atomic
def worker_duties_set(
    *, actor: User | None, worker: GridWorker, area_code: str, duties: list[str], request=None
) -> list[WorkerDuty]:
    """Set the duties a red grid worker takes on in ``area_code`` (a grid or village); others there end."""
    if actor is not None:
        require(actor, can_manage_workforce, area_code)
        require(actor, can_manage_workforce, worker.area_code)
    if worker.kind != WorkerKind.RED:
        raise WorkforceError(
            _("Only red grid workers take on these duties; change the worker's kind first."),
            code="not_red_worker",
        )
    unknown = [d for d in duties if d not in RedDuty.values]
    if unknown:
        raise WorkforceError(
            _("Choose duties from the list (policy promotion, information relay, …)."), code="unknown_duty"
        )
    if not Area.objects.filter(code=area_code, level__in=(Level.VILLAGE, Level.GRID)).exists():
        raise WorkforceError(_("Choose the grid or village the duties serve."), code="bad_area")
    WorkerDuty.objects.filter(worker=worker, area_code=area_code).exclude(duty__in=duties).delete()
    for duty in dict.fromkeys(duties):
        WorkerDuty.objects.get_or_create(worker=worker, duty=duty, area_code=area_code)
    if actor is not None:
        audit_record(
            actor=actor,
            action="worker.duties",
            target=worker,
            detail={"area_code": area_code, "duties": list(duties)},
            request=request,
        )
    return list(WorkerDuty.objects.filter(worker=worker, area_code=area_code))


@transaction.atomic
def worker_phone_setting_set(*, actor: User, worker: GridWorker, hidden: bool, request=None) -> GridWorker:
    """The worker themself shows or hides their work phone from the residents of the grids they serve
    (``selectors.grid_workers_for_resident``); audited, since it changes who sees a number whole."""
    if not is_worker_self(actor, worker):
        raise NotPermitted(_("Only the worker may change who sees their work phone."))
    if worker.phone_hidden_from_residents != hidden:
        worker.phone_hidden_from_residents = hidden
        worker.save(update_fields=["phone_hidden_from_residents"])
        audit_record(
            actor=actor,
            action="worker.phone_hidden" if hidden else "worker.phone_shown",
            target=worker,
            area_code=worker.area_code,
            request=request,
        )
    return worker
