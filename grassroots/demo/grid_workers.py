"""Grid workers of all three kinds for every grid of the demo city, and their assignments.

Roughly the seed city's proportions (DESIGN.md section 4). Community and dedicated grids: a full-time
worker (专职) for one grid or two neighbouring ones, a grid leader (网格长) for every four grids of the
community, and red grid workers (红色网格员, party members) on every grid. Rural grids: two to four part-time
workers (兼职: village group leaders, party members, villagers' representatives), a leader for every five
grids of the village, often a red grid worker. Every community and village has an instructor (网格指导员)
on all its grids. A few grids show history: an earlier worker whose assignment ended the day the current
one started. Names come from Faker (zh_CN); phones are synthetic 171 numbers.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext_lazy as _

from grassroots.areas.codes import Level
from grassroots.areas.models import Area, AreaKind, Grid
from grassroots.workforce.models import Assignment, AssignmentRole, GridWorker, WorkerKind
from grassroots.workforce.services import phone_fields

from .city import BATCH, CITY_CODE
from .steps import DemoContext

FIRST_DAY = dt.date(2023, 1, 1)
WORKER_PHONE_PREFIX = "171"


@dataclass(frozen=True)
class _Grid:
    pk: int
    code: str
    kind: str


class _Roster:
    """Workers and assignments being generated, inserted together at the end."""

    def __init__(self, rng: random.Random, fake):
        self.rng = rng
        self.fake = fake
        self.workers: list[GridWorker] = []
        self.assignments: list[tuple[int, _Grid, str, dt.date, dt.date | None]] = []

    def worker(self, kind: str, area_code: str, *, party: bool) -> int:
        digits, phone_hash = phone_fields(f"{WORKER_PHONE_PREFIX}{len(self.workers) + 1:08d}")
        self.workers.append(
            GridWorker(
                name=self.fake.name(),
                phone=digits,
                phone_hash=phone_hash,
                kind=kind,
                is_party_member=party,
                area_code=area_code,
                is_synthetic=True,
            )
        )
        return len(self.workers) - 1

    def assign(
        self, worker: int, grid: _Grid, role: str, started_on: dt.date, ended_on: dt.date | None = None
    ):
        self.assignments.append((worker, grid, role, started_on, ended_on))

    def day(self, earliest_days: int, latest_days: int) -> dt.date:
        return FIRST_DAY + dt.timedelta(days=self.rng.randint(earliest_days, latest_days))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


def _serve_village(roster: _Roster, village_code: str, grids: list[_Grid], *, community: bool) -> None:
    instructor = roster.worker(WorkerKind.PART_TIME, village_code, party=True)
    since = roster.day(0, 540)
    for grid in grids:
        roster.assign(instructor, grid, AssignmentRole.INSTRUCTOR, since)
    per_leader = 4 if community else 5
    for first in range(0, len(grids), per_leader):
        kind = WorkerKind.FULL_TIME if community else WorkerKind.PART_TIME
        leader = roster.worker(kind, village_code, party=roster.chance(0.7 if community else 0.85))
        since = roster.day(0, 540)
        for grid in grids[first : first + per_leader]:
            roster.assign(leader, grid, AssignmentRole.LEADER, since)
    if community:
        _serve_community_grids(roster, village_code, grids)
    else:
        _serve_rural_grids(roster, grids)


def _serve_community_grids(roster: _Roster, village_code: str, grids: list[_Grid]) -> None:
    """A full-time worker for one grid or two neighbouring ones (the seed: 936 of them for 1,551 grids),
    and one to five red grid workers on each grid (10,000+ in the city with the rural ones)."""
    first = 0
    while first < len(grids):
        span = grids[first : first + (2 if roster.chance(0.6) else 1)]
        home = span[0].code if len(span) == 1 else village_code
        worker = roster.worker(WorkerKind.FULL_TIME, home, party=roster.chance(0.45))
        since = roster.day(180, 900)
        for grid in span:
            roster.assign(worker, grid, AssignmentRole.WORKER, since)
        if roster.chance(0.06):
            former = roster.worker(WorkerKind.FULL_TIME, home, party=roster.chance(0.4))
            for grid in span:
                roster.assign(former, grid, AssignmentRole.WORKER, roster.day(0, 179), since)
        first += len(span)
    for grid in grids:
        for _red in range(roster.rng.choices((1, 2, 3, 4, 5), weights=(2, 3, 3, 2, 1))[0]):
            red = roster.worker(WorkerKind.RED, grid.code, party=True)
            roster.assign(red, grid, AssignmentRole.WORKER, roster.day(90, 900))


def _serve_rural_grids(roster: _Roster, grids: list[_Grid]) -> None:
    """Two to four part-time workers per grid (village group leaders, party members, villagers'
    representatives: the seed's 15,800 for 4,462 grids with the leaders and instructors), and now and then
    red grid workers."""
    for grid in grids:
        for _n in range(roster.rng.choice((2, 3, 3, 4, 4))):
            worker = roster.worker(WorkerKind.PART_TIME, grid.code, party=roster.chance(0.35))
            since = roster.day(180, 900)
            roster.assign(worker, grid, AssignmentRole.WORKER, since)
            if roster.chance(0.03):
                former = roster.worker(WorkerKind.PART_TIME, grid.code, party=roster.chance(0.4))
                roster.assign(former, grid, AssignmentRole.WORKER, roster.day(0, 179), since)
        for _red in range(roster.rng.choices((0, 1, 2, 3), weights=(2, 4, 3, 1))[0]):
            red = roster.worker(WorkerKind.RED, grid.code, party=True)
            roster.assign(red, grid, AssignmentRole.WORKER, roster.day(90, 900))


def build_roster(ctx: DemoContext, name: str) -> _Roster:
    """Workers and assignments for every grid of the demo city, in code order (deterministic)."""
    villages: dict[str, list[_Grid]] = defaultdict(list)
    rows = (
        Grid.objects.filter(area__code__startswith=CITY_CODE)
        .order_by("area__code")
        .values_list("pk", "area__code", "kind")
    )
    for pk, code, kind in rows:
        villages[code[:12]].append(_Grid(pk, code, kind))
    kinds = dict(
        Area.objects.filter(code__in=list(villages), level=Level.VILLAGE)
        .values_list("code", "kind")
        .iterator()
    )
    roster = _Roster(ctx.rng(name), ctx.faker(name))
    for village_code, grids in villages.items():
        _serve_village(roster, village_code, grids, community=kinds.get(village_code) == AreaKind.COMMUNITY)
    return roster


class GridWorkersStep:
    name = "grid_workers"
    label = _("grid workers and assignments")

    def run(self, ctx: DemoContext) -> dict[str, int]:
        roster = build_roster(ctx, self.name)
        GridWorker.objects.bulk_create(roster.workers, batch_size=BATCH)
        if not connection.features.can_return_rows_from_bulk_insert:  # pragma: no cover - old SQLite
            by_hash = dict(GridWorker.objects.filter(is_synthetic=True).values_list("phone_hash", "pk"))
            for worker in roster.workers:
                worker.pk = by_hash[worker.phone_hash]
        Assignment.objects.bulk_create(
            [
                Assignment(
                    worker_id=roster.workers[w].pk,
                    grid_id=grid.pk,
                    area_code=grid.code,
                    role=role,
                    started_on=started_on,
                    ended_on=ended_on,
                )
                for w, grid, role, started_on, ended_on in roster.assignments
            ],
            batch_size=BATCH,
        )
        kinds = Counter(w.kind for w in roster.workers)
        roles = Counter(a[2] for a in roster.assignments)
        return {
            "full_time_workers": kinds[WorkerKind.FULL_TIME],
            "part_time_workers": kinds[WorkerKind.PART_TIME],
            "red_grid_workers": kinds[WorkerKind.RED],
            "leader_assignments": roles[AssignmentRole.LEADER],
            "worker_assignments": roles[AssignmentRole.WORKER],
            "instructor_assignments": roles[AssignmentRole.INSTRUCTOR],
            "ended_assignments": sum(1 for a in roster.assignments if a[4] is not None),
        }

    def reset(self, ctx: DemoContext) -> None:
        Assignment.objects.filter(area_code__startswith=CITY_CODE).delete()
        GridWorker.objects.filter(area_code__startswith=CITY_CODE).delete()
