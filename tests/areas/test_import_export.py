"""Import and export of the tree (Excel) and of grid boundaries (GeoJSON): all or nothing, idempotent,
errors per row, broken files explained."""

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from shapely.geometry import box, mapping

from grassroots.accounts.models import AuditLog, Role
from grassroots.accounts.scoping import OutOfScope
from grassroots.areas import services
from grassroots.areas.models import Area, AreaName, BoundaryVersion, Grid, GridKind, VillageGroup
from grassroots.areas.services import ImportFileError
from grassroots.errors import NotPermitted
from tests.factories import area, grid, user_with


@pytest.fixture(autouse=True, scope="module")
def english_messages():
    """These tests read the English wording (the msgids); tests/test_translations.py checks the Chinese catalogue."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
HEADERS = [
    "代码",
    "名称",
    "类型",
    "生效日期",
    "失效日期",
    "并入代码",
    "更名日期",
    "网格类型",
    "序号",
    "目标户数",
    "村民小组",
]
COUNTY = "150825"
TOWN = "150825100"
VILLAGE = "150825100201"
LON, LAT = 106.9, 41.1


def xlsx(rows, *, headers=HEADERS, groups=None, title="区划") -> SimpleUploadedFile:
    """A workbook as a person would make it (normal mode, values as typed)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for row in rows:
        ws.append(row)
    if groups is not None:
        sheet = wb.create_sheet("村民小组")
        sheet.append(["村(社区)代码", "组号", "名称"])
        for row in groups:
            sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return upload(buffer.getvalue(), "areas.xlsx")


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def read_back(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return wb


def tree_state():
    return (
        list(
            Area.objects.order_by("code").values_list(
                "code", "name", "kind", "valid_from", "valid_until", "successor__code", "updated_at"
            )
        ),
        list(
            AreaName.objects.order_by("pk").values_list(
                "pk", "area__code", "name", "valid_from", "valid_until"
            )
        ),
        list(
            Grid.objects.order_by("pk").values_list("pk", "kind", "sequence", "target_households", "boundary")
        ),
        list(VillageGroup.objects.order_by("pk").values_list("pk", "number", "name")),
        sorted(Grid.village_groups.through.objects.values_list("grid_id", "villagegroup_id")),
    )


def version() -> int:
    row = BoundaryVersion.objects.filter(pk=1).first()
    return row.version if row else 0


@pytest.fixture
def admin():
    area(COUNTY, "乌拉特后旗")
    return user_with(Role.ADMINISTRATOR, COUNTY)


GOOD_ROWS = [
    [TOWN, "巴音宝力格镇", "镇", dt.date(2001, 1, 1)],
    ["150825100001", "塞上社区", "社区"],
    [VILLAGE, "民主村", "村"],
    [VILLAGE + "001", "民主村第1网格", "网格", None, None, None, None, "农牧区网格", 1, 12, "1、2"],
    [VILLAGE + "002", "民主村第2网格", None, None, None, None, None, "农牧区网格", None, 9, 3],
    ["150825100001001", "塞上社区第1网格", "网格", None, None, None, None, "社区网格", 1, 320],
]
GOOD_GROUPS = [[VILLAGE, 1, "一组"], [VILLAGE, 2, "二组"], [VILLAGE, 3, "三组"]]


def test_a_good_workbook_creates_the_tree_and_the_same_file_again_changes_nothing(admin):
    report = services.tree_import(actor=admin, file=xlsx(GOOD_ROWS, groups=GOOD_GROUPS), root_code=COUNTY)
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged, report.written) == (9, 0, 0, True)
    village = Area.objects.get(code=VILLAGE)
    assert (village.name, village.kind, village.parent.code) == ("民主村", "village", TOWN)
    assert Area.objects.get(code=TOWN).valid_from == dt.date(2001, 1, 1)
    g = Grid.objects.get(area__code=VILLAGE + "002")
    assert (g.kind, g.sequence, g.target_households) == (GridKind.RURAL, 2, 9)
    assert list(g.village_groups.values_list("number", flat=True)) == [3]
    assert sorted(
        Grid.objects.get(area__code=VILLAGE + "001").village_groups.values_list("name", flat=True)
    ) == [
        "一组",
        "二组",
    ]
    assert AreaName.objects.filter(area=village, name="民主村", valid_until=None).exists()
    assert AuditLog.objects.get(action="areas.tree_import").detail["created"] == 9

    before, bumped = tree_state(), version()
    again = services.tree_import(actor=admin, file=xlsx(GOOD_ROWS, groups=GOOD_GROUPS), root_code=COUNTY)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 9, [])
    assert tree_state() == before
    assert version() == bumped


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(admin):
    before = tree_state()
    report = services.tree_import(actor=admin, file=xlsx(GOOD_ROWS, groups=GOOD_GROUPS), dry_run=True)
    assert (report.created, report.written, report.dry_run) == (9, False, True)
    assert tree_state() == before
    assert not AuditLog.objects.filter(action="areas.tree_import").exists()


