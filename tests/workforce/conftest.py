"""A small world for workforce tests, selected from the shared world (tests/world.py): a community with two
grids, a grid branch, a party member who lives in grid 1, two grid workers with logins, and staff inside and
outside the community."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from grassroots.accounts.models import Role, User
from grassroots.workforce.models import GridWorker, PartyMember, PartyOrganisation
from tests import world as shared
from tests.factories import user_with

VILLAGE = shared.COMMUNITY
G1 = shared.COMMUNITY_G1
G2 = shared.COMMUNITY_G2
OTHER_VILLAGE = shared.OTHER_COMMUNITY
OTHER_GRID = shared.OTHER_COMMUNITY_GRID


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
    shared.place(OTHER_GRID)
    party = shared.party_and_workers(VILLAGE)
    return World(
        branch=party.branch,
        member=party.member,
        member_user=party.member_user,
        worker=party.worker,
        worker_user=party.worker_user,
        other_worker=party.other_worker,
        other_worker_user=party.other_worker_user,
        village_staff=shared.role_user("village_staff", G1),
        township_staff=shared.role_user("township_staff", G1),
        supervisor=shared.role_user("supervisor", G1),
        outside_staff=shared.role_user("village_staff", OTHER_GRID),
        resident=shared.role_user("resident", G1),
        administrator=user_with(Role.ADMINISTRATOR, "15"),  # the whole province
    )
