"""The handlers a case may be dispatched to: the one list the case page, the bulk dispatch, the API and every
dispatch check read."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.models import Role, RoleGrant
from grassroots.accounts.scoping import (
    in_scope,
    prefix_range_q,
    resolve_among,
)
from grassroots.areas.codes import Level, ancestor_codes, level_of
from grassroots.people.selectors import dispatch_units_for
from grassroots.workforce.models import Assignment
from grassroots.workforce.selectors import active_on

from .. import workflow
from ..models import (
    AssigneeKind,
    Case,
)

# --- dispatch targets ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A handler a dispatcher may choose: ``key`` is what the form and the API send (``grid_worker:12``,
    ``user:5``, ``department:7``, ``unit:3``); ``target`` is what the case records when it is chosen."""

    key: str
    kind: str
    label: str
    group: str
    target: workflow.DispatchTarget


def dispatch_targets_for(*, case: Case, actor, kinds: frozenset[str] | None = None) -> list[Target]:
    """The handlers ``actor`` may dispatch ``case`` to, at the case's current area — the one list that the
    case page, the bulk dispatch, the API's list and every dispatch check read:

    - the grid workers assigned under the case's area (its grid, or the grids of its village);
    - village, township and county staff logins holding their role on the case's area or below it, and those
      between the case and the dispatcher: on an area above the case that lies in the dispatcher's own scope
      (a township desk may take a village's case itself; nobody sends work up past their own level or across
      to another area — that is escalation's job);
    - department handlers whose grant covers the case's area;
    - co-building units (people.Place accepting cases) at the case's area or above it, within the dispatcher's
      scope.

    Empty for an actor who may not dispatch the case at its level (whatever its state), so that the list
    never shows staff names to those who may not choose among them. ``kinds``: only the handlers of these
    kinds (the part of the same list that a key can name).
    """
    if not workflow.may_take(actor, case, workflow.Action.DISPATCH):
        return []
    code = case.area_code
    wanted = frozenset(AssigneeKind.values) if kinds is None else kinds
    return [
        *(_grid_workers_under(code) if AssigneeKind.GRID_WORKER in wanted else []),
        *(_staff_for(code, actor) if wanted & _STAFF_KINDS else []),
        *(_units_for(code, actor) if AssigneeKind.UNIT in wanted else []),
    ]


_STAFF_KINDS = frozenset({AssigneeKind.USER, AssigneeKind.DEPARTMENT})


def _grid_workers_under(code: str) -> list[Target]:
    """The grid workers assigned today under ``code`` (from a village down), each once."""
    if level_of(code) < Level.VILLAGE:
        return []
    # on SQLite the subtree as a range of codes, which the area-code index serves (its LIKE reads every row)
    under = (
        prefix_range_q("area_code", code) if connection.vendor == "sqlite" else Q(area_code__startswith=code)
    )
    assignments = (
        Assignment.objects.filter(under)
        .filter(active_on(clock.today()))
        .select_related("worker__user")
        .order_by("area_code", "worker__name")
    )
    targets: list[Target] = []
    seen: set[int] = set()
    for a in assignments:
        if a.worker_id in seen:
            continue
        seen.add(a.worker_id)
        w = a.worker
        targets.append(
            Target(
                f"{AssigneeKind.GRID_WORKER}:{w.pk}",
                AssigneeKind.GRID_WORKER,
                f"{w.name} · {a.area_code[-3:]}",
                str(Role.GRID_WORKER.label),
                workflow.DispatchTarget(AssigneeKind.GRID_WORKER, str(w.pk), w.name, w.user),
            )
        )
    return targets


def _staff_for(code: str, actor) -> list[Target]:
    """Desk logins at the case's area or below it, or between it and the dispatcher; department handlers
    whose grant covers it."""
    staff_roles = [Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF]
    above = [c for c in ancestor_codes(code)[:-1] if in_scope(actor, c, roles=workflow.INTAKE)]
    grants = (
        RoleGrant.objects.filter(
            Q(role__in=staff_roles, area_code__startswith=code)
            | Q(role__in=staff_roles, area_code__in=above)
            | Q(role=Role.DEPARTMENT_HANDLER, area_code__in=ancestor_codes(code))
        )
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("role", "area_code", "user__username")
    )
    targets: list[Target] = []
    seen: set[tuple[int, str]] = set()
    for g in grants:
        kind = AssigneeKind.DEPARTMENT if g.role == Role.DEPARTMENT_HANDLER else AssigneeKind.USER
        if (g.user_id, kind) in seen:
            continue
        seen.add((g.user_id, kind))
        name = str(g.user)
        targets.append(
            Target(
                f"{kind}:{g.user_id}",
                kind,
                name,
                str(Role(g.role).label),
                workflow.DispatchTarget(kind, str(g.user_id), name, g.user),
            )
        )
    return targets


def _units_for(code: str, actor) -> list[Target]:
    """Co-building units accepting cases at the case's area or above it, within the dispatcher's scope."""
    return [
        Target(
            f"{AssigneeKind.UNIT}:{place.pk}",
            AssigneeKind.UNIT,
            place.name,
            str(AssigneeKind.UNIT.label),
            workflow.DispatchTarget(AssigneeKind.UNIT, str(place.pk), place.name, None),
        )
        for place in dispatch_units_for(user=actor, area_code=code)
    ]


def target_key(target) -> str:
    """The key of a dispatch target given as a key, a :class:`~grassroots.cases.workflow.DispatchTarget`
    (its kind and reference; its name and login are not trusted) or a login (a staff member)."""

    if isinstance(target, str):
        return target.strip()
    if isinstance(target, workflow.DispatchTarget):
        return f"{target.kind}:{target.ref}"
    if getattr(target, "pk", None) is not None:
        return f"{AssigneeKind.USER}:{target.pk}"
    return ""


def resolve_target(*, case: Case, actor, key: str, field: str = "target") -> workflow.DispatchTarget:
    """The :class:`~grassroots.cases.workflow.DispatchTarget` that ``key`` names among
    :func:`dispatch_targets_for` this case and actor, with the name and login of the register; anything
    else is refused (:class:`~grassroots.accounts.scoping.UnknownReference`)."""
    # a key names its kind: only that part of the list is read (the others cannot hold it)
    kind = key.partition(":")[0] if isinstance(key, str) else ""
    kinds = frozenset({kind}) if kind in AssigneeKind.values else frozenset()
    offered = {t.key: t.target for t in dispatch_targets_for(case=case, actor=actor, kinds=kinds)}
    return resolve_among(offered, key, field=field, what=_("handler"), code="bad_target")