def test_the_sample_file_imports(admin):
    data = (FILES / "tree_sample.xlsx").read_bytes()
    report = services.tree_import(actor=admin, file=upload(data, "tree_sample.xlsx"), root_code=COUNTY)
    assert report.errors == [], [p.as_dict() for p in report.errors]
    assert report.created > 0
    again = services.tree_import(actor=admin, file=upload(data, "tree_sample.xlsx"), root_code=COUNTY)
    assert again.created == again.updated == 0


def test_export_then_import_is_unchanged_and_formulas_stay_text(admin):
    services.tree_import(actor=admin, file=xlsx(GOOD_ROWS, groups=GOOD_GROUPS), root_code=COUNTY)
    evil = '=HYPERLINK("http://evil.example","点我")'
    Area.objects.filter(code=VILLAGE).update(name=evil)
    AreaName.objects.filter(area__code=VILLAGE).update(name=evil)
    data = services.tree_export(actor=admin, root_code=COUNTY)
    sheet = read_back(data)["区划"]
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    name_cell = cells[VILLAGE][1]
    assert name_cell.value == evil
    assert name_cell.data_type == "s"  # text, not a formula
    assert name_cell.quotePrefix
    assert cells[COUNTY][2].value == "旗"
    assert cells[VILLAGE + "001"][10].value == "1、2"
    before = tree_state()
    report = services.tree_import(actor=admin, file=upload(data, "export.xlsx"), root_code=COUNTY)
    assert (report.created, report.updated, report.errors) == (0, 0, [])
    assert report.unchanged == Area.objects.under(COUNTY).count() + VillageGroup.objects.count()
    assert tree_state() == before
    assert AuditLog.objects.filter(action="areas.tree_export", area_code=COUNTY).exists()


def test_bad_codes_are_reported_per_row_and_column_and_nothing_is_imported(admin):
    rows = [
        [TOWN, "巴音宝力格镇", "镇"],
        ["15082510020", "短码村", "村"],  # 11 digits
        ["150825100000", "零号村", "村"],
        ["1508251002AB", "字母村", "村"],
        ["150825300201", "孤儿村", "村"],  # parent 150825300 is nowhere
        [VILLAGE, "民主村", "苏木"],  # a township kind on a village
        [VILLAGE, "重复村", "村"],
        ["150825100202", "", "村"],
    ]
    before = tree_state()
    report = services.tree_import(actor=admin, file=xlsx(rows), root_code=COUNTY)
    assert not report.written
    assert tree_state() == before
    found = {(p.row, p.column) for p in report.errors}
    assert (3, "A 代码") in found
    assert (4, "A 代码") in found
    assert (5, "A 代码") in found
    assert (6, "A 代码") in found
    assert (7, "C 类型") in found
    assert (8, "A 代码") in found  # duplicate
    assert (9, "B 名称") in found
    assert (2, "A 代码") not in found  # the good row has no error, yet was not imported
    by_row = {p.row: p for p in report.errors}
    assert by_row[6].code == "150825300201" and "does not exist" in str(by_row[6].message)
    assert "row 7" in str(by_row[8].message)
    as_json = report.as_dict()
    assert as_json["ok"] is False and as_json["errors"][0]["sheet"] == "区划"


