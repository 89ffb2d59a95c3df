"""The demo city: Bayannur's tree of areas and grids at the seed's scale (DESIGN.md section 4).

:func:`plan_city` decides everything from the scale and the seed without touching the database (so the same
seed always gives the same codes, names and outlines); :func:`write_city` stores a plan with bulk inserts;
:class:`CityStep` is the generator step ``demo_load`` runs.

The tree: 内蒙古自治区 → 巴彦淖尔市 → its seven real county-level units → towns, streets and sumu → communities,
villages and gacha → grids. Real names (see ``places.py``) are not marked synthetic, although every code
below the county level is a placeholder; everything invented is marked ``is_synthetic``.
Codes follow DESIGN.md section 4: streets 001–099, towns 100–199, sumu 200–399; communities 001–199,
villages and gacha 200–399; grids 001… numbered west→east, north→south inside their village.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.models import RoleGrant
from grassroots.areas.codes import Level, parent_code, validate_code
from grassroots.areas.models import Area, AreaKind, Grid, GridKind, VillageGroup
from grassroots.areas.services import boundaries_changed

from . import places
from .layout import Allocator, Bounds, Lattice, footprint, offset, pack, polygon
from .steps import DemoContext, DemoError, Scale

BATCH = 1000
CITY_CODE = places.CITY[0]
URBAN_CELL_M = 300.0  # a community grid: about 300 households in town
FARM_CELL_M = 1_200.0  # a rural grid on the irrigated plain: 5–15 households
PASTURE_CELL_M = 2_500.0  # a pastoral grid: a few herders' households spread wide
UNITS_PER_TOWNSHIP = 12

# The seed's places get these codes by construction: a seat town is 100, its first community 001; 临河's
# first rural town is 100 (its centre is streets 001–), that town's first village 201.
SEED_CODES = {
    "巴音宝力格镇": "150825100",
    "塞上社区": "150825100001",
    "陕坝镇": "150826100",
    "海流图镇": "150824100",
    "教育路社区": "150824100001",
    "一中街坊平房区": "150824100001001",
    "干召庙镇": "150802100",
    "民主村": "150802100201",
}


@dataclass(frozen=True)
class PlannedArea:
    code: str
    name: str
    level: int
    kind: str
    is_synthetic: bool
    bounds: Bounds | None = None


@dataclass(frozen=True)
class PlannedGrid:
    code: str
    name: str
    kind: str
    sequence: int
    bounds: Bounds
    target_households: int | None
    village_groups: tuple[int, ...]
    is_synthetic: bool


@dataclass(frozen=True)
class PlannedVillageGroup:
    village_code: str
    number: int
    name: str
    is_synthetic: bool


@dataclass(frozen=True)
class CityPlan:
    real: tuple[PlannedArea, ...]  # the province, the city and the county-level units
    townships: tuple[PlannedArea, ...]
    villages: tuple[PlannedArea, ...]  # communities, villages and gacha
    grids: tuple[PlannedGrid, ...]
    village_groups: tuple[PlannedVillageGroup, ...]

    def counts(self) -> dict[str, int]:
        kinds = [g.kind for g in self.grids]
        return {
            "townships": len(self.townships),
            "communities": sum(1 for v in self.villages if v.kind == AreaKind.COMMUNITY),
            "villages": sum(1 for v in self.villages if v.kind != AreaKind.COMMUNITY),
            "community_grids": kinds.count(GridKind.COMMUNITY),
            "dedicated_grids": kinds.count(GridKind.DEDICATED),
            "rural_grids": kinds.count(GridKind.RURAL),
            "village_groups": len(self.village_groups),
        }


# --- planning -----------------------------------------------------------------------------------------


@dataclass
class _Unit:
    """A community, village or gacha while it is being planned."""

    code: str
    name: str
    kind: str
    is_synthetic: bool
    grids: int = 0
    dedicated: list[str] = field(default_factory=list)  # institution words of its dedicated grids


@dataclass
class _Township:
    code: str
    name: str
    kind: str
    is_synthetic: bool
    county: places.County
    urban: bool
    units: list[_Unit] = field(default_factory=list)
    wish: tuple[float, float] = (0.0, 0.0)  # where its centre should lie

    @property
    def cell_m(self) -> float:
        if self.urban:
            return URBAN_CELL_M
        return PASTURE_CELL_M if self.county.pastoral else FARM_CELL_M


def plan_city(scale: Scale, seed: int) -> CityPlan:
    """Everything about the city but the database rows: a pure function of ``scale`` and ``seed``."""
    rng = random.Random(f"{seed}:city")
    townships: list[_Township] = []
    for county in places.COUNTIES:
        townships.extend(_county_townships(county, scale, rng))
    _share_grids(townships, scale, rng)
    return _lay_out(townships, rng)


def _county_townships(county: places.County, scale: Scale, rng: random.Random) -> list[_Township]:
    n_communities = scale.communities_per_county or county.communities
    n_villages = scale.villages_per_county or county.villages
    town_names = _NamePool(rng, _combinations(places.TOWN_FIRST, places.TOWN_SECOND))
    sumu_names = _NamePool(rng, _combinations(places.MONGOLIAN_FIRST, places.MONGOLIAN_SECOND))
    result: list[_Township] = []

    # The centre: the real seat town, or (临河区) streets.
    if county.seat_name:
        urban = [_Township(f"{county.code}100", county.seat_name, AreaKind.TOWN, False, county, True)]
    else:
        streets = rng.sample(places.STREET_NAMES, math.ceil(n_communities / UNITS_PER_TOWNSHIP))
        urban = [
            _Township(f"{county.code}{i + 1:03d}", f"{name}街道", AreaKind.STREET, True, county, True)
            for i, name in enumerate(streets)
        ]
    seed_town, seed_community = places.SEED_COMMUNITIES.get(county.code, ("", ""))
    community_names = _NamePool(rng, places.COMMUNITY_NAMES, taken={seed_community.removesuffix("社区")})
    for township, count in zip(urban, _even(n_communities, len(urban)), strict=True):
        for i in range(count):
            if township.name == seed_town and i == 0:
                name, synthetic = seed_community, False
            else:
                name, synthetic = community_names.draw() + "社区", True
            township.units.append(_Unit(f"{township.code}{i + 1:03d}", name, AreaKind.COMMUNITY, synthetic))
        township.wish = county.seat
    result.extend(urban)

    # The countryside: towns (and sumu on the pastoral banners) with their villages (and gacha).
    n_rural = max(1, math.ceil(n_villages / UNITS_PER_TOWNSHIP))
    next_town = 101 if county.seat_name else 100
    next_sumu = 201
    rural: list[_Township] = []
    for i in range(n_rural):
        if county.pastoral and i % 2 == 1:
            rural.append(
                _Township(
                    f"{county.code}{next_sumu}",
                    sumu_names.draw() + "苏木",
                    AreaKind.SUMU,
                    True,
                    county,
                    False,
                )
            )
            next_sumu += 1
            continue
        if county.code == places.SEED_TOWN[0] and i == 0:
            name, synthetic = places.SEED_TOWN[1], False
        else:
            name, synthetic = town_names.draw() + "镇", True
        rural.append(_Township(f"{county.code}{next_town}", name, AreaKind.TOWN, synthetic, county, False))
        next_town += 1
    for index, (township, count) in enumerate(zip(rural, _even(n_villages, len(rural)), strict=True)):
        gacha_first = township.kind == AreaKind.SUMU
        village_names = _NamePool(rng, _combinations(places.TOWN_FIRST, places.TOWN_SECOND), taken={"民主"})
        gacha_names = _NamePool(rng, _combinations(places.MONGOLIAN_FIRST, places.MONGOLIAN_SECOND))
        for i in range(count):
            is_gacha = gacha_first or (county.pastoral and i % 2 == 1)
            if township.name == places.SEED_TOWN[1] and i == 0:
                name, kind, synthetic = places.SEED_TOWN[2], AreaKind.VILLAGE, False
            elif is_gacha:
                name, kind, synthetic = gacha_names.draw() + "嘎查", AreaKind.GACHA, True
            else:
                name, kind, synthetic = village_names.draw() + "村", AreaKind.VILLAGE, True
            township.units.append(_Unit(f"{township.code}{201 + i}", name, kind, synthetic))
        if township.name == places.SEED_TOWN[1]:
            lon, lat = county.seat
            township.wish = (lon + places.SEED_TOWN_OFFSET[0], lat + places.SEED_TOWN_OFFSET[1])
        else:
            # Spread the countryside over a fan around the county's bearing, farther out step by step.
            bearing = county.bearing + ((index * 47) % 120 - 60) + rng.uniform(-8, 8)
            township.wish = offset(county.seat, 14_000 + 5_000 * index, bearing)
    result.extend(rural)
    return result


def _share_grids(townships: list[_Township], scale: Scale, rng: random.Random) -> None:
    """Share the city's grid totals among communities and villages, and choose the dedicated grids."""
    communities = [u for t in townships if t.urban for u in t.units]
    villages = [u for t in townships if not t.urban for u in t.units]
    for units, total in ((communities, scale.community_grids), (villages, scale.rural_grids)):
        weights = [rng.uniform(0.6, 1.4) * (2.0 if u.code == SEED_CODES["民主村"] else 1.0) for u in units]
        for unit, count in zip(units, _apportion(total, weights, minimum=3), strict=True):
            unit.grids = count
    for unit in communities:
        count = unit.grids // 10 + (1 if rng.random() < 0.6 else 0)
        if unit.code == SEED_CODES["教育路社区"]:
            count = max(count, 1)
        count = min(count, unit.grids - 2)
        unit.dedicated = [rng.choice(places.INSTITUTIONS)[1] for _ in range(count)]
        if unit.code == SEED_CODES["教育路社区"]:
            unit.dedicated[0] = "中学"


