"""One test world: the area tree every test directory's fixture draws from, and the factories that fill it.

Each directory's fixture (the cases' ``city``, the register's and the workforce's ``world``, disclosure's
``town``, the API's world, the browser journeys' towns) is a selection of this module: the places it needs
from ``TREE``, the service types and calendar (``seed_case_reference``), users holding a role at the usual
level above a grid (``role_user``, ``role_users``), a grid worker with an assignment (``grid_worker``), a
household register (``register``), party organisations with workers (``party_and_workers``), a village's
groups and disclosure board (``village_groups``, ``village_board``). Factories for single rows stay in
tests/factories.py (areas, grids, users) and beside each app's tests (tests/people/factories.py, …).

The tree (codes below the county are placeholders, as in the demo; townships 100–199 are towns, villages
001–199 communities and 200–399 village committees):

    15 内蒙古 › 1508 巴彦淖尔
      150825 乌拉特后旗 › 150825100 (town)
        150825100200 village ......... G1 (lon 107.00–107.01, lat 41.00–41.01), G2 (lon 107.01–107.02)
        150825100201 neighbour village  NEIGHBOUR_GRID (lon 107.02–107.03)
        150825100001 community ........ COMMUNITY_G1 (lon 106.98–106.99), COMMUNITY_G2 (lon 106.99–107.00)
        150825100002 community ........ OTHER_COMMUNITY_GRID (lon 106.97–106.98)
      150826 another banner .......... OTHER_COUNTY_GRID 150826100200001 (lon 108.00–108.01)
      150802 临河区 › 150802100 干召庙镇
        150802100201 民主村 ........... MINZHU_G1 (lon 107.40–107.41, lat 40.70–40.71), MINZHU_G2 (107.41–107.42)
        150802100202 新华村 ........... XINHUA_GRID (lon 107.42–107.43)

Tests must not depend on database ids or row order; the factories make none they could depend on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from grassroots import clock
from grassroots.accounts.models import Role, User
from grassroots.areas.codes import Level, level_of
from grassroots.areas.models import Area, Grid, GridKind, VillageGroup
from tests.factories import area, grid, user_with

Bounds = tuple[float, float, float, float]

# --- the area tree -----------------------------------------------------------------------------------------

CITY = "1508"
COUNTY = "150825"  # 乌拉特后旗
TOWNSHIP = COUNTY + "100"
VILLAGE = TOWNSHIP + "200"
G1 = VILLAGE + "001"
G2 = VILLAGE + "002"
NEIGHBOUR_VILLAGE = TOWNSHIP + "201"
NEIGHBOUR_GRID = NEIGHBOUR_VILLAGE + "001"
COMMUNITY = TOWNSHIP + "001"
COMMUNITY_G1 = COMMUNITY + "001"
COMMUNITY_G2 = COMMUNITY + "002"
OTHER_COMMUNITY = TOWNSHIP + "002"
OTHER_COMMUNITY_GRID = OTHER_COMMUNITY + "001"
OTHER_COUNTY = "150826"
OTHER_COUNTY_VILLAGE = OTHER_COUNTY + "100200"
OTHER_COUNTY_GRID = OTHER_COUNTY_VILLAGE + "001"
MINZHU_TOWNSHIP = "150802100"  # 临河区 干召庙镇
MINZHU = MINZHU_TOWNSHIP + "201"  # 民主村
MINZHU_G1 = MINZHU + "001"
MINZHU_G2 = MINZHU + "002"
XINHUA = MINZHU_TOWNSHIP + "202"  # 新华村, 民主村's neighbour
XINHUA_GRID = XINHUA + "001"


@dataclass(frozen=True)
class Spot:
    """What the tree knows of a place beyond its code: its name (None: the factories' ``区划<code>``) and,
    for a grid, its boundary box."""

    name: str | None = None
    bounds: Bounds | None = None


TREE: dict[str, Spot] = {
    G1: Spot(bounds=(107.00, 41.00, 107.01, 41.01)),
    G2: Spot(bounds=(107.01, 41.00, 107.02, 41.01)),
    NEIGHBOUR_GRID: Spot(bounds=(107.02, 41.00, 107.03, 41.01)),
    COMMUNITY_G1: Spot(bounds=(106.98, 41.00, 106.99, 41.01)),
    COMMUNITY_G2: Spot(bounds=(106.99, 41.00, 107.00, 41.01)),
    OTHER_COMMUNITY_GRID: Spot(bounds=(106.97, 41.00, 106.98, 41.01)),
    OTHER_COUNTY_GRID: Spot(bounds=(108.00, 41.00, 108.01, 41.01)),
    MINZHU: Spot(name="民主村"),
    MINZHU_G1: Spot(bounds=(107.40, 40.70, 107.41, 40.71)),
    MINZHU_G2: Spot(bounds=(107.41, 40.70, 107.42, 40.71)),
    XINHUA: Spot(name="新华村"),
    XINHUA_GRID: Spot(bounds=(107.42, 40.70, 107.43, 40.71)),
}


def place(code: str, *, name: str | None = None, kind: str = GridKind.RURAL) -> Area | Grid:
    """The area or grid ``code`` of the tree (with its ancestors), named and bounded as ``TREE`` says; a grid
    first made elsewhere without a boundary gets the tree's. ``name`` overrides the tree's name."""
    spot = TREE.get(code, Spot())
    name = name or spot.name
    if level_of(code) < Level.GRID:
        return area(code, name)
    g = grid(code, spot.bounds, kind=kind, name=name)
    if spot.bounds and g.boundary is None:
        from shapely.geometry import box, mapping

        g.boundary = mapping(box(*spot.bounds))
        g.min_lon, g.min_lat, g.max_lon, g.max_lat = spot.bounds
        g.save()
    return g


def inside(code: str) -> tuple[float, float]:
    """A point (lon, lat) well inside the grid ``code``: the middle of its box."""
    bounds = TREE[code].bounds
    assert bounds is not None, f"{code} has no boundary in the tree"
    min_lon, min_lat, max_lon, max_lat = bounds
    return (round((min_lon + max_lon) / 2, 6), round((min_lat + max_lat) / 2, 6))


# --- service types and the working calendar ----------------------------------------------------------------


def seed_case_reference(years: tuple[int, ...] = (2024, 2025, 2026)) -> None:
    """The service types and limits that migration 0002 seeds, and the official calendar of ``years`` —
    again after a transactional test's flush emptied them, and also under ``--nomigrations``. A browser
    journey about the calendar passes the years it needs (none: weekends only)."""
    from grassroots.cases.models import CalendarYear, Category, CategoryLimit
    from grassroots.cases.seed import seed_categories
    from grassroots.worktime.calendar import seed_year

    if not Category.objects.filter(code="0101").exists():
        seed_categories(Category, CategoryLimit)
    for year in years:
        if not CalendarYear.objects.filter(year=year).exists():
            seed_year(year)


# --- people holding roles ----------------------------------------------------------------------------------

# Where each role is usually granted, as the length of the code above a grid: a grid worker and a resident
# on the grid, staff on their village or township, the county's readers and handlers on the county.
ROLE_LEVELS: dict[str, tuple[str, Level]] = {
    "grid_worker": (Role.GRID_WORKER, Level.GRID),
    "resident": (Role.RESIDENT, Level.GRID),
    "village_staff": (Role.VILLAGE_STAFF, Level.VILLAGE),
    "township_staff": (Role.TOWNSHIP_STAFF, Level.TOWNSHIP),
    "county_staff": (Role.COUNTY_STAFF, Level.COUNTY),
    "supervisor": (Role.SUPERVISOR, Level.COUNTY),
    "leader": (Role.LEADER, Level.COUNTY),
    "administrator": (Role.ADMINISTRATOR, Level.COUNTY),
    "department_handler": (Role.DEPARTMENT_HANDLER, Level.COUNTY),
}
_LENGTH = {Level.GRID: 15, Level.VILLAGE: 12, Level.TOWNSHIP: 9, Level.COUNTY: 6, Level.CITY: 4}


def role_user(name: str, grid_code: str, *, at: str | None = None, **fields) -> User:
    """A user holding the role ``name`` (a key of ``ROLE_LEVELS``) at its usual level above ``grid_code``, or
    on the area ``at``."""
    role, level = ROLE_LEVELS[name]
    return user_with(role, at or grid_code[: _LENGTH[level]], **fields)


def role_users(
    grid_code: str, names=tuple(ROLE_LEVELS), *, at: dict[str, str] | None = None
) -> dict[str, User]:
    """One user per role of ``names`` around ``grid_code`` (``role_user``); ``at`` moves a role's grant."""
    at = at or {}
    return {name: role_user(name, grid_code, at=at.get(name)) for name in names}


# --- grid workers ------------------------------------------------------------------------------------------


def grid_worker(
    grid_code: str,
    *,
    name: str = "网格员甲",
    since: dt.date = dt.date(2020, 1, 1),
    role: str | None = None,
    **user_fields,
):
    """A grid worker of ``grid_code`` with a login (a grid worker's grant on the grid) and an assignment to
    it since ``since``. Returns (user, worker record)."""
    from grassroots.workforce.models import AssignmentRole
    from tests.workforce.factories import GridWorkerFactory, assignment

    user_fields.setdefault("display_name", name)
    user = user_with(Role.GRID_WORKER, grid_code, **user_fields)
    record = GridWorkerFactory(name=name, user=user, area_code=grid_code)
    assignment(record, place(grid_code), role or AssignmentRole.WORKER, since)
    return user, record


# --- the household register --------------------------------------------------------------------------------


@dataclass
class Register:
    """A grid's register with a key-group household (an elderly head living alone with a left-behind
    grandchild), a visit, a proxy service and a shop, and a household of a neighbouring village; ``secrets``
    are every whole ID and phone number written into it (none may show unmasked)."""

    household: object
    head: object
    child: object
    other_household: object
    other_person: object
    place: object
    service: object
    visit: object
    staff: User
    secrets: list[str]


def register(grid_code: str = G1, other_grid_code: str = NEIGHBOUR_GRID) -> Register:
    from grassroots.people import services
    from grassroots.people.codes import Attention, KeyGroup, PlaceKind, Relation
    from tests.people.factories import synthetic_id

    place(grid_code)
    place(other_grid_code)
    staff = user_with(Role.TOWNSHIP_STAFF, grid_code[:9], username="township")
    head_id, child_id, other_id = (
        synthetic_id(dt.date(1941, 2, 3), order=915),
        synthetic_id(dt.date(2015, 6, 7), order=916),
        synthetic_id(dt.date(1970, 8, 9), order=917),
    )
    hh = services.household_create(
        actor=staff, grid_code=grid_code, address="塞上社区幸福路8号", number="001", phone="13800138001"
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
    shop = services.place_create(
        actor=staff, area_code=grid_code, kind=PlaceKind.SHOP, name="幸福超市", contact_phone="13800138005"
    )
    other_staff = user_with(Role.TOWNSHIP_STAFF, other_grid_code[:9])
    other_hh = services.household_create(actor=other_staff, grid_code=other_grid_code, address="民主村3号")
    other = services.resident_create(
        actor=other_staff, household=other_hh, name="李四", id_number=other_id, phone="13800138006"
    )
    secrets = [head_id, child_id, other_id] + [f"1380013800{i}" for i in range(1, 7)]
    return Register(hh, head, child, other_hh, other, shop, service, visit, staff, secrets)


# --- party organisations and grid workers of a community ---------------------------------------------------


@dataclass
class Party:
    """A community's party committee with a grid branch in its first grid and a workplace branch whose
    member lives there, and two grid workers of the first grid with logins."""

    branch: object
    member: object
    member_user: User
    worker: object
    worker_user: User
    other_worker: object
    other_worker_user: User


def party_and_workers(village: str = COMMUNITY) -> Party:
    from grassroots.workforce.models import GridWorker, WorkerKind
    from grassroots.workforce.services import party

    g1 = village + "001"
    place(g1)
    place(village + "002")
    committee = party.party_organisation_create(
        actor=None, name="村党委", kind="committee", area_code=village
    )
    branch = party.party_organisation_create(
        actor=None, name="第一网格党支部", kind="branch", area_code=g1, parent=committee
    )
    work_branch = party.party_organisation_create(
        actor=None, name="机关党支部", kind="branch", area_code=village
    )
    member_user = user_with(Role.RESIDENT, g1)
    member = party.party_member_create(
        actor=None,
        name="王党员",
        organisation=work_branch,
        kind="in_service",
        home_grid_code=g1,
        user=member_user,
    )
    worker_user = user_with(Role.GRID_WORKER, g1)
    other_worker_user = user_with(Role.GRID_WORKER, g1)
    worker = GridWorker.objects.create(name="李巡", kind=WorkerKind.FULL_TIME, area_code=g1, user=worker_user)
    other_worker = GridWorker.objects.create(
        name="赵巡", kind=WorkerKind.PART_TIME, area_code=g1, user=other_worker_user
    )
    return Party(branch, member, member_user, worker, worker_user, other_worker, other_worker_user)


# --- a village's groups and its disclosure board -----------------------------------------------------------


def village_groups(village: Area, names: tuple[str, ...] = ("一组", "二组")) -> tuple[VillageGroup, ...]:
    """The village's groups, numbered from 1 in the order of ``names``."""
    return tuple(
        VillageGroup.objects.get_or_create(village=village, number=number, defaults={"name": name})[0]
        for number, name in enumerate(names, start=1)
    )


def village_board(village: Area, staff: User, *, opened: dt.datetime):
    """The village's affairs board (村务公开栏), opened by ``staff`` at ``opened``."""
    from grassroots.disclosure import services

    with clock.frozen(opened):
        return services.board_create(actor=staff, village=village, name=f"{village.name}村务公开栏")