def test_a_parent_further_down_is_named_as_such(admin):
    rows = [[VILLAGE, "民主村", "村"], [TOWN, "巴音宝力格镇", "镇"]]
    report = services.tree_import(actor=admin, file=xlsx(rows))
    assert len(report.errors) == 1
    assert "further down" in str(report.errors[0].message)


def test_code_ranges_give_warnings_not_errors(admin):
    rows = [[TOWN, "某街道", "街道"], ["150825100020", "某村", "村"]]
    report = services.tree_import(actor=admin, file=xlsx(rows))
    assert report.errors == [] and report.written
    assert {p.row for p in report.warnings} == {2, 3}


def test_codes_typed_as_numbers_and_dates_as_text_are_read(admin):
    rows = [
        [int(TOWN), "巴音宝力格镇", "town", "2001/1/1"],
        [float(VILLAGE), "民主村", "嘎查", "2001年1月1日"],
    ]
    report = services.tree_import(actor=admin, file=xlsx(rows))
    assert report.errors == []
    assert Area.objects.get(code=VILLAGE).valid_from == dt.date(2001, 1, 1)


def test_bad_cells_are_explained(admin):
    rows = [
        [TOWN, "镇", "镇", "明年"],
        [VILLAGE, "村", "村", None, None, None, None, "网格"],  # grid column on a village row
        [VILLAGE + "001", "网格", "网格", None, None, None, None, None, 1],  # new grid without its kind
        [VILLAGE + "002", "网格", "网格", None, None, None, None, "农牧区网格", "一", -3, "1,x"],
    ]
    report = services.tree_import(actor=admin, file=xlsx(rows))
    found = {(p.row, p.column) for p in report.errors}
    assert found >= {
        (2, "D 生效日期"),
        (3, "H 网格类型"),
        (4, "H 网格类型"),
        (5, "I 序号"),
        (5, "J 目标户数"),
        (5, "K 村民小组"),
    }
    assert Area.objects.filter(code=TOWN).count() == 0


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        (["编号", "名字", "类别"], "missing_columns"),
        (["代码", "名称"], "missing_columns"),
        (["代码", "名称", "类型", "代码"], "duplicate_column"),
    ],
)
def test_wrong_columns_are_a_clear_file_error(admin, headers, code):
    with pytest.raises(ImportFileError) as caught:
        services.tree_import(actor=admin, file=xlsx([[TOWN, "镇", "镇"]], headers=headers))
    assert caught.value.code == code
    assert "代码" in str(caught.value)
    assert not Area.objects.filter(code=TOWN).exists()


def test_english_headers_and_unknown_extra_columns(admin):
    report = services.tree_import(
        actor=admin, file=xlsx([[TOWN, "镇", "town", "x"]], headers=["Code", "Name", "Kind", "Remarks"])
    )
    assert report.errors == []
    assert any("Remarks" in str(w.message) for w in report.warnings)


