"""The spreadsheet module (grassroots.sheets): the lean .xlsx reader gives the values openpyxl's read-only mode
gives, and refuses what is not a workbook."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from grassroots.sheets import (
    ImportFileError,
    XlsxBook,
    column_index,
    column_letter,
    open_workbook,
)


def _workbook(write_only=False) -> bytes:
    wb = openpyxl.Workbook(write_only=write_only)
    if write_only:
        ws = wb.create_sheet("数据")
        ws.append(["姓名", "日期", None, "数字", "布尔"])
        ws.append(["张三", dt.date(2024, 1, 31), "", 12, True])
        ws.append(["=SUM(D2:D3)", dt.datetime(2024, 1, 31, 10, 5), "x", 1.5, False])
    else:
        ws = wb.active
        ws.title = "数据"
        ws.append(["姓名", "日期", None, "数字", "布尔"])
        ws.append(["张三", dt.date(2024, 1, 31), None, 12, True])
        ws.append(["=SUM(D2:D3)", dt.datetime(2024, 1, 31, 10, 5), "x", 1.5, False])
        ws["A6"] = "after a gap"
        ws["AB6"] = 150825000000000
        ws["C7"] = dt.time(10, 30)
        ws["D7"] = dt.timedelta(hours=30)
        ws["E7"] = CellRichText(["富", TextBlock(InlineFont(b=True), "文本")])
        ws["B8"] = 45000
        ws["B8"].number_format = "yyyy年m月d日"
        ws["C8"] = 45000
        ws["C8"].number_format = "0.00"
        wb.create_sheet("第二").append(["a", 1])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _trimmed(rows):
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    return out


@pytest.mark.parametrize("write_only", [False, True])
@pytest.mark.parametrize("formulas", [False, True])
def test_the_same_values_as_openpyxl(write_only, formulas):
    data = _workbook(write_only)
    expected = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas)
    book = XlsxBook(io.BytesIO(data), formulas=formulas)
    assert book.sheetnames == expected.sheetnames
    for theirs, ours in zip(expected.worksheets, book.worksheets, strict=True):
        assert _trimmed(ours.iter_rows()) == _trimmed(theirs.iter_rows(values_only=True))


def test_a_row_keeps_its_number_across_missing_rows():
    rows = list(XlsxBook(io.BytesIO(_workbook())).worksheets[0].iter_rows())
    assert rows[3] == () and rows[4] == ()
    assert rows[5][0] == "after a gap" and rows[5][27] == 150825000000000


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 16383)] == ["A", "Z", "AA", "AB", "XFD"]
    assert all(column_index(column_letter(i)) == i for i in range(3000))


def test_a_part_with_a_document_type_is_refused():
    source = io.BytesIO(_workbook())
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + data.split(b"?>", 1)[-1]
            new.writestr(item, data)
    book = open_workbook(out.getvalue())
    with pytest.raises(ImportFileError) as exc:
        list(book.worksheets[0].iter_rows())
    assert exc.value.code == "corrupt_file"


def test_a_damaged_sheet_is_reported_as_damaged():
    source = io.BytesIO(_workbook())
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            new.writestr(item, data)
    with pytest.raises(ImportFileError) as exc:
        list(open_workbook(out.getvalue()).worksheets[0].iter_rows())
    assert exc.value.code == "corrupt_file"
