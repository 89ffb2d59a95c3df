"""Reads of grid workers and their assignments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.models import Role
from grassroots.accounts.scoping import (
    STAFF_ROLES,
    OutOfScope,
    get_in_scope_or_404,
    is_unrestricted,
    scope_codes,
    scope_q,
    scoped,
)
from grassroots.areas.codes import CODE_LENGTH, Level
from grassroots.areas.models import Area
from grassroots.people import selectors as people_selectors
from grassroots.personal import normalise_phone

from . import extensions, rules
from .check_in import ROLL_ORDER, rule_for
from .models import (
    Assignment,
    AssignmentRole,
    CheckIn,
    CheckInStatus,
    GridWorker,
    GroupActivity,
    PartyMember,
    PartyOrganisation,
    Patrol,
    PatrolFinding,
    PatrolPoint,
    PatrolTask,
    ServiceGroup,
    ServiceRecord,
    WorkerKind,
)

_ROLE_ORDER = Case(
    When(role=AssignmentRole.LEADER, then=Value(0)),
    When(role=AssignmentRole.WORKER, then=Value(1)),
    When(role=AssignmentRole.INSTRUCTOR, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
# Among the workers of a grid, the full-time one answers first, then part-time, then red grid workers.
_KIND_ORDER = Case(
    When(worker__kind=WorkerKind.FULL_TIME, then=Value(0)),
    When(worker__kind=WorkerKind.PART_TIME, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
# The same two orders in Python, for responsible_workers_for (any other value after these).
_ROLE_RANK: dict[str, int] = {
    AssignmentRole.LEADER: 0,
    AssignmentRole.WORKER: 1,
    AssignmentRole.INSTRUCTOR: 2,
}
_KIND_RANK: dict[str, int] = {WorkerKind.FULL_TIME: 0, WorkerKind.PART_TIME: 1}


def active_on(day: dt.date) -> Q:
    """Assignments in force on ``day`` (started on or before it, not yet ended)."""
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def responsible_workers_for(grid_code: str, *, on: dt.date | None = None) -> list[GridWorker]:
    """The workers answerable for a grid on a day (today by default): grid leader first, then its grid
    workers (full-time, part-time, red), then instructors; each worker once.

    Unscoped on purpose: case routing calls it as the system, not on behalf of a user. Never hand its
    result to a user without scoping it.
    """
    day = on or clock.today()
    assignments = list(
        Assignment.objects.filter(area_code=grid_code)
        .filter(active_on(day))
        .select_related("worker__user")  # intake names the worker's login on the case and notifies it
        .order_by("worker__name", "worker_id")
    )
    # The role and kind ranks and the start date sorted here, stably, over the database's name order: the
    # order of _ROLE_ORDER, _KIND_ORDER, started_on, name, id, without the two CASE expressions, which cost
    # every report more to build than the query takes to run.
    assignments.sort(
        key=lambda a: (
            _ROLE_RANK.get(a.role, len(_ROLE_RANK)),
            _KIND_RANK.get(a.worker.kind, len(_KIND_RANK)),
            a.started_on,
        )
    )
    workers: dict[int, GridWorker] = {}
    for assignment in assignments:
        workers.setdefault(assignment.worker_id, assignment.worker)
    return list(workers.values())


def assignment_list_for_grid(*, user, grid_code: str, include_ended: bool = False) -> QuerySet[Assignment]:
    """Who serves the grid (today's assignments in the order of :func:`responsible_workers_for`; with ``include_ended`` also the past ones
    after them), each with its worker loaded. Empty when the grid is outside the user's scope.
    """
    today = clock.today()
    assignments = scoped(Assignment.objects.filter(area_code=grid_code), user).select_related("worker")
    if not include_ended:
        return assignments.filter(active_on(today)).order_by(
            _ROLE_ORDER, _KIND_ORDER, "started_on", "worker__name"
        )
    current = Case(When(active_on(today), then=Value(0)), default=Value(1), output_field=IntegerField())
    return assignments.order_by(
        current, _ROLE_ORDER, _KIND_ORDER, F("ended_on").desc(nulls_first=True), "started_on", "worker__name"
    )


# --- party, check-ins, service hours ------------------------------------------------------------------


def check_in_list_for(*, user, area_code: str | None = None, status: str | None = None) -> QuerySet[CheckIn]:
    """Check-ins the user may see: their own, and those of branches in their staff scope."""
    own = Q(member__user_id=user.pk) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    rows = CheckIn.objects.filter(own | scope_q(user, roles=STAFF_ROLES))
    if area_code:
        rows = rows.filter(area_code__startswith=area_code)
    if status:
        rows = rows.filter(status=status)
    return (
        rows.select_related("member", "branch")
        .annotate(total_hours=Sum("services__hours"))
        .order_by("-year", "status", "area_code", "member__name", "id")
    )


def check_in_get_for(*, user, pk: int) -> CheckIn:
    check_in = CheckIn.objects.select_related("member", "branch").filter(pk=pk).first()
    if check_in is None or not rules.can_view_check_in(user, check_in):
        raise OutOfScope
    return check_in


def party_organisation_get_for(*, user, pk: int) -> PartyOrganisation:
    """A party organisation whose area the user's scope reaches (staff only; 404 otherwise)."""
    return get_in_scope_or_404(PartyOrganisation.objects.all(), user, roles=STAFF_ROLES, pk=pk)