def _zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        ("代码,名称,类型\n150825100,镇,镇\n".encode(), "areas.csv", "not_a_spreadsheet"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "photo.xlsx", "not_a_spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "old_xls"),
        (
            _zip({"word/document.xml": "<w/>", "[Content_Types].xml": "<x/>"}),
            "letter.xlsx",
            "not_a_spreadsheet",
        ),
        (b"PK\x03\x04 this is not really a zip", "broken.xlsx", "corrupt_file"),
        (
            _zip({"xl/workbook.xml": "<not xml", "[Content_Types].xml": "<x/>"}),
            "damaged.xlsx",
            "corrupt_file",
        ),
        (b"", "empty.xlsx", "empty_file"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused_with_what_it_is(admin, data, name, code):
    with pytest.raises(ImportFileError) as caught:
        services.tree_import(actor=admin, file=upload(data, name))
    assert caught.value.code == code
    assert str(caught.value)


def test_a_file_over_the_size_limit_is_refused_before_reading(admin, settings):
    settings.AREAS_TREE_IMPORT_MAX_BYTES = 1000
    with pytest.raises(ImportFileError) as caught:
        services.tree_import(actor=admin, file=upload(b"PK\x03\x04" + b"x" * 2000, "big.xlsx"))
    assert caught.value.code == "file_too_large"


def test_a_sheet_without_rows_is_refused(admin):
    with pytest.raises(ImportFileError) as caught:
        services.tree_import(actor=admin, file=xlsx([]))
    assert caught.value.code == "empty_sheet"


def test_rows_outside_the_import_root_or_the_admins_scope_are_errors(admin):
    area("150826")
    rows = [["150826100", "别旗镇", "镇"], [TOWN, "镇", "镇"]]
    report = services.tree_import(actor=admin, file=xlsx(rows))
    assert [p.row for p in report.errors] == [2]
    rooted = services.tree_import(actor=admin, file=xlsx([[TOWN, "镇", "镇"]]), root_code="150825200")
    assert "150825200" in str(rooted.errors[0].message)
    assert not Area.objects.filter(code=TOWN).exists()


def test_only_administrators_import_and_outside_scope_is_not_found(admin):
    staff = user_with(Role.TOWNSHIP_STAFF, COUNTY)
    with pytest.raises(NotPermitted):
        services.tree_import(actor=staff, file=xlsx(GOOD_ROWS))
    with pytest.raises(NotPermitted):
        services.tree_import(actor=staff, file=xlsx(GOOD_ROWS), root_code=COUNTY)
    other = user_with(Role.ADMINISTRATOR, "150826")
    with pytest.raises(OutOfScope):
        services.tree_import(actor=other, file=xlsx(GOOD_ROWS), root_code=COUNTY)
    with pytest.raises(OutOfScope):
        services.tree_export(actor=other, root_code=COUNTY)
    assert not Area.objects.filter(code=TOWN).exists()


def test_a_new_name_is_a_rename_with_history(admin):
    services.tree_import(
        actor=admin, file=xlsx([[TOWN, "镇", "镇"], [VILLAGE, "民生村", "村", dt.date(2001, 1, 1)]])
    )
    report = services.tree_import(
        actor=admin, file=xlsx([[VILLAGE, "民主村", None, None, None, None, dt.date(2020, 5, 1)]])
    )
    assert (report.updated, report.errors) == (1, [])
    names = list(
        AreaName.objects.filter(area__code=VILLAGE).order_by("valid_from").values_list("name", "valid_until")
    )
    assert names == [("民生村", dt.date(2020, 5, 1)), ("民主村", None)]
    too_early = services.tree_import(
        actor=admin, file=xlsx([[VILLAGE, "民强村", None, None, None, None, dt.date(2019, 1, 1)]])
    )
    assert too_early.errors[0].column == "G 更名日期"


def test_a_merge_in_the_file_needs_the_children_closed_first(admin):
    rows = [
        [TOWN, "镇", "镇"],
        [VILLAGE, "甲村", "村"],
        ["150825100202", "乙村", "村"],
        [VILLAGE + "001", "甲村网格", "网格", None, None, None, None, "农牧区网格"],
        ["150825100202001", "乙村网格", "网格", None, None, None, None, "农牧区网格"],
    ]
    services.tree_import(actor=admin, file=xlsx(rows))
    merge = [[VILLAGE, "甲村", "村", None, dt.date(2024, 1, 1), "150825100202"]]
    refused = services.tree_import(actor=admin, file=xlsx(merge))
    assert refused.errors and VILLAGE + "001" in str(refused.errors[0].message)
    assert Area.objects.get(code=VILLAGE).valid_until is None
    merge.append([VILLAGE + "001", "甲村网格", None, None, dt.date(2024, 1, 1), "150825100202001"])
    report = services.tree_import(actor=admin, file=xlsx(merge))
    assert report.errors == [] and report.updated == 2
    merged = Area.objects.get(code=VILLAGE)
    assert (merged.valid_until, merged.successor.code) == (dt.date(2024, 1, 1), "150825100202")
    assert AreaName.objects.get(area=merged).valid_until == dt.date(2024, 1, 1)
    assert services.tree_import(actor=admin, file=xlsx(merge)).updated == 0


def test_successor_must_exist_at_the_same_level(admin):
    rows = [
        [TOWN, "镇", "镇"],
        [VILLAGE, "甲村", "村", None, dt.date(2024, 1, 1), TOWN],
        [TOWN + "202", "乙村", "村", None, None, "150825100209"],
    ]
    report = services.tree_import(actor=admin, file=xlsx(rows))
    by_row = {(p.row, p.column) for p in report.errors}
    assert (3, "F 并入代码") in by_row
    assert (4, "E 失效日期") in by_row  # a successor without a date


def test_an_area_merging_into_itself_is_refused_in_those_words(admin):
    rows = [[TOWN, "镇", "镇"], [VILLAGE, "甲村", "村", None, dt.date(2024, 1, 1), VILLAGE]]
    report = services.tree_import(actor=admin, file=xlsx(rows))
    messages = {(p.row, str(p.message)) for p in report.errors}
    assert (3, "An area cannot merge into itself.") in messages
    assert not report.written


def test_grid_numbers_must_be_unique_within_the_village(admin):
    grid(VILLAGE + "001")
    rows = [[VILLAGE + "002", "二号网格", "网格", None, None, None, None, "农牧区网格", 1]]
    report = services.tree_import(actor=admin, file=xlsx(rows))
    assert report.errors[0].column == "I 序号"


def test_village_groups_must_exist_in_the_village(admin):
    rows = [
        [TOWN, "镇", "镇"],
        [VILLAGE, "村", "村"],
        [VILLAGE + "001", "网格", "网格", None, None, None, None, "农牧区网格", 1, 5, "1、4"],
    ]
    report = services.tree_import(
        actor=admin, file=xlsx(rows, groups=[[VILLAGE, 1, "一组"], [TOWN, 1, "镇组"]])
    )
    columns = {(p.sheet, p.column) for p in report.errors}
    assert ("区划", "K 村民小组") in columns
    assert ("村民小组", "A 村(社区)代码") in columns
    assert VillageGroup.objects.count() == 0


# --- boundaries (GeoJSON) -----------------------------------------------------------------------------


def feature(code, bounds=None, **properties):
    geometry = mapping(box(*bounds)) if bounds else None
    if geometry:
        geometry = json.loads(json.dumps(geometry))  # lists, as from a file
    return {"type": "Feature", "geometry": geometry, "properties": {"code": code, **properties}}


def geojson(*features, **extra) -> SimpleUploadedFile:
    body = {"type": "FeatureCollection", "features": list(features), **extra}
    return upload(json.dumps(body, ensure_ascii=False).encode(), "grids.geojson")


def cell(i, j=0, size=0.01):
    return (LON + i * size, LAT + j * size, LON + (i + 1) * size, LAT + (j + 1) * size)


@pytest.fixture
def villages(admin):
    area(VILLAGE, "民主村")
    area("150825100202", "团结村")
    return admin


def test_boundaries_import_creates_and_updates_grids_and_is_idempotent(villages):
    admin = villages
    grid(VILLAGE + "001", cell(0))
    start = version()
    file = geojson(
        feature(VILLAGE + "001", cell(0), target_households=11),
        feature(VILLAGE + "002", cell(1), kind="rural", name="二号网格"),
        feature("150825100202001", cell(2), kind="农牧区网格", sequence=5),
    )
    report = services.boundaries_import(actor=admin, file=file, root_code=COUNTY)
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    assert version() == start + 1
    new = Grid.objects.select_related("area").get(area__code="150825100202001")
    assert (new.sequence, new.kind, new.min_lon) == (5, GridKind.RURAL, pytest.approx(LON + 0.02))
    assert Grid.objects.get(area__code=VILLAGE + "001").target_households == 11
    assert Area.objects.get(code=VILLAGE + "002").name == "二号网格"

    before = tree_state()
    stamps = list(Grid.objects.order_by("pk").values_list("boundary_updated_at", flat=True))
    exported = services.boundaries_export(actor=admin, root_code=COUNTY)
    assert [f["properties"]["code"] for f in exported["features"]] == [
        VILLAGE + "001",
        VILLAGE + "002",
        "150825100202001",
    ]
    again = services.boundaries_import(
        actor=admin, file=upload(json.dumps(exported).encode(), "export.geojson"), root_code=COUNTY
    )
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 3, [])
    assert tree_state() == before
    assert list(Grid.objects.order_by("pk").values_list("boundary_updated_at", flat=True)) == stamps
    assert version() == start + 1


def test_the_sample_geojson_imports(villages):
    data = (FILES / "boundaries_sample.geojson").read_bytes()
    report = services.boundaries_import(actor=villages, file=upload(data, "sample.geojson"))
    assert report.errors == [], [p.as_dict() for p in report.errors]
    assert report.created == 2


def test_broken_polygons_are_reported_with_feature_index_and_code_and_nothing_is_written(villages):
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[LON, LAT], [LON + 0.01, LAT + 0.01], [LON + 0.01, LAT], [LON, LAT + 0.01], [LON, LAT]]
        ],
    }
    unclosed = {
        "type": "Polygon",
        "coordinates": [[[LON, LAT], [LON + 0.01, LAT], [LON + 0.01, LAT + 0.01], [LON, LAT + 0.01]]],
    }
    swapped = json.loads(json.dumps(mapping(box(LAT, LON, LAT + 0.01, LON + 0.01))))
    features = [
        feature(VILLAGE + "001", cell(0), kind="rural"),  # fine on its own
        {"type": "Feature", "geometry": bow_tie, "properties": {"code": VILLAGE + "002", "kind": "rural"}},
        {"type": "Feature", "geometry": unclosed, "properties": {"code": VILLAGE + "003", "kind": "rural"}},
        {"type": "Feature", "geometry": swapped, "properties": {"code": VILLAGE + "004", "kind": "rural"}},
        feature("150825100209001", cell(5), kind="rural"),  # village does not exist
        feature(VILLAGE + "005", cell(6)),  # new grid without kind
        {"type": "Feature", "geometry": None, "properties": {}},
        feature("15082510020", cell(7)),
    ]
    before, start = tree_state(), version()
    report = services.boundaries_import(actor=villages, file=geojson(*features))
    assert not report.written
    errors = {(p.row, p.code): p for p in report.errors}
    assert set(errors) == {
        (1, VILLAGE + "002"),
        (2, VILLAGE + "003"),
        (3, VILLAGE + "004"),
        (4, "150825100209001"),
        (5, VILLAGE + "005"),
        (6, ""),
        (7, "15082510020"),
    }
    assert "crosses itself" in str(errors[(1, VILLAGE + "002")].message)
    assert "not closed" in str(errors[(2, VILLAGE + "003")].message)
    assert "swapped" in str(errors[(3, VILLAGE + "004")].message)
    assert errors[(1, VILLAGE + "002")].column == "geometry"
    assert tree_state() == before and version() == start