def _lay_out(townships: list[_Township], rng: random.Random) -> CityPlan:
    # Real seats first (so that they sit exactly on their coordinates), then the seed's town, then the rest.
    def priority(t: _Township) -> tuple[int, str]:
        if t.urban:
            return 0, t.code
        return (1 if not t.is_synthetic else 2), t.code

    allocator = Allocator()
    area_rows: list[PlannedArea] = []
    village_rows: list[PlannedArea] = []
    grid_rows: list[PlannedGrid] = []
    group_rows: list[PlannedVillageGroup] = []
    for township in sorted(townships, key=priority):
        sizes = [footprint(u.grids) for u in township.units]
        positions, width, height = pack(sizes)
        cell = township.cell_m
        west, north = allocator.place(width * cell, height * cell, township.wish)
        lattice = Lattice.at(west, north, cell, township.wish[1])
        area_rows.append(
            PlannedArea(
                township.code,
                township.name,
                Level.TOWNSHIP,
                township.kind,
                township.is_synthetic,
                lattice.block(0, 0, width, height),
            )
        )
        for unit, (cols, rows), (ux, uy) in zip(township.units, sizes, positions, strict=True):
            village_rows.append(
                PlannedArea(
                    unit.code,
                    unit.name,
                    Level.VILLAGE,
                    unit.kind,
                    unit.is_synthetic,
                    lattice.block(ux, uy, cols, rows),
                )
            )
            groups = _village_groups(unit, rng)
            group_rows.extend(groups)
            for k in range(unit.grids):
                bounds = lattice.block(ux + k % cols, uy + k // cols)
                grid_rows.append(_grid(unit, k, bounds, len(groups), rng))
    return CityPlan(
        real=_real_areas(),
        townships=tuple(sorted(area_rows, key=lambda a: a.code)),
        villages=tuple(sorted(village_rows, key=lambda a: a.code)),
        grids=tuple(sorted(grid_rows, key=lambda g: g.code)),
        village_groups=tuple(group_rows),
    )


def _grid(unit: _Unit, k: int, bounds: Bounds, groups: int, rng: random.Random) -> PlannedGrid:
    sequence = k + 1
    code = f"{unit.code}{sequence:03d}"
    dedicated_from = unit.grids - len(unit.dedicated)
    if unit.kind != AreaKind.COMMUNITY:
        kind, households = GridKind.RURAL, rng.randint(5, 15)
        name = f"{unit.name}第{sequence}网格"
        covered = (k * groups // unit.grids + 1,) if groups else ()
    elif k >= dedicated_from:
        kind, households, covered = GridKind.DEDICATED, None, ()
        name = f"{unit.name}{unit.dedicated[k - dedicated_from]}专属网格"
    else:
        kind, households, covered = GridKind.COMMUNITY, rng.randint(260, 360), ()
        name = f"{unit.name}第{sequence}网格"
    seed_name = places.SEED_GRIDS.get(unit.name) if sequence == 1 else None
    return PlannedGrid(
        code=code,
        name=seed_name or name,
        kind=kind,
        sequence=sequence,
        bounds=bounds,
        target_households=households,
        village_groups=covered,
        is_synthetic=seed_name is None,
    )


def _village_groups(unit: _Unit, rng: random.Random) -> list[PlannedVillageGroup]:
    if unit.kind == AreaKind.COMMUNITY:
        return []
    if unit.code == SEED_CODES["民主村"]:
        count = min(places.SEED_VILLAGE_GROUPS, unit.grids)
    else:
        count = max(1, min(unit.grids, round(unit.grids * rng.uniform(0.5, 0.9))))
    return [PlannedVillageGroup(unit.code, n, f"{chinese_number(n)}组", True) for n in range(1, count + 1)]


def _real_areas() -> tuple[PlannedArea, ...]:
    rows = [
        PlannedArea(places.PROVINCE[0], places.PROVINCE[1], Level.PROVINCE, places.PROVINCE[2], False),
        PlannedArea(places.CITY[0], places.CITY[1], Level.CITY, places.CITY[2], False),
    ]
    rows += [PlannedArea(c.code, c.name, Level.COUNTY, c.kind, False) for c in places.COUNTIES]
    return tuple(rows)


class _NamePool:
    """Draws distinct names from a list in a seeded random order."""

    def __init__(self, rng: random.Random, names: Sequence[str], taken: Iterable[str] = ()):
        self._names = [n for n in names if n not in set(taken)]
        rng.shuffle(self._names)

    def draw(self) -> str:
        if not self._names:
            raise DemoError(_("The demo generator ran out of names; use a smaller scale."))
        return self._names.pop()


def _combinations(first: Iterable[str], second: Iterable[str]) -> list[str]:
    return [a + b for a in first for b in second if a != b]


def _even(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _apportion(total: int, weights: list[float], *, minimum: int) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders), each part at least ``minimum``."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise DemoError(_("The demo scale asks for fewer grids than its villages need."))
    whole = sum(weights)
    exact = [spare * w / whole for w in weights]
    parts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: spare - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 21 → 二十一 (1–99)."""
    tens, ones = divmod(n, 10)
    text = ("" if tens == 1 else _DIGITS[tens]) + "十" if tens else ""
    return text + (_DIGITS[ones] if ones else "")


# --- writing ------------------------------------------------------------------------------------------


def demo_areas():
    """The areas the demo created: everything below the county level in the demo city."""
    return Area.objects.filter(code__startswith=CITY_CODE, level__gte=Level.TOWNSHIP)


def write_city(plan: CityPlan) -> dict[str, int]:
    """Store a plan: the real units where missing, then every level in bulk, then bump the boundary version."""
    if demo_areas().exists():
        raise DemoError(
            _(
                "This database already has townships or villages under %(code)s that the demo did not create; "
                "load the demo into an empty database."
            )
            % {"code": CITY_CODE}
        )
    ids: dict[str, int] = {}
    for row in plan.real:
        parent = parent_code(row.code)
        area, _created = Area.objects.get_or_create(
            code=row.code,
            defaults={"name": row.name, "level": row.level, "kind": row.kind, "parent_id": ids.get(parent)},
        )
        ids[row.code] = area.pk
    for rows in (plan.townships, plan.villages):
        _bulk_areas(rows, ids)
    grid_areas = [
        PlannedArea(g.code, g.name, Level.GRID, AreaKind.GRID, g.is_synthetic, bounds=None)
        for g in plan.grids
    ]
    _bulk_areas(grid_areas, ids)
    now = clock.now()
    Grid.objects.bulk_create(
        [
            Grid(
                area_id=ids[g.code],
                kind=g.kind,
                sequence=g.sequence,
                boundary=polygon(g.bounds),
                min_lon=g.bounds[0],
                min_lat=g.bounds[1],
                max_lon=g.bounds[2],
                max_lat=g.bounds[3],
                target_households=g.target_households,
                boundary_updated_at=now,
            )
            for g in plan.grids
        ],
        batch_size=BATCH,
    )
    VillageGroup.objects.bulk_create(
        [
            VillageGroup(
                village_id=ids[v.village_code], number=v.number, name=v.name, is_synthetic=v.is_synthetic
            )
            for v in plan.village_groups
        ],
        batch_size=BATCH,
    )
    group_ids = {
        (code, number): pk
        for pk, code, number in VillageGroup.objects.filter(village__code__startswith=CITY_CODE).values_list(
            "pk", "village__code", "number"
        )
    }
    Link = Grid.village_groups.through
    Link.objects.bulk_create(
        [
            Link(grid_id=ids[g.code], villagegroup_id=group_ids[(g.code[:12], n)])
            for g in plan.grids
            for n in g.village_groups
        ],
        batch_size=BATCH,
    )
    boundaries_changed()
    return plan.counts()


def _bulk_areas(rows: Sequence[PlannedArea], ids: dict[str, int]) -> None:
    for row in rows:
        validate_code(row.code, level=row.level, parent=parent_code(row.code))
    Area.objects.bulk_create(
        [
            Area(
                code=row.code,
                name=row.name,
                level=row.level,
                kind=row.kind,
                parent_id=ids[parent_code(row.code)],
                boundary=polygon(row.bounds) if row.bounds else None,
                is_synthetic=row.is_synthetic,
            )
            for row in rows
        ],
        batch_size=BATCH,
    )
    levels = {row.level for row in rows}
    ids.update(
        Area.objects.filter(code__startswith=CITY_CODE, level__in=levels).values_list("code", "pk").iterator()
    )


class CityStep:
    """Builds the tree of areas and grids."""

    name = "city"
    label = _("areas and grids")

    def run(self, ctx: DemoContext) -> dict[str, int]:
        return write_city(plan_city(ctx.scale, ctx.seed))

    def reset(self, ctx: DemoContext) -> None:
        areas = demo_areas()
        RoleGrant.objects.filter(area__in=areas).delete()
        VillageGroup.objects.filter(village__in=areas).delete()
        for level in (Level.GRID, Level.VILLAGE, Level.TOWNSHIP):
            Area.objects.filter(code__startswith=CITY_CODE, level=level).delete()
        boundaries_changed()
