"""Writes to the area tree: areas, renames and merges with history, grids and boundaries, permissions."""

import datetime as dt

import pytest
from django.utils.translation import override
from shapely.geometry import box, mapping

from grassroots.accounts.models import AuditLog, Role
from grassroots.accounts.scoping import OutOfScope
from grassroots.areas import services
from grassroots.areas.geometry import GeometryError
from grassroots.areas.models import Area, AreaKind, AreaName, BoundaryVersion, Grid, GridKind, VillageGroup
from grassroots.errors import NotPermitted
from tests.factories import UserFactory, area, grid, user_with

pytestmark = pytest.mark.django_db

COUNTY = "150825"
TOWN = "150825100"
VILLAGE = "150825100201"
OTHER_VILLAGE = "150825100202"
LON, LAT = 106.9, 41.1


def square(x0=LON, y0=LAT, size=0.01):
    return mapping(box(x0, y0, x0 + size, y0 + size))


def version() -> int:
    row = BoundaryVersion.objects.filter(pk=1).first()
    return row.version if row else 0


@pytest.fixture
def admin():
    return user_with(Role.ADMINISTRATOR, COUNTY)


def snapshot():
    """Everything a denied call must leave as it was."""
    return (
        list(
            Area.objects.order_by("code").values_list("code", "name", "kind", "valid_until", "successor_id")
        ),
        list(AreaName.objects.order_by("pk").values_list("area_id", "name", "valid_from", "valid_until")),
        list(Grid.objects.order_by("pk").values_list("pk", "kind", "sequence", "boundary")),
        VillageGroup.objects.count(),
        AuditLog.objects.count(),
        version(),
    )


# --- areas --------------------------------------------------------------------------------------------


def test_an_administrator_creates_a_village_with_its_first_name_and_an_audit_record(admin):
    area(TOWN)
    village = services.area_create(
        actor=admin, code=VILLAGE, name=" 民主村 ", kind=AreaKind.VILLAGE, valid_from=dt.date(2020, 1, 1)
    )
    assert (village.name, village.level, village.parent.code) == ("民主村", 5, TOWN)
    assert list(village.names.values_list("name", "valid_from", "valid_until")) == [
        ("民主村", dt.date(2020, 1, 1), None)
    ]
    assert AuditLog.objects.filter(action="area.create", area_code=VILLAGE, actor=admin).exists()


@pytest.mark.parametrize(
    ("code", "kind", "error"),
    [
        ("15082510020", AreaKind.VILLAGE, "bad_code"),
        ("150825100000", AreaKind.VILLAGE, "bad_code"),
        ("150825200201", AreaKind.VILLAGE, "parent_missing"),
        (VILLAGE, AreaKind.TOWN, "bad_kind"),
        (VILLAGE + "001", AreaKind.GRID, "use_grid_create"),
    ],
)
def test_a_bad_area_is_refused_with_a_stable_code(admin, code, kind, error):
    area(TOWN)
    before = snapshot()
    with pytest.raises(services.AreaError) as caught:
        services.area_create(actor=admin, code=code, name="某村", kind=kind)
    assert caught.value.code == error
    assert snapshot() == before


def test_a_code_is_never_reused_even_after_a_merge(admin):
    old = area(VILLAGE, valid_until=dt.date(2021, 1, 1))
    assert old.valid_until
    with pytest.raises(services.AreaError) as caught:
        services.area_create(actor=admin, code=VILLAGE, name="新村", kind=AreaKind.VILLAGE)
    assert caught.value.code == "code_taken"


def test_no_area_starts_under_a_closed_parent(admin):
    area(TOWN, valid_until=dt.date(2020, 1, 1))
    with pytest.raises(services.AreaError) as caught:
        services.area_create(actor=admin, code=VILLAGE, name="某村", kind=AreaKind.VILLAGE)
    assert caught.value.code == "area_not_current"


@pytest.mark.parametrize(
    ("role", "grant_code", "expected"),
    [
        (Role.ADMINISTRATOR, COUNTY, None),
        (Role.ADMINISTRATOR, TOWN, None),
        (Role.ADMINISTRATOR, "150826", OutOfScope),
        (Role.ADMINISTRATOR, VILLAGE, OutOfScope),  # below the parent: may not create siblings
        (Role.VILLAGE_STAFF, TOWN, NotPermitted),
        (Role.LEADER, COUNTY, NotPermitted),
        (Role.GRID_WORKER, "150826100201001", OutOfScope),
    ],
)
def test_permission_matrix_for_creating_an_area(role, grant_code, expected):
    area(TOWN)
    actor = user_with(role, grant_code)
    code = "150825100202" if grant_code != VILLAGE else "150825100203"
    before = snapshot()
    if expected is None:
        services.area_create(actor=actor, code=code, name="新村", kind=AreaKind.VILLAGE)
        assert Area.objects.filter(code=code).exists()
    else:
        with pytest.raises(expected):
            services.area_create(actor=actor, code=code, name="新村", kind=AreaKind.VILLAGE)
        assert snapshot() == before


