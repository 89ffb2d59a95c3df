import itertools
from collections import defaultdict

import numpy as np
import pytest
import shapely
from django.db.models import Count
from shapely.geometry import box, shape

from grassroots.areas.codes import Level, parent_code, validate_code
from grassroots.areas.models import Area, AreaKind, BoundaryVersion, Grid, GridKind, VillageGroup
from grassroots.demo import places
from grassroots.demo.city import CITY_CODE, SEED_CODES, plan_city
from grassroots.demo.layout import CITY_BOUNDS
from grassroots.demo.steps import SCALES

pytestmark = pytest.mark.django_db

CHINA = (73.0, 3.0, 136.0, 54.0)
REAL_COUNTIES = {
    "150802": "临河区",
    "150821": "五原县",
    "150822": "磴口县",
    "150823": "乌拉特前旗",
    "150824": "乌拉特中旗",
    "150825": "乌拉特后旗",
    "150826": "杭锦后旗",
}
# The local part a township or village adds to its parent's code, by kind (DESIGN.md section 4).
RANGES = {
    AreaKind.STREET: (1, 99),
    AreaKind.TOWN: (100, 199),
    AreaKind.TOWNSHIP: (200, 399),
    AreaKind.SUMU: (200, 399),
    AreaKind.COMMUNITY: (1, 199),
    AreaKind.VILLAGE: (200, 399),
    AreaKind.GACHA: (200, 399),
}


def test_the_real_province_city_and_seven_county_units_carry_their_codes(demo_city):
    counties = Area.objects.filter(level=Level.COUNTY).select_related("parent__parent")
    assert {a.code: a.name for a in counties} == REAL_COUNTIES
    for county in counties:
        assert county.parent.code == "1508" and county.parent.name == "巴彦淖尔市"
        assert county.parent.parent.code == "15" and county.parent.parent.name == "内蒙古自治区"
        assert not county.is_synthetic
    assert Area.objects.get(code="150802").kind == AreaKind.DISTRICT
    assert Area.objects.get(code="150825").kind == AreaKind.BANNER


def test_the_seed_places_exist_where_the_seed_puts_them(demo_city):
    by_code = {a.code: a for a in Area.objects.filter(code__in=SEED_CODES.values()).select_related("parent")}
    assert {name: by_code[code].name for name, code in SEED_CODES.items()} == {n: n for n in SEED_CODES}
    assert by_code["150825100001"].parent.name == "巴音宝力格镇"  # 乌拉特后旗 巴音宝力格镇 塞上社区
    assert by_code["150825100"].parent.name == "乌拉特后旗"
    assert by_code["150826100"].parent.name == "杭锦后旗"  # 杭锦后旗 陕坝镇
    assert by_code["150824100001"].parent.name == "海流图镇"  # 乌拉特中旗 海流图镇 教育路社区
    assert by_code["150824100001001"].parent.name == "教育路社区"  # its grid 一中街坊平房区
    assert by_code["150802100201"].parent.name == "干召庙镇"  # 临河区 干召庙镇 民主村
    assert by_code["150802100"].parent.name == "临河区"
    assert all(not a.is_synthetic for a in by_code.values())
    # 民主村 has several village groups, each covered by a grid (the later five-person groups need them)
    groups = VillageGroup.objects.filter(village__code=SEED_CODES["民主村"]).annotate(n=Count("grids"))
    assert groups.count() == places.SEED_VILLAGE_GROUPS
    assert all(g.n >= 1 for g in groups)
    # the seat towns lie on their real coordinates
    seat = Area.objects.get(code=SEED_CODES["巴音宝力格镇"])
    assert shape(seat.boundary).contains(shapely.Point(places.COUNTY_BY_CODE["150825"].seat))


def _grids():
    return list(Grid.objects.select_related("area__parent").order_by("area__code"))


def test_every_grid_has_a_valid_polygon_inside_china_with_its_bounding_box(demo_city):
    grids = _grids()
    assert len(grids) == 70 + 84
    for grid in grids:
        geom = shape(grid.boundary)
        assert geom.geom_type == "Polygon" and geom.is_valid and geom.area > 0
        min_lon, min_lat, max_lon, max_lat = geom.bounds
        assert CHINA[0] <= min_lon and max_lon <= CHINA[2] and CHINA[1] <= min_lat and max_lat <= CHINA[3]
        assert CITY_BOUNDS[0] <= min_lon and max_lon <= CITY_BOUNDS[2]  # and inside Bayannur
        assert CITY_BOUNDS[1] <= min_lat and max_lat <= CITY_BOUNDS[3]
        assert (grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat) == geom.bounds
        # it lies inside its village's outline
        assert shape(grid.area.parent.boundary).covers(geom)
    assert BoundaryVersion.objects.get(pk=1).version >= 1


