"""The roster workbook: row-level errors and nothing written; a good file imported twice changes nothing
the second time; the export keeps formula-like text as text and masks phones."""

from __future__ import annotations

import io

import openpyxl
import pytest

from grassroots.accounts.scoping import OutOfScope
from grassroots.errors import NotPermitted
from grassroots.workforce.models import Assignment, GridWorker, WorkerDuty
from grassroots.workforce.services import roster

from .conftest import G1, G2, OTHER_GRID, VILLAGE

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "手机号", "类别", "党员", "所属区划代码", "网格代码", "角色", "开始日期", "职责"]
GOOD = [
    ["张专", "13800000001", "专职", "否", G1, G1, "网格长", "2026-01-05", ""],
    ["刘红", "13800000002", "红色", "是", G2, G2, "网格员", "2026-02-01", "政策宣传、治安巡逻"],
    ["陈指导", "", "兼职", "否", VILLAGE, G1, "网格指导员", "", ""],
]


def workbook(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "网格员"
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def counts():
    return GridWorker.objects.count(), Assignment.objects.count(), WorkerDuty.objects.count()


def test_a_good_roster_imports_once_and_again_changes_nothing(world):
    before = counts()
    first = roster.roster_import(actor=world.village_staff, data=workbook(GOOD))
    assert first.errors == []
    assert (first.workers_created, first.assignments_started, first.duties_added) == (3, 3, 2)
    assert GridWorker.objects.get(name="刘红").is_party_member
    assert set(WorkerDuty.objects.values_list("duty", flat=True)) == {"policy", "patrol"}
    second = roster.roster_import(actor=world.village_staff, data=workbook(GOOD))
    assert (second.workers_created, second.assignments_started, second.duties_added) == (0, 0, 0)
    assert second.unchanged_rows == 3
    assert counts() == (before[0] + 3, before[1] + 3, before[2] + 2)


def test_a_broken_roster_reports_each_row_and_writes_nothing(world):
    before = counts()
    rows = [
        *GOOD,
        ["", "13800000003", "专职", "否", G1, G1, "网格员", "", ""],  # row 5: no name
        ["王五", "12345", "专职", "否", G1, G1, "网格员", "", ""],  # row 6: bad phone
        ["赵六", "", "志愿者", "否", G1, G1, "网格员", "", ""],  # row 7: unknown kind
        ["钱七", "", "专职", "否", G1, "150825100001999", "网格员", "", ""],  # row 8: no such grid
        ["孙八", "", "专职", "否", G1, G1, "网格员", "2026-13-01", ""],  # row 9: bad date
        ["周九", "", "专职", "否", G1, G1, "网格员", "", "治安巡逻"],  # row 10: duties of a non-red worker
    ]
    result = roster.roster_import(actor=world.village_staff, data=workbook(rows))
    assert sorted({e.row for e in result.errors}) == [5, 6, 7, 8, 9, 10]
    assert any(e.row == 6 and e.column.endswith("手机号") for e in result.errors)
    assert counts() == before


def test_rows_outside_the_importers_area_are_errors(world):
    before = counts()
    rows = [*GOOD, ["外人", "", "专职", "否", OTHER_GRID, OTHER_GRID, "网格员", "", ""]]
    result = roster.roster_import(actor=world.village_staff, data=workbook(rows))
    assert [e.row for e in result.errors] == [5]
    assert counts() == before


def test_export_masks_phones_and_keeps_formulas_as_text(world):
    roster.roster_import(actor=None, data=workbook(GOOD))
    GridWorker.objects.filter(name="张专").update(name='=HYPERLINK("http://x")')
    data = roster.roster_export(user=world.village_staff, area_code=VILLAGE)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    cells = {c.value: c for row in ws.iter_rows(min_row=2) for c in row}
    assert cells['=HYPERLINK("http://x")'].data_type == "s"
    assert "138****0001" in {v[1] for v in values}
    assert not any(v[1] == "13800000001" for v in values)


@pytest.mark.parametrize(("who", "error"), [("resident", NotPermitted), ("outside_staff", OutOfScope)])
def test_export_is_for_managers(world, who, error):
    with pytest.raises(error):
        roster.roster_export(user=getattr(world, who), area_code=VILLAGE)