def party_member_for_check_in(*, user, member_id: int | None) -> PartyMember:
    """The member a check-in is asked for: the user's own membership when ``member_id`` is None, else a member
    the user may ask for (``rules.can_request_check_in``: the member, or a manager of their branch); 404
    otherwise."""
    if member_id is None:
        member = member_for_user(user)
        if member is None:
            raise OutOfScope
        return member
    member = PartyMember.objects.select_related("organisation", "unit").filter(pk=member_id).first()
    if member is None or not rules.can_request_check_in(user, member):
        raise OutOfScope
    return member


def grid_branch_get(pk: int) -> PartyOrganisation:
    """A grid's party branch named by a check-in; 404 when there is none. Whether the member may check in
    there is the member's kind's rule (``services.party.check_in_request``)."""
    branch = PartyOrganisation.objects.filter(pk=pk, is_grid_branch=True).first()
    if branch is None:
        raise OutOfScope
    return branch


def member_for_user(user) -> PartyMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return PartyMember.objects.filter(user_id=user.pk).select_related("organisation__parent", "unit").first()


@dataclass(frozen=True)
class RollSection:
    kind: str
    heading: str
    check_ins: list[CheckIn]


@dataclass(frozen=True)
class BranchRoll:
    """A grid branch's roll for a year: its own members, and the members checked in to it by kind."""

    branch: PartyOrganisation
    year: int
    members: list[PartyMember]  # the branch's own (their organisation is the branch or one of its groups)
    sections: list[RollSection]  # the year's confirmed and requested check-ins, one section per kind

    @property
    def checked_in(self) -> int:
        return sum(1 for s in self.sections for c in s.check_ins if c.status == CheckInStatus.CONFIRMED)


