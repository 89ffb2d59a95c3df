import datetime as dt
import io
import os
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from grassroots.accounts.models import AuditLog, Role
from grassroots.people.errors import ImportRejected
from grassroots.people.models import Household, KeyGroupLabel, NameSuffix, RegisterImport, Resident
from grassroots.people.services import transfer
from tests.factories import grid, user_with

from .factories import GRID, GRID_2, OTHER_GRID, household, resident, synthetic_id

pytestmark = pytest.mark.django_db

HEADERS = [h for _k, h, _r in transfer.COLUMNS]


def _row(**values):
    return [values.get(key, "") for key, _h, _r in transfer.COLUMNS]


def _xlsx(rows, headers=HEADERS) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("登记表.xlsx", out.getvalue(), content_type=transfer.XLSX)


def _good_rows():
    return [
        _row(
            grid_code=GRID,
            household_number="001",
            address="幸福路1号",
            name="张建国",
            id_number=synthetic_id(dt.date(1950, 1, 1), order=921),
            relation="户主",
            ethnicity="汉族",
            phone="13800000001",
            political_status="中共党员",
            key_groups="独居老人:密切",
            household_phone="13800000009",
        ),
        _row(
            grid_code=GRID,
            household_number="001",
            address="幸福路1号",
            name="李桂兰",
            id_number=synthetic_id(dt.date(1952, 2, 2), order=922),
            relation="配偶",
            ethnicity="蒙古族",
        ),
        _row(
            grid_code=GRID_2,
            household_number="007",
            address="团结路7号",
            name="巴特尔",
            id_number=synthetic_id(dt.date(1990, 3, 3), order=923)[:6] + "900303923",
            relation="户主",
            residence_type="流动",
            key_groups="残疾人;退役军人:重点",
        ),
    ]


@pytest.fixture
def staff():
    grid(GRID)
    grid(GRID_2)
    return user_with(Role.VILLAGE_STAFF, GRID[:12])


def _state():
    return (
        list(
            Household.objects.order_by("pk").values_list(
                "pk", "address", "head_id", "updated_at", "phone_hash"
            )
        ),
        list(
            Resident.objects.order_by("pk").values_list(
                "pk", "name", "household_id", "relation", "updated_at"
            )
        ),
        list(KeyGroupLabel.objects.order_by("pk").values_list("pk", "kind", "attention")),
        NameSuffix.objects.count(),
    )


def test_the_template_has_the_chinese_headers():
    wb = load_workbook(io.BytesIO(transfer.template_bytes()))
    assert [c.value for c in wb.worksheets[0][1]] == HEADERS
    assert wb.sheetnames == ["居民登记", "填写说明"]


def test_a_good_file_is_imported_and_a_second_import_changes_nothing(staff):
    record = transfer.register_import(actor=staff, area_code=GRID[:12], upload=_xlsx(_good_rows()))
    assert record.status == "done", record.errors
    assert (record.households_created, record.residents_created) == (2, 3)
    head = Resident.objects.get(name="张建国")
    assert head.household.head_id == head.pk and head.household.phone_masked == "138****0009"
    assert head.phone == "13800000001" and head.political_status == "party_member"
    assert head.household.next_visit_due is not None  # closely followed: a visit schedule
    assert Resident.objects.get(name="巴特尔").id_number.startswith(GRID[:6] + "19900303")  # 15 → 18
    assert set(KeyGroupLabel.objects.values_list("kind", "attention")) == {
        ("elderly_alone", 3),
        ("disabled", 1),
        ("veteran", 2),
    }
    assert NameSuffix.objects.filter(suffix="特尔").exists()
    before = _state()
    again = transfer.register_import(actor=staff, area_code=GRID[:12], upload=_xlsx(_good_rows()))
    assert again.status == "done"
    assert (again.households_created, again.residents_created, again.residents_updated) == (0, 0, 0)
    assert again.unchanged == 3
    assert _state() == before