def test_overlap_with_another_village_is_an_error_and_within_a_village_a_warning(villages):
    grid("150825100202001", cell(0))
    foreign = services.boundaries_import(
        actor=villages, file=geojson(feature(VILLAGE + "001", cell(0.5), kind="rural"))
    )
    assert foreign.errors and "another village" in str(foreign.errors[0].message)
    same = services.boundaries_import(
        actor=villages,
        file=geojson(
            feature(VILLAGE + "001", cell(3), kind="rural"), feature(VILLAGE + "002", cell(3.5), kind="rural")
        ),
    )
    assert same.errors == [] and same.written
    assert len(same.warnings) == 1  # the pair is flagged once
    assert {VILLAGE + "001", VILLAGE + "002"} <= set(str(same.warnings[0].message).split()) | {
        same.warnings[0].code
    }


def test_a_new_village_outline_must_still_hold_its_grids(villages):
    grid(VILLAGE + "001", cell(0))
    small = feature(VILLAGE, cell(5, size=0.01))
    report = services.boundaries_import(actor=villages, file=geojson(small))
    assert report.errors and VILLAGE + "001" in str(report.errors[0].message)
    fixed = services.boundaries_import(
        actor=villages, file=geojson(small, feature(VILLAGE + "001", cell(5, size=0.01)))
    )
    assert fixed.errors == []
    assert Area.objects.get(code=VILLAGE).boundary["type"] == "Polygon"
    outside = services.boundaries_import(
        actor=villages, file=geojson(feature(VILLAGE + "002", cell(9), kind="rural"))
    )
    assert outside.errors and "beyond the boundary of its village" in str(outside.errors[0].message)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"not json at all", "not_geojson"),
        (b"\xff\xfe\x00b\x00a\x00d", "not_geojson"),
        (json.dumps(feature(VILLAGE + "001", cell(0))).encode(), "not_feature_collection"),
        (json.dumps(mapping(box(*cell(0)))).encode(), "not_feature_collection"),
        (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "empty_file"),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}},
                    "features": [feature(VILLAGE + "001", cell(0))],
                }
            ).encode(),
            "wrong_crs",
        ),
        (_zip({"grids.shp": "x", "grids.dbf": "y"}), "not_geojson"),
    ],
)
def test_a_file_that_is_not_a_feature_collection_is_refused(villages, data, code):
    with pytest.raises(ImportFileError) as caught:
        services.boundaries_import(actor=villages, file=upload(data, "grids.geojson"))
    assert caught.value.code == code