def grid_branch_roll_for(*, user, grid_code: str, year: int | None = None) -> BranchRoll | None:
    """The roll of a grid's party branch (None when the grid has none), for staff whose scope holds the
    grid. Declined check-ins are left out. Three queries whatever the size of the roll."""
    if not rules.can_view_party(user, grid_code):
        raise OutOfScope
    year = year or clock.today().year
    branch = PartyOrganisation.objects.filter(area_code=grid_code, is_grid_branch=True).order_by("id").first()
    if branch is None:
        return None
    members = list(
        PartyMember.objects.filter(Q(organisation=branch) | Q(organisation__parent=branch))
        .select_related("organisation")
        .order_by("name", "id")
    )
    rows = (
        CheckIn.objects.filter(branch=branch, year=year)
        .exclude(status=CheckInStatus.DECLINED)
        .select_related("member__organisation", "member__unit")
        .annotate(total_hours=Sum("services__hours"))
        .order_by("member__name", "id")
    )
    by_kind: dict[str, list[CheckIn]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    sections = [
        RollSection(kind, str(rule_for(kind).roll_heading), by_kind.get(kind, [])) for kind in ROLL_ORDER
    ]
    return BranchRoll(branch=branch, year=year, members=members, sections=sections)


def worker_for_user(user) -> GridWorker | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return GridWorker.objects.filter(user_id=user.pk).first()


def party_organisation_list_for(*, user, area_code: str | None = None) -> QuerySet[PartyOrganisation]:
    rows = scoped(PartyOrganisation.objects.all(), user, roles=STAFF_ROLES)
    if area_code:
        rows = rows.filter(area_code__startswith=area_code)
    return rows.select_related("parent").annotate(member_count=Count("members"))


def grid_figures(grid_code: str, *, year: int | None = None) -> dict:
    """What workforce counts for a grid in a year (definitions in :data:`FIGURE_DEFINITIONS`)."""
    year = year or clock.today().year
    services = ServiceRecord.objects.filter(area_code=grid_code, served_on__year=year)
    patrols = Patrol.objects.filter(area_code=grid_code, started_at__year=year, ended_at__isnull=False)
    return {
        "year": year,
        "checked_in_members": CheckIn.objects.filter(
            area_code=grid_code, year=year, status=CheckInStatus.CONFIRMED
        ).count(),
        "service_hours": services.aggregate(h=Sum("hours"))["h"] or Decimal("0"),
        "patrols": patrols.count(),
        "patrol_hours": sum((p.hours for p in patrols.only("started_at", "ended_at")), Decimal("0")),
        "activity_hours": GroupActivity.objects.filter(area_code=grid_code, held_on__year=year).aggregate(
            h=Sum("hours")
        )["h"]
        or Decimal("0"),
        "visits": people_selectors.visit_count_for_area(grid_code, year),
        # None when no app counts cases (the page says so rather than showing zeros).
        "cases": extensions.grid_case_figures_for(grid_code, year),
    }


FIGURE_DEFINITIONS = {
    "checked_in_members": _(
        "In-service party members whose check-in to the grid's branch is confirmed for the year."
    ),
    "service_hours": _("Hours logged by checked-in members on days of the year."),
    "patrols": _("Patrols ended in the year in this grid (the grid the worker chose when starting)."),
    "patrol_hours": _("Time from start to end of those patrols, in hours."),
    "visits": _("Household visits recorded in the grid's households on days of the year, by anyone."),
    "activity_hours": _("Hours of volunteer team and council activities in the area in the year."),
    "cases_reported": _(
        "Cases reported in the year whose place lies in the grid (counted by the cases app)."
    ),
    "cases_closed": _("Of the cases reported in the year in the grid, those closed by now."),
}


FIGURE_LABELS = {
    "checked_in_members": _("Checked-in party members"),
    "service_hours": _("Service hours of checked-in members"),
    "visits": _("Household visits"),
    "patrols": _("Patrols"),
    "patrol_hours": _("Patrol hours"),
    "activity_hours": _("Team and council activity hours"),
    "cases_reported": _("Cases reported"),
    "cases_closed": _("Cases closed"),
    "cases_closed_on_time": _("Cases closed on time"),
    "score": _("Workload score"),
}


def grid_figure_definitions(figures: dict) -> list[tuple[str, str, str]]:
    """(key, label, definition) of the figures a grid shows; the case figures only when they are counted."""
    skip = () if figures.get("cases") is not None else ("cases_reported", "cases_closed")
    return [(k, str(FIGURE_LABELS[k]), str(text)) for k, text in FIGURE_DEFINITIONS.items() if k not in skip]


# --- patrols ------------------------------------------------------------------------------------------


def grids_served(worker: GridWorker, *, on: dt.date | None = None) -> list[str]:
    """The codes of the grids the worker serves on a day (today by default), in code order."""
    day = on or clock.today()
    return sorted(
        set(
            Assignment.objects.filter(worker=worker)
            .filter(active_on(day))
            .values_list("area_code", flat=True)
        )
    )


def patrol_grid_choices(*, user, worker: GridWorker) -> list[tuple[str, str]]:
    """(code, name) of the grids the worker serves today where ``user`` may patrol for them."""
    codes = [c for c in grids_served(worker) if rules.can_patrol(user, worker, c)]
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    return [(c, names.get(c, c)) for c in codes]


def patrol_list_for(*, user) -> QuerySet[Patrol]:
    """Patrols the user may see: their own, and those in their supervision scope."""
    own = Q(worker__user_id=user.pk) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    return (
        Patrol.objects.filter(own | scope_q(user, roles=rules.SUPERVISOR_ROLES))
        .select_related("worker")
        .order_by("-started_at", "-id")
    )


def patrol_tasks_for(*, user, area_code: str = "") -> QuerySet[PatrolTask]:
    """Patrol tasks the user may see: those naming them as the worker, and those in their supervision
    scope (under ``area_code`` when given); open ones first, by date."""
    own = Q(worker__user_id=user.pk) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    tasks = PatrolTask.objects.filter(own | scope_q(user, roles=rules.PATROL_TASK_ROLES))
    if area_code:
        tasks = tasks.filter(area_code__startswith=area_code)
    return tasks.select_related("worker").order_by(F("done_at").asc(nulls_first=True), "due_on", "id")


def patrol_task_get_for(*, user, pk: int) -> PatrolTask:
    task = patrol_tasks_for(user=user).filter(pk=pk).first()
    if task is None:
        raise OutOfScope
    return task


def patrol_get_for(*, user, pk: int) -> Patrol:
    patrol = Patrol.objects.select_related("worker").filter(pk=pk).first()
    if patrol is None or not rules.can_view_patrol(user, patrol):
        raise OutOfScope
    return patrol


def patrol_track_for(*, user, patrol: Patrol) -> list[PatrolPoint]:
    """The recorded positions, for supervisors only (others get a 404: the track is personal data)."""
    if not rules.can_view_track(user, patrol):
        raise OutOfScope
    return list(patrol.points.order_by("recorded_at").only("recorded_at", "lon", "lat"))


# --- workload -----------------------------------------------------------------------------------------


def worker_workload(*, user, area_code: str, year: int | None = None, extra=None) -> list[dict]:
    """Each worker in the area with the figures workforce owns for the year and their workload score
    (:func:`workload_score`), ranked by the score, then patrol hours. Supervisors only (404 otherwise).

    Higher apps (cases, people) add their figures through ``extensions.workload_provider_register`` (or ``extra``,
    a provider for this call only): each row's ``extra`` holds them (e.g. cases reported / handled / closed).
    """
    if not rules.can_supervise_worker(user, area_code):
        raise OutOfScope
    year = year or clock.today().year
    workers = list(
        GridWorker.objects.filter(area_code__startswith=area_code).only(
            "id", "name", "kind", "area_code", "user_id"
        )
    )
    patrols = Patrol.objects.filter(
        worker__in=[w.pk for w in workers], started_at__year=year, ended_at__isnull=False
    ).only("worker_id", "started_at", "ended_at")
    visits = people_selectors.visit_counts_by_visitor([w.user_id for w in workers], year)
    per: dict[int, dict] = {
        w.pk: {
            "worker": w,
            "visits": visits.get(w.user_id, 0) if w.user_id else 0,
            "patrols": 0,
            "patrol_hours": Decimal("0"),
            "findings": 0,
        }
        for w in workers
    }
    for p in patrols:
        per[p.worker_id]["patrols"] += 1
        per[p.worker_id]["patrol_hours"] += p.hours
    for row in (
        PatrolFinding.objects.filter(patrol__worker__in=list(per), created_at__year=year)
        .values("patrol__worker_id")
        .annotate(n=Count("id"))
    ):
        per[row["patrol__worker_id"]]["findings"] = row["n"]
    for provider in [*extensions.workload_providers, *([extra] if extra is not None else [])]:
        for worker_id, figures in (provider(list(per), year) or {}).items():
            if worker_id in per:
                per[worker_id].setdefault("extra", {}).update(figures)
    for figures in per.values():
        figures["score"] = workload_score(figures)
    return sorted(per.values(), key=lambda r: (-r["score"], -r["patrol_hours"], r["worker"].name))


# The workload score: the work the platform counts, each figure by its weight. Patrol hours are one column
# among them; a figure no installed app counts adds nothing. The page shows the formula built from this.
WORKLOAD_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("cases_handled", 3),
    ("cases_closed_on_time", 2),
    ("visits", 1),
    ("patrol_hours", 1),
)