def test_a_user_without_any_role_is_told_not_found():
    area(TOWN)
    with pytest.raises(OutOfScope):
        services.area_create(actor=UserFactory(), code=VILLAGE, name="新村", kind=AreaKind.VILLAGE)


def test_update_corrects_fields_without_history_and_refuses_a_wrong_kind(admin):
    area(TOWN)
    village = services.area_create(actor=admin, code=VILLAGE, name="民生村", kind=AreaKind.VILLAGE)
    services.area_update(actor=admin, area=village, name="民主村", kind=AreaKind.GACHA)
    village.refresh_from_db()
    assert (village.name, village.kind) == ("民主村", AreaKind.GACHA)
    assert list(village.names.values_list("name", flat=True)) == ["民主村"]  # a correction, not a rename
    with pytest.raises(services.AreaError):
        services.area_update(actor=admin, area=village, kind=AreaKind.TOWN)


def test_a_village_outline_is_validated_and_bumps_the_boundary_version(admin):
    village = area(VILLAGE)
    before = version()
    services.area_update(actor=admin, area=village, boundary=square(size=0.05))
    assert version() == before + 1
    services.area_update(actor=admin, area=village, boundary=square(size=0.05))  # unchanged
    assert version() == before + 1
    with pytest.raises(GeometryError):
        services.area_update(actor=admin, area=village, boundary=square(LAT, LON))


# --- rename and merge ------------------------------------------------------------------------------


def test_rename_closes_the_old_name_and_keeps_it_as_history(admin):
    area(TOWN)
    village = services.area_create(
        actor=admin, code=VILLAGE, name="民生村", kind=AreaKind.VILLAGE, valid_from=dt.date(2001, 1, 1)
    )
    services.area_rename(actor=admin, area=village, new_name="民主村", on=dt.date(2020, 6, 1))
    village.refresh_from_db()
    assert village.name == "民主村"
    assert list(village.names.order_by("valid_from").values_list("name", "valid_from", "valid_until")) == [
        ("民生村", dt.date(2001, 1, 1), dt.date(2020, 6, 1)),
        ("民主村", dt.date(2020, 6, 1), None),
    ]
    record = AuditLog.objects.get(action="area.rename")
    assert record.detail == {"from": "民生村", "to": "民主村", "on": "2020-06-01"}


def test_rename_keeps_history_for_areas_made_before_names_were_kept(admin):
    village = area(VILLAGE, "旧名村")
    services.area_rename(actor=admin, area=village, new_name="新名村", on=dt.date(2022, 1, 1))
    assert list(village.names.order_by("pk").values_list("name", "valid_until")) == [
        ("旧名村", dt.date(2022, 1, 1)),
        ("新名村", None),
    ]


@pytest.mark.parametrize(
    ("on", "name", "error"),
    [
        (dt.date(2999, 1, 1), "新村", "rename_in_future"),
        (dt.date(2000, 1, 1), "新村", "area_not_current"),
        (dt.date(2020, 1, 1), "民生村", "same_name"),
    ],
)
def test_a_rename_that_makes_no_sense_is_refused(admin, on, name, error):
    area(TOWN)
    village = services.area_create(
        actor=admin, code=VILLAGE, name="民生村", kind=AreaKind.VILLAGE, valid_from=dt.date(2010, 1, 1)
    )
    before = snapshot()
    with pytest.raises(services.AreaError) as caught:
        services.area_rename(actor=admin, area=village, new_name=name, on=on)
    assert caught.value.code == error
    assert snapshot() == before


def test_a_second_rename_must_come_after_the_first(admin):
    village = area(VILLAGE, "一村")
    services.area_rename(actor=admin, area=village, new_name="二村", on=dt.date(2020, 1, 1))
    with pytest.raises(services.AreaError) as caught:
        services.area_rename(actor=admin, area=village, new_name="三村", on=dt.date(2019, 1, 1))
    assert caught.value.code == "rename_before_name"


def test_merge_closes_the_area_points_at_its_successor_and_closes_its_name(admin):
    merged, keeper = area(VILLAGE, "甲村"), area(OTHER_VILLAGE, "乙村")
    services.area_merge(actor=admin, area=merged, into=keeper, on=dt.date(2021, 1, 1))
    merged.refresh_from_db()
    assert (merged.valid_until, merged.successor) == (dt.date(2021, 1, 1), keeper)
    assert list(merged.names.values_list("name", "valid_until")) == [("甲村", dt.date(2021, 1, 1))]
    assert not Area.objects.current(on=dt.date(2021, 1, 1)).filter(code=VILLAGE).exists()
    assert Area.objects.current(on=dt.date(2020, 12, 31)).filter(code=VILLAGE).exists()
    assert AuditLog.objects.get(action="area.merge").detail == {"on": "2021-01-01", "into": OTHER_VILLAGE}


