"""A small world for workforce tests: a village with two grids, a grid branch, a party member who lives in
grid 1, two grid workers with logins, and staff inside and outside the village."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from grassroots.accounts.models import Role, User
from grassroots.workforce.models import GridWorker, PartyMember, PartyOrganisation, WorkerKind
from grassroots.workforce.services import party
from tests.factories import grid, user_with

VILLAGE = "150825100001"
G1 = "150825100001001"
G2 = "150825100001002"
OTHER_VILLAGE = "150825100002"
OTHER_GRID = "150825100002001"


@dataclass
class World:
    branch: PartyOrganisation
    member: PartyMember
    member_user: User
    worker: GridWorker
    worker_user: User
    other_worker: GridWorker
    other_worker_user: User
    village_staff: User
    township_staff: User
    supervisor: User
    outside_staff: User
    resident: User
    administrator: User


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    for code in (G1, G2, OTHER_GRID):
        grid(code)
    committee = party.party_organisation_create(
        actor=None, name="村党委", kind="committee", area_code=VILLAGE
    )
    branch = party.party_organisation_create(
        actor=None, name="第一网格党支部", kind="branch", area_code=G1, parent=committee
    )
    work_branch = party.party_organisation_create(
        actor=None, name="机关党支部", kind="branch", area_code=VILLAGE
    )
    member_user = user_with(Role.RESIDENT, G1)
    member = party.party_member_create(
        actor=None,
        name="王党员",
        organisation=work_branch,
        kind="in_service",
        home_grid_code=G1,
        user=member_user,
    )
    worker_user = user_with(Role.GRID_WORKER, G1)
    other_worker_user = user_with(Role.GRID_WORKER, G1)
    worker = GridWorker.objects.create(name="李巡", kind=WorkerKind.FULL_TIME, area_code=G1, user=worker_user)
    other_worker = GridWorker.objects.create(
        name="赵巡", kind=WorkerKind.PART_TIME, area_code=G1, user=other_worker_user
    )
    return World(
        branch=branch,
        member=member,
        member_user=member_user,
        worker=worker,
        worker_user=worker_user,
        other_worker=other_worker,
        other_worker_user=other_worker_user,
        village_staff=user_with(Role.VILLAGE_STAFF, VILLAGE),
        township_staff=user_with(Role.TOWNSHIP_STAFF, "150825100"),
        supervisor=user_with(Role.SUPERVISOR, "150825"),
        outside_staff=user_with(Role.VILLAGE_STAFF, OTHER_VILLAGE),
        resident=user_with(Role.RESIDENT, G1),
        administrator=user_with(Role.ADMINISTRATOR, "15"),
    )