def workload_score(row: dict) -> Decimal:
    extra = row.get("extra", {})
    total = Decimal("0")
    for key, weight in WORKLOAD_WEIGHTS:
        value = row[key] if key in row else extra.get(key, 0)
        total += Decimal(weight) * Decimal(value or 0)
    return total.quantize(Decimal("0.1"))


def workload_formula() -> str:
    """The score's formula in words, from :data:`WORKLOAD_WEIGHTS` (in the reader's language)."""
    terms = " + ".join(f"{weight} × {WORKLOAD_LABELS[key]}" for key, weight in WORKLOAD_WEIGHTS)
    return f"{WORKLOAD_LABELS['score']} = {terms}"


def workload_sorted(rows: list[dict], key: str) -> list[dict]:
    """The rows ranked by one figure, highest first (a figure a provider gave no value counts lowest),
    ties by score then name; by name when ``key`` is "name"."""
    if key == "name":
        return sorted(rows, key=lambda r: r["worker"].name)

    def value(row: dict) -> Decimal:
        got = row[key] if key in row else row.get("extra", {}).get(key)
        return Decimal(got) if isinstance(got, int | Decimal) else Decimal("-1")

    return sorted(rows, key=lambda r: (-value(r), -r["score"], r["worker"].name))


WORKLOAD_FIGURES = ("score", "visits", "patrols", "patrol_hours", "findings")