def test_merge_is_refused_while_children_are_in_force_then_works_once_they_are_merged(admin):
    merged, keeper = area(VILLAGE), area(OTHER_VILLAGE)
    old_grid = grid(VILLAGE + "001", (LON, LAT, LON + 0.01, LAT + 0.01))
    new_grid = grid(OTHER_VILLAGE + "001", (LON + 0.01, LAT, LON + 0.02, LAT + 0.01))
    on = dt.date(2021, 1, 1)
    with pytest.raises(services.AreaError) as caught:
        services.area_merge(actor=admin, area=merged, into=keeper, on=on)
    assert caught.value.code == "has_current_children"
    assert VILLAGE + "001" in str(caught.value)
    before = version()
    services.area_merge(actor=admin, area=old_grid.area, into=new_grid.area, on=on)
    assert version() == before + 1  # a grid with a boundary left the routing index
    services.area_merge(actor=admin, area=merged, into=keeper, on=on)
    assert Area.objects.get(code=VILLAGE).successor == keeper


def test_merge_into_another_level_or_itself_or_a_closed_area_is_refused(admin):
    village, town = area(VILLAGE), area(TOWN)
    closed = area(OTHER_VILLAGE, valid_until=dt.date(2020, 1, 1))
    for into, error in ((town, "merge_level"), (village, "merge_into_self"), (closed, "area_not_current")):
        with pytest.raises(services.AreaError) as caught:
            services.area_merge(actor=admin, area=village, into=into, on=dt.date(2021, 1, 1))
        assert caught.value.code == error


def test_merge_into_an_area_outside_scope_is_not_found(admin):
    village = area(VILLAGE)
    foreign = area("150826100201")
    before = snapshot()
    with pytest.raises(OutOfScope):
        services.area_merge(actor=admin, area=village, into=foreign, on=dt.date(2021, 1, 1))
    assert snapshot() == before


def test_close_without_successor(admin):
    village = area(VILLAGE)
    services.area_close(actor=admin, area=village, on=dt.date(2022, 1, 1))
    village.refresh_from_db()
    assert village.valid_until == dt.date(2022, 1, 1) and village.successor is None


# --- grids ------------------------------------------------------------------------------------------


def test_grid_create_numbers_the_grid_stores_bbox_and_bumps_the_version(admin):
    village = area(VILLAGE, "民主村")
    before = version()
    with override("en"):
        g = services.grid_create(
            actor=admin, village=village, kind=GridKind.RURAL, boundary=square(), target_households=12
        )
    assert g.area.code == VILLAGE + "001" and g.sequence == 1
    assert (g.min_lon, g.min_lat, g.max_lon, g.max_lat) == pytest.approx((LON, LAT, LON + 0.01, LAT + 0.01))
    assert g.boundary_updated_at is not None
    assert g.area.name == "Grid 1"
    assert version() == before + 1
    second = services.grid_create(actor=admin, village=village, kind=GridKind.RURAL)
    assert second.area.code == VILLAGE + "002"
    assert version() == before + 1  # no boundary, no rebuild


def test_closed_grid_numbers_are_not_reused(admin):
    village = area(VILLAGE)
    area(VILLAGE + "003", valid_until=dt.date(2020, 1, 1))
    g = services.grid_create(actor=admin, village=village, kind=GridKind.RURAL)
    assert g.area.code == VILLAGE + "004"


def test_a_grid_overlapping_another_villages_grid_is_refused_and_nothing_is_written(admin):
    village = area(VILLAGE)
    grid(OTHER_VILLAGE + "001", (LON, LAT, LON + 0.01, LAT + 0.01))
    before = snapshot()
    with pytest.raises(GeometryError) as caught:
        services.grid_create(actor=admin, village=village, kind=GridKind.RURAL, boundary=square(LON + 0.005))
    assert caught.value.code == "boundary_foreign"
    assert OTHER_VILLAGE + "001" in str(caught.value)
    assert snapshot() == before


def test_a_grid_overlapping_a_grid_of_its_own_village_is_flagged_not_refused(admin):
    village = area(VILLAGE)
    grid(VILLAGE + "001", (LON, LAT, LON + 0.01, LAT + 0.01))
    g = services.grid_create(actor=admin, village=village, kind=GridKind.RURAL, boundary=square(LON + 0.005))
    assert len(g.boundary_warnings) == 1 and VILLAGE + "001" in g.boundary_warnings[0]


