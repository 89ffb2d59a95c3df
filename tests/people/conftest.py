import dataclasses
import datetime as dt

import pytest

from grassroots import clock
from grassroots.accounts.models import Role
from grassroots.people import services
from grassroots.people.codes import Attention, KeyGroup, PlaceKind, Relation
from tests.factories import UserFactory, grid, user_with

from .factories import GRID, OTHER_GRID, synthetic_id


@dataclasses.dataclass
class World:
    household: object
    head: object
    child: object
    other_household: object
    other_person: object
    place: object
    service: object
    visit: object
    users: dict
    secrets: list[str]


@pytest.fixture
def world(db) -> World:
    """One grid's register with a key-group household, and a neighbouring village's, plus a user per role.

    ``users`` maps a name to a user; names ending in ``_out`` hold the same role outside the household's scope.
    """
    grid(GRID)
    grid(OTHER_GRID)
    staff = user_with(Role.TOWNSHIP_STAFF, GRID[:9], username="township")
    head_id, child_id, other_id = (
        synthetic_id(dt.date(1941, 2, 3), order=915),
        synthetic_id(dt.date(2015, 6, 7), order=916),
        synthetic_id(dt.date(1970, 8, 9), order=917),
    )
    hh = services.household_create(
        actor=staff, grid_code=GRID, address="塞上社区幸福路8号", number="001", phone="13800138001"
    )
    head = services.resident_create(
        actor=staff,
        household=hh,
        name="王秀英",
        id_number=head_id,
        phone="13800138002",
        relation=Relation.HEAD,
    )
    child = services.resident_create(
        actor=staff,
        household=hh,
        name="王小宝",
        id_number=child_id,
        relation=Relation.GRANDCHILD,
        notes="家长电话13800138003",
    )
    services.label_set(actor=staff, resident=head, kind=KeyGroup.ELDERLY_ALONE, attention=Attention.CLOSE)
    services.label_set(
        actor=staff, resident=child, kind=KeyGroup.LEFT_BEHIND_CHILD, attention=Attention.FOCUS
    )
    visit = services.visit_record(
        actor=staff, household=hh, visited_on=clock.today(), found="身体尚可，电话13800138004"
    )
    service = services.service_request(actor=staff, resident=head, item="办理老年优待证")
    place = services.place_create(
        actor=staff, area_code=GRID, kind=PlaceKind.SHOP, name="幸福超市", contact_phone="13800138005"
    )
    other_staff = user_with(Role.TOWNSHIP_STAFF, OTHER_GRID[:9])
    other_hh = services.household_create(actor=other_staff, grid_code=OTHER_GRID, address="民主村3号")
    other = services.resident_create(
        actor=other_staff, household=other_hh, name="李四", id_number=other_id, phone="13800138006"
    )
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    users = {
        "grid_worker": user_with(Role.GRID_WORKER, GRID),
        "grid_worker_out": user_with(Role.GRID_WORKER, OTHER_GRID),
        "village_staff": user_with(Role.VILLAGE_STAFF, GRID[:12]),
        "village_staff_out": user_with(Role.VILLAGE_STAFF, OTHER_GRID[:12]),
        "township_staff": staff,
        "county_staff": user_with(Role.COUNTY_STAFF, GRID[:6]),
        "county_staff_out": user_with(Role.COUNTY_STAFF, "150826"),
        "leader": user_with(Role.LEADER, GRID[:4]),
        "supervisor": user_with(Role.SUPERVISOR, GRID[:6]),
        "administrator": user_with(Role.ADMINISTRATOR, GRID[:6]),
        "department_handler": user_with(Role.DEPARTMENT_HANDLER, GRID),
        "resident": user_with(Role.RESIDENT, GRID),
        "superuser": superuser,
    }
    secrets = [head_id, child_id, other_id] + [f"1380013800{i}" for i in range(1, 7)]
    return World(hh, head, child, other_hh, other, place, service, visit, users, secrets)