def test_boundaries_dry_run_writes_nothing(villages):
    before = tree_state()
    report = services.boundaries_import(
        actor=villages, file=geojson(feature(VILLAGE + "001", cell(0), kind="rural")), dry_run=True
    )
    assert (report.created, report.written) == (1, False)
    assert tree_state() == before


def test_a_grid_outside_scope_in_a_geojson_is_an_error_that_reveals_nothing(villages):
    area("150826100201")
    report = services.boundaries_import(
        actor=villages, file=geojson(feature("150826100201001", cell(0), kind="rural"))
    )
    assert report.errors[0].row == 0
    assert "outside the areas you administer" in str(report.errors[0].message)


def test_closing_a_grid_with_a_boundary_in_the_tree_rebuilds_the_routing_index_once(admin):
    grid(VILLAGE + "001", (LON, LAT, LON + 0.01, LAT + 0.01))
    grid(VILLAGE + "002")  # no boundary
    before = version()
    closing = [[VILLAGE + "002", "区划150825100201002", None, None, dt.date(2024, 1, 1)]]
    assert services.tree_import(actor=admin, file=xlsx(closing)).updated == 1
    assert version() == before  # nothing the router knows changed
    closing.append([VILLAGE + "001", "区划150825100201001", None, None, dt.date(2024, 1, 1)])
    assert services.tree_import(actor=admin, file=xlsx(closing)).updated == 1
    assert version() == before + 1
    assert services.tree_import(actor=admin, file=xlsx(closing)).updated == 0
    assert version() == before + 1