def test_a_grid_must_lie_inside_its_villages_outline(admin):
    village = area(VILLAGE, boundary=square(size=0.02))
    with pytest.raises(GeometryError):
        services.grid_create(actor=admin, village=village, kind=GridKind.RURAL, boundary=square(LON + 0.015))
    services.grid_create(actor=admin, village=village, kind=GridKind.RURAL, boundary=square(LON + 0.01))


def test_a_closed_grid_of_another_village_does_not_block(admin):
    village = area(VILLAGE)
    old = grid(OTHER_VILLAGE + "001", (LON, LAT, LON + 0.01, LAT + 0.01))
    Area.objects.filter(pk=old.pk).update(valid_until=dt.date(2020, 1, 1))
    services.grid_create(actor=admin, village=village, kind=GridKind.RURAL, boundary=square())


def test_grid_update_rewrites_only_a_changed_boundary(admin):
    g = grid(VILLAGE + "001", (LON, LAT, LON + 0.01, LAT + 0.01))
    services.grid_update(actor=admin, grid=g, boundary=square())  # the factory stored the same square
    g.refresh_from_db()
    stamp, before = g.boundary_updated_at, version()
    services.grid_update(actor=admin, grid=g, boundary=square())
    g.refresh_from_db()
    assert (g.boundary_updated_at, version()) == (stamp, before)
    services.grid_update(actor=admin, grid=g, boundary=square(size=0.02), target_households=300)
    g.refresh_from_db()
    assert version() == before + 1
    assert (g.max_lon, g.target_households) == (pytest.approx(LON + 0.02), 300)
    services.grid_update(actor=admin, grid=g, boundary=None)
    g.refresh_from_db()
    assert (g.boundary, g.min_lon, version()) == (None, None, before + 2)


def test_grid_numbers_are_unique_among_the_grids_of_a_village(admin):
    first = grid(VILLAGE + "001")
    grid(VILLAGE + "002")
    with pytest.raises(services.AreaError) as caught:
        services.grid_update(actor=admin, grid=first, sequence=2)
    assert caught.value.code == "sequence_taken"
    services.grid_update(actor=admin, grid=first, sequence=3)
    assert Grid.objects.get(pk=first.pk).sequence == 3


def test_a_grid_covers_village_groups_of_its_own_village_only(admin):
    village, other = area(VILLAGE), area(OTHER_VILLAGE)
    one = services.village_group_create(actor=admin, village=village, number=1, name="一组")
    foreign = services.village_group_create(actor=admin, village=other, number=1)
    g = services.grid_create(actor=admin, village=village, kind=GridKind.RURAL, village_groups=[one])
    assert list(g.village_groups.all()) == [one]
    with pytest.raises(services.AreaError) as caught:
        services.grid_update(actor=admin, grid=g, village_groups=[foreign])
    assert caught.value.code == "village_group_foreign"
    with pytest.raises(services.AreaError):
        services.grid_update(actor=admin, grid=g, village_groups=[7])
    assert list(g.village_groups.all()) == [one]


def test_village_group_numbers_are_unique_per_village(admin):
    village = area(VILLAGE)
    services.village_group_create(actor=admin, village=village, number=1)
    with pytest.raises(services.AreaError) as caught:
        services.village_group_create(actor=admin, village=village, number=1)
    assert caught.value.code == "group_number_taken"
    with pytest.raises(services.AreaError):
        services.village_group_create(actor=admin, village=area(TOWN), number=2)


@pytest.mark.parametrize(
    ("role", "grant_code", "expected"),
    [
        (Role.ADMINISTRATOR, VILLAGE, None),
        (Role.ADMINISTRATOR, OTHER_VILLAGE, OutOfScope),
        (Role.GRID_WORKER, VILLAGE + "001", NotPermitted),
        (Role.VILLAGE_STAFF, VILLAGE, NotPermitted),
    ],
)
def test_permission_matrix_for_changing_a_grid(role, grant_code, expected):
    g = grid(VILLAGE + "001", (LON, LAT, LON + 0.01, LAT + 0.01))
    area(OTHER_VILLAGE)
    actor = user_with(role, grant_code)
    before = snapshot()
    if expected is None:
        services.grid_update(actor=actor, grid=g, boundary=square(size=0.02))
        assert version() == before[-1] + 1
    else:
        with pytest.raises(expected):
            services.grid_update(actor=actor, grid=g, boundary=square(size=0.02))
        with pytest.raises(expected):
            services.area_rename(actor=actor, area=g.area, new_name="新网格", on=dt.date(2024, 1, 1))
        assert snapshot() == before