def workload_columns(rows: list[dict]) -> list[tuple[str, str, str]]:
    """The figures of a workload table as (key, label, definition): workforce's own, then those higher
    apps added to any row, in the order they came."""
    keys = list(WORKLOAD_FIGURES)
    for row in rows:
        keys.extend(k for k in row.get("extra", {}) if k not in keys)
    return [(k, str(WORKLOAD_LABELS.get(k, k)), str(WORKLOAD_DEFINITIONS.get(k, ""))) for k in keys]


def workload_cells(row: dict, columns) -> list[tuple[str, object]]:
    """One row's values in the order of ``columns`` ("—" where a provider gave none for this worker)."""
    extra = row.get("extra", {})
    return [(k, row[k] if k in row else extra.get(k, "—")) for k, _label, _text in columns]


# --- teams and councils -------------------------------------------------------------------------------


def group_list_for(*, user, area_code: str | None = None) -> QuerySet[ServiceGroup]:
    """Teams and councils open to the user: those in areas their scope reaches (an area above their
    own counts, so a resident sees the village's team)."""
    codes = scope_codes(user)
    if is_unrestricted(user):
        rows = ServiceGroup.objects.all()
    else:
        q = Q(pk__in=[])
        for code in codes:
            q |= Q(area_code__startswith=code)
            for n in (2, 4, 6, 9, 12):  # the areas above the grant (province … village)
                if len(code) > n:
                    q |= Q(area_code=code[:n])
        rows = ServiceGroup.objects.filter(q)
    if area_code:
        rows = rows.filter(area_code__startswith=area_code)
    return rows.annotate(member_count=Count("members", distinct=True))


def group_get_for(*, user, pk: int) -> ServiceGroup:
    group = ServiceGroup.objects.filter(pk=pk).first()
    if group is None or not rules.can_view_groups(user, group.area_code):
        raise OutOfScope
    return group


WORKLOAD_DEFINITIONS = {
    "visits": _(
        "Household visits the worker recorded under their own login on days of the year (a worker "
        "without a login has none)."
    ),
    "patrols": FIGURE_DEFINITIONS["patrols"],
    "patrol_hours": FIGURE_DEFINITIONS["patrol_hours"],
    "findings": _("Things recorded as found on the worker's patrols in the year."),
    "score": _(
        "The work counted in the year, each figure by its weight: the formula is shown above the table."
    ),
    "cases_reported": _("Cases the worker entered or reported under their login in the year."),
    "cases_handled": _(
        "Cases on which the worker recorded a handling step (or resolved on the spot) in the year."
    ),
    "cases_closed": _("Cases closed in the year while assigned to the worker."),
    "cases_closed_on_time": _(
        "Of the cases closed in the year while assigned to the worker, those closed by their handling "
        "deadline (or that had none), as the case metrics count on-time closure."
    ),
}