def test_no_two_grids_overlap_within_a_village_or_anywhere(demo_city):
    grids = _grids()
    by_village = defaultdict(list)
    for grid in grids:
        by_village[grid.area.parent_id].append(shape(grid.boundary))
    for shapes in by_village.values():
        for a, b in itertools.combinations(shapes, 2):
            assert a.intersection(b).area == 0
    shapes = [shape(g.boundary) for g in grids]
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    assert all(
        shapes[i].intersection(shapes[j]).area == 0 for i, j in zip(left, right, strict=True) if i != j
    )


def test_codes_follow_the_rules_and_grids_are_numbered_west_to_east_north_to_south(demo_city):
    areas = list(Area.objects.filter(code__startswith=CITY_CODE).select_related("parent"))
    for area in areas:
        assert validate_code(area.code, level=area.level, parent=area.parent.code) == area.level
        assert parent_code(area.code) == area.parent.code
        if area.kind in RANGES:
            low, high = RANGES[area.kind]
            assert low <= int(area.code[-3:]) <= high, area
    by_village = defaultdict(list)
    for grid in _grids():
        assert grid.sequence == int(grid.area.code[-3:])
        by_village[grid.area.parent_id].append(grid)
    for grids in by_village.values():
        by_sequence = [g.sequence for g in sorted(grids, key=lambda g: g.sequence)]
        by_position = [g.sequence for g in sorted(grids, key=lambda g: (-g.max_lat, g.min_lon))]
        assert by_sequence == by_position == list(range(1, len(grids) + 1))


def test_grid_kinds_sizes_and_village_groups(demo_city):
    for grid in _grids():
        village = grid.area.parent
        if grid.kind == GridKind.RURAL:
            assert village.kind in (AreaKind.VILLAGE, AreaKind.GACHA)
            assert 5 <= grid.target_households <= 15
            groups = list(grid.village_groups.all())
            assert groups and all(g.village_id == village.pk for g in groups)
        else:
            assert village.kind == AreaKind.COMMUNITY
            if grid.kind == GridKind.COMMUNITY:
                assert 260 <= grid.target_households <= 360
            else:
                assert grid.area.name.endswith("专属网格")
    assert Grid.objects.filter(kind=GridKind.DEDICATED).exists()
    assert Grid.objects.get(area__code=SEED_CODES["一中街坊平房区"]).kind == GridKind.COMMUNITY
    # every village group is covered by some grid
    assert not VillageGroup.objects.filter(grids__isnull=True).exists()
    assert not VillageGroup.objects.filter(village__kind=AreaKind.COMMUNITY).exists()


def test_everything_invented_is_marked_synthetic(demo_city):
    real = {"15", "1508", *REAL_COUNTIES, *SEED_CODES.values()}
    real |= {f"{c.code}100" for c in places.COUNTIES if c.seat_name}  # the real seat towns
    marked = dict(Area.objects.values_list("code", "is_synthetic"))
    assert {code for code, synthetic in marked.items() if not synthetic} == real
    assert not VillageGroup.objects.filter(is_synthetic=False).exists()


def test_plan_is_a_pure_function_of_scale_and_seed():
    first, again = plan_city(SCALES["small"], 7), plan_city(SCALES["small"], 7)
    assert first == again
    other = plan_city(SCALES["small"], 8)
    assert [a.code for a in other.villages] == [a.code for a in first.villages]  # codes follow the rules
    assert [a.name for a in other.villages] != [a.name for a in first.villages]  # names follow the seed


def test_city_scale_plan_has_the_seed_citys_counts_without_overlaps():
    plan = plan_city(SCALES["city"], 2026)
    counts = plan.counts()
    assert counts["communities"] == 140
    assert counts["community_grids"] + counts["dedicated_grids"] == 1551
    assert counts["villages"] == 652
    assert counts["rural_grids"] == 4462
    boxes = np.array([box(*g.bounds) for g in plan.grids])
    left, right = shapely.STRtree(boxes).query(boxes, predicate="intersects")
    others = left != right
    assert others.sum() > len(boxes)  # neighbours share edges...
    assert shapely.area(shapely.intersection(boxes[left[others]], boxes[right[others]])).max() == 0  # ...only
    west, south, east, north = CITY_BOUNDS
    assert all(
        west <= g.bounds[0] and g.bounds[2] <= east and south <= g.bounds[1] and g.bounds[3] <= north
        for g in plan.grids
    )