def test_every_row_lands_on_its_own_ids_across_batches(staff, monkeypatch):
    """Ids are handed out before the rows are written (COPY on PostgreSQL, RETURNING on SQLite): each resident
    must end up in its own household with its own suffixes and labels, batch after batch, and each household
    must point at its own head."""
    monkeypatch.setattr(transfer.sheet, "BATCH", 7)
    rows, expected = [], {}
    given = "建国桂兰秀英志强海燕德福"
    for n in range(40):
        number = f"H{n // 3:03d}"
        name = "王" + given[n % len(given)] + given[(n * 5) % len(given)]
        id_number = synthetic_id(dt.date(1960, 1, 1) + dt.timedelta(days=n), order=900 + n % 100)
        relation = "户主" if n % 3 == 0 else "子"
        groups = "残疾人" if n % 4 == 0 else ""
        rows.append(
            _row(grid_code=GRID if n % 2 else GRID_2, household_number=number, address=f"幸福路{n // 3}号",
                 name=name, id_number=id_number, relation=relation, key_groups=groups,
                 phone=f"1390000{n:04d}")
        )  # fmt: skip
        expected[id_number] = (number, name, relation == "户主", bool(groups), f"1390000{n:04d}")
    # a household's members share its grid: every third row starts a household, in the grid of that row
    for i, row in enumerate(rows):
        row[HEADERS.index("网格编码")] = GRID if (i // 3) % 2 else GRID_2
    record = transfer.register_import(actor=staff, area_code=GRID[:12], upload=_xlsx(rows))
    assert record.status == "done", record.errors
    assert (record.households_created, record.residents_created) == (14, 40)
    people = Resident.objects.select_related("household")
    for r in people:
        number, name, is_head, labelled, phone = expected[r.id_number]
        assert (r.household.number, r.name, r.phone) == (number, name, phone)
        assert r.household.area_code == r.area_code
        assert (r.household.head_id == r.pk) is is_head
        assert set(NameSuffix.objects.filter(resident=r).values_list("suffix", "area_code")) == {
            (name, r.area_code),
            (name[1:], r.area_code),
            (name[2:], r.area_code),
        }
        assert list(r.labels.values_list("kind", flat=True)) == (["disabled"] if labelled else [])


def test_a_changed_row_updates_by_the_id_hash(staff):
    transfer.register_import(actor=staff, area_code=GRID[:12], upload=_xlsx(_good_rows()))
    rows = _good_rows()
    rows[1][HEADERS.index("姓名")] = "李桂芳"
    record = transfer.register_import(actor=staff, area_code=GRID[:12], upload=_xlsx(rows))
    assert (record.residents_updated, record.unchanged) == (1, 2)
    person = Resident.objects.get(name="李桂芳")
    assert person.name_pinyin == "liguifang"
    assert set(NameSuffix.objects.filter(resident=person).values_list("suffix", flat=True)) == {
        "李桂芳",
        "桂芳",
        "芳",
    }


def _rejected(staff, upload, area=GRID[:12]):
    before = _state()
    record = transfer.register_import(actor=staff, area_code=area, upload=upload)
    assert record.status == "rejected"
    assert _state() == before
    return record


def test_wrong_columns_are_named(staff):
    record = _rejected(staff, _xlsx([["x", "y"]], headers=["姓名", "身份号码"]))
    messages = " ".join(e["message"] for e in record.errors)
    assert "身份号码" in messages and "网格编码" in messages and "缺少" in messages


def test_bad_rows_are_each_reported_in_chinese_and_nothing_is_written(staff):
    valid = synthetic_id(dt.date(1960, 1, 1), order=931)
    rows = [
        *_good_rows(),
        _row(
            grid_code=GRID,
            household_number="002",
            address="x",
            name="坏号码",
            id_number=valid[:-1] + ("0" if valid[-1] != "0" else "1"),
            relation="户主",
        ),
        _row(
            grid_code=GRID,
            household_number="003",
            address="y",
            name="重复",
            id_number=_good_rows()[0][HEADERS.index("身份证号")],
            relation="户主",
        ),
        _row(
            grid_code=GRID,
            household_number="004",
            address='=HYPERLINK("http://x")',
            name="+公式",
            id_number=synthetic_id(order=932),
            relation="@户主",
            notes="-1",
        ),
        _row(
            grid_code=OTHER_GRID,
            household_number="005",
            address="z",
            name="外村",
            id_number=synthetic_id(order=933),
            relation="户主",
        ),
        _row(
            grid_code=GRID,
            household_number="006",
            address="w",
            name="数字号",
            id_number=float(valid),
            relation="户主",
        ),
    ]
    record = _rejected(staff, _xlsx(rows))
    by_row = {}
    for e in record.errors:
        by_row.setdefault(e["row"], []).append(e)
    assert sorted(by_row) == [5, 6, 7, 8, 9]
    assert "校验" in by_row[5][0]["message"] and valid[:-1] not in str(by_row[5])
    assert "第2行" in by_row[6][0]["message"]
    assert {e["column"] for e in by_row[7]} == {"住址", "姓名", "与户主关系", "备注"}
    assert all("公式" in e["message"] for e in by_row[7])
    assert "网格" in by_row[8][0]["message"]
    assert "文本" in by_row[9][0]["message"]


def test_a_large_file_that_is_not_a_spreadsheet_is_refused(staff):
    blob = SimpleUploadedFile("登记表.xlsx", b"\x00garbage" * (10 * 1024 * 1024 // 8))
    with pytest.raises(ImportRejected) as exc:
        transfer.register_import(actor=staff, area_code=GRID[:12], upload=blob)
    assert exc.value.code == "not_a_spreadsheet"
    assert not RegisterImport.objects.exists() and not Household.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused(staff):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "不是表格")
    with pytest.raises(ImportRejected):
        transfer.register_import(
            actor=staff, area_code=GRID[:12], upload=SimpleUploadedFile("a.xlsx", out.getvalue())
        )


def test_a_person_registered_in_another_area_is_not_taken_over(staff):
    number = synthetic_id(order=941)
    resident(household(OTHER_GRID), name="外村人", id_number=number)
    rows = [
        _row(
            grid_code=GRID,
            household_number="001",
            address="a",
            name="外村人",
            id_number=number,
            relation="户主",
        )
    ]
    record = _rejected(staff, _xlsx(rows))
    assert "其他辖区" in record.errors[0]["message"] or "another area" in record.errors[0]["message"]


def test_import_page_and_api_share_the_rules(client, staff):
    client.force_login(staff)
    response = client.post(reverse("people:import"), {"area_code": GRID[:12], "file": _xlsx(_good_rows())})
    assert response.status_code == 302
    assert Resident.objects.count() == 3
    response = client.post("/api/v1/people/imports", {"area_code": GRID[:12], "file": _xlsx(_good_rows())})
    assert response.status_code == 201 and response.json()["unchanged"] == 3
    worker = user_with(Role.GRID_WORKER, GRID)
    client.force_login(worker)
    response = client.post("/api/v1/people/imports", {"area_code": GRID[:12], "file": _xlsx(_good_rows())})
    assert response.status_code == 403
    assert AuditLog.objects.filter(action="people.import").count() == 2


def test_export_neutralises_formulas(client, staff):
    hh = household(GRID, address='=HYPERLINK("http://evil","点我")')
    resident(hh, name="@SUM(1)", occupation="+1", notes="-2")
    client.force_login(staff)
    response = client.get(reverse("people:export", args=[GRID[:12]]))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [
        c.value for row in wb.worksheets[0].iter_rows(min_row=3) for c in row if isinstance(c.value, str)
    ]
    assert '\'=HYPERLINK("http://evil","点我")' in values and "'@SUM(1)" in values and "'+1" in values
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
    assert all(c.data_type != "f" for row in wb.worksheets[0].iter_rows() for c in row)


def test_openpyxl_is_loaded_only_to_write_a_file():
    """The pages and the import read spreadsheets through grassroots.sheets; openpyxl (a fifth of a second and
    several MB) is loaded only when a file is written (docs/performance.md)."""
    code = (
        "import sys, django; django.setup(); import grassroots.urls; "
        "from grassroots.people.services import transfer; assert 'openpyxl' not in sys.modules; "
        "transfer.template_bytes(); assert 'openpyxl' in sys.modules"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "grassroots.settings"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)  # noqa: S603 - our own code