# How the workload pages name each figure; a figure a higher app adds without a label here shows its key.
WORKLOAD_LABELS = {
    "visits": _("Household visits"),
    "patrols": _("Patrols"),
    "patrol_hours": _("Patrol hours"),
    "findings": _("Findings"),
    "cases_reported": _("Cases reported"),
    "cases_handled": _("Cases handled"),
    "cases_closed": _("Cases closed"),
    "cases_closed_on_time": _("Cases closed on time"),
    "score": _("Workload score"),
}


def report_case_url(patrol: Patrol) -> str:
    """The cases app's report page, told which patrol the case comes from (``?patrol=<id>``). Built from
    the URL name so that workforce need not import cases; empty when the page is not installed."""
    for name in ("cases:report", "cases:submit", "cases:new"):
        try:
            return f"{reverse(name)}?patrol={patrol.pk}"
        except NoReverseMatch:
            continue
    return ""


def worker_get_for(*, user, pk: int) -> GridWorker:
    """A grid worker whose area the user's scope reaches (staff only; 404 otherwise)."""
    return get_in_scope_or_404(GridWorker.objects.all(), user, roles=STAFF_ROLES, pk=pk)


def activity_photo_readable_by(user, name: str) -> bool:
    """Whether ``user`` may see the stored activity photo ``name``: whoever may see the team or council."""
    activity = GroupActivity.objects.filter(photo=name).only("area_code").first()
    return activity is not None and rules.can_view_groups(user, activity.area_code)


def check_ins_to_confirm_for(*, user, limit: int = 50) -> list[CheckIn]:
    """Check-ins asked of branches the user confirms for (party managers over the branch), oldest first."""
    rows = check_in_list_for(user=user, status=CheckInStatus.REQUESTED).exclude(member__user_id=user.pk)
    return [
        c
        for c in rows.order_by("requested_at", "pk")[: limit * 2]
        if rules.can_manage_party(user, c.area_code)
    ][:limit]


# --- a resident's own grid workers -----------------------------------------------------------------------


@dataclass(frozen=True)
class GridWorkerContact:
    """A worker as a resident of their grid sees them. ``phone`` is the whole work phone for a tap-to-call
    link, or "" when the worker hid it (or has none); ``phone_hidden`` says which."""

    name: str
    kind: str
    kind_label: str
    role_label: str
    is_party_member: bool
    phone: str
    phone_hidden: bool

    @property
    def tel_href(self) -> str:
        return f"tel:{self.phone}" if self.phone else ""


@dataclass(frozen=True)
class ResidentGrid:
    code: str
    name: str
    workers: list[GridWorkerContact]


def grid_workers_for_resident(user) -> list[ResidentGrid]:
    """The grids where ``user`` is a resident (a resident grant on a grid) and who serves each today, in the
    order of :func:`responsible_workers_for` (one row per worker: their first role there).

    A worker's work phone is public to their own grid's residents by design, so it comes whole here unless
    the worker chose to hide it (``GridWorker.phone_hidden_from_residents``); every other page masks it.
    Only resident grants count: staff see the masked phone on the grid page like everyone else. Two queries
    besides reading the user's grants.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    codes = sorted(c for c in scope_codes(user, roles={Role.RESIDENT}) if len(c) == CODE_LENGTH[Level.GRID])
    if not codes:
        return []
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    today = clock.today()
    assignments = (
        Assignment.objects.filter(area_code__in=codes)
        .filter(active_on(today))
        .select_related("worker")
        .order_by("area_code", _ROLE_ORDER, _KIND_ORDER, "started_on", "worker__name", "worker_id")
    )
    by_grid: dict[str, dict[int, GridWorkerContact]] = {code: {} for code in codes}
    for a in assignments:
        w = a.worker
        if w.pk in by_grid[a.area_code]:
            continue
        by_grid[a.area_code][w.pk] = GridWorkerContact(
            name=w.name,
            kind=w.kind,
            kind_label=str(w.get_kind_display()),
            role_label=str(a.get_role_display()),
            is_party_member=w.is_party_member,
            phone="" if w.phone_hidden_from_residents else normalise_phone(w.phone),
            phone_hidden=bool(w.phone) and w.phone_hidden_from_residents,
        )
    return [ResidentGrid(code, names.get(code, code), list(by_grid[code].values())) for code in codes]
