"""The tree as an Excel workbook (.xlsx): the columns, reading an upload safely, writing exports.

Reading checks what the bytes are before openpyxl sees them (an old .xls, a Word file, a zip bomb and a
renamed text file each get their own message), then streams the rows in read-only mode. Writing uses
write-only mode; text that a spreadsheet would run as a formula is stored as text (Excel's quote prefix,
which is not part of the value, so an exported file imports back unchanged).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator

import openpyxl
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from grassroots.errors import DomainError

from .validation import GRID_KIND_WORDS, KIND_WORDS

MAX_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 50_000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportFileError(DomainError):
    """The file as a whole cannot be read (wrong type, corrupt, too large, wrong columns)."""

    code = "bad_file"


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = False
    width: int = 14
    hint: str = ""

    def matches(self, header: str) -> bool:
        return _normalise(header) in {_normalise(self.zh), _normalise(self.en), self.key}


def _normalise(text: object) -> str:
    return "".join(ch for ch in str(text or "").strip().lower() if ch not in " *_\u3000").replace("（", "(")


TREE_SHEET = "区划"
GROUP_SHEET = "村民小组"
TREE_COLUMNS: tuple[Column, ...] = (
    Column("code", "代码", "code", required=True, width=18, hint="2/4/6/9/12/15 位"),
    Column("name", "名称", "name", required=True, width=24),
    Column("kind", "类型", "kind", required=True, width=10),
    Column("valid_from", "生效日期", "valid from", width=12, hint="YYYY-MM-DD"),
    Column("valid_until", "失效日期", "valid until", width=12, hint="YYYY-MM-DD"),
    Column("successor", "并入代码", "merged into", width=18),
    Column("renamed_on", "更名日期", "renamed on", width=12, hint="YYYY-MM-DD"),
    Column("grid_kind", "网格类型", "grid kind", width=12),
    Column("sequence", "序号", "sequence", width=8),
    Column("target_households", "目标户数", "target households", width=10),
    Column("village_groups", "村民小组", "village groups", width=14, hint="1、2、3"),
)
GROUP_COLUMNS: tuple[Column, ...] = (
    Column("village_code", "村(社区)代码", "village code", required=True, width=18),
    Column("number", "组号", "number", required=True, width=8),
    Column("name", "名称", "name", required=True, width=20),
)


@dataclasses.dataclass
class Sheet:
    """The rows of one sheet: ``rows`` yields (row number, {column key: value}); ``headers`` names each
    column found as its letter and header ("B 名称") for error reports."""

    title: str
    headers: dict[str, str]
    rows: Iterator[tuple[int, dict]]
    ignored: list[str]


def file_label(file) -> str:
    """An uploaded file's name, safe to store and show (printable characters, at most 200)."""
    return "".join(ch for ch in str(getattr(file, "name", "") or "") if ch.isprintable())[:200]


def tree_max_bytes() -> int:
    """The size limit of a tree workbook (``settings.AREAS_TREE_IMPORT_MAX_BYTES``, default 10 MB)."""
    return getattr(settings, "AREAS_TREE_IMPORT_MAX_BYTES", MAX_BYTES)


def read_upload(file, *, max_bytes: int | None = None) -> bytes:
    """The bytes of an uploaded file, refusing one larger than ``max_bytes`` without reading it all."""
    if max_bytes is None:
        max_bytes = tree_max_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise _too_large(size, max_bytes)
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(max_bytes + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    if not data:
        raise ImportFileError(_("The file is empty."), code="empty_file")
    return data


def _too_large(size: int, limit: int) -> ImportFileError:
    return ImportFileError(
        _("The file has %(size).1f MB; at most %(max).0f MB are accepted. Split it by township.")
        % {"size": size / 1024 / 1024, "max": limit / 1024 / 1024},
        code="file_too_large",
    )


def sniff_xlsx(data: bytes) -> None:
    """Refuse anything that is not an .xlsx workbook, with a message that says what it is instead."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("This is an old Excel 97–2003 file (.xls). Open it and save it as an Excel workbook (.xlsx)."),
            code="old_xls",
        )
    if not data.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            _(
                "This file is not an Excel workbook (.xlsx). Download the template, fill it in and upload "
                "that; a CSV or text file must first be saved as .xlsx."
            ),
            code="not_a_spreadsheet",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(
            _("The workbook is damaged and cannot be opened. Save it again from Excel or WPS and retry."),
            code="corrupt_file",
        ) from None
    if "xl/workbook.xml" not in names:
        raise ImportFileError(
            _("This is a zip file or an Office document, but not an Excel workbook (.xlsx)."),
            code="not_a_spreadsheet",
        )
    if unzipped > MAX_UNZIPPED_BYTES:
        raise ImportFileError(
            _("The workbook unpacks to more than %(max)d MB. Split it by township.")
            % {"max": MAX_UNZIPPED_BYTES // 1024 // 1024},
            code="file_too_large",
        )


def open_workbook(data: bytes):
    sniff_xlsx(data)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, XML errors, ValueError) for a broken file
        raise ImportFileError(
            _("The workbook is damaged and cannot be opened. Save it again from Excel or WPS and retry."),
            code="corrupt_file",
        ) from None


def find_sheet(workbook, names: Iterable[str], *, first: bool = False):
    wanted = {_normalise(n) for n in names}
    for ws in workbook.worksheets:
        if _normalise(ws.title) in wanted:
            return ws
    return workbook.worksheets[0] if first and workbook.worksheets else None


def read_sheet(worksheet, columns: tuple[Column, ...], *, max_rows: int = MAX_ROWS) -> Sheet:
    """Match the header row to ``columns`` and stream the data rows below it. Blank rows are skipped."""
    rows = worksheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    found: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header):
        if cell is None or not str(cell).strip():
            continue
        column = next((c for c in columns if c.matches(str(cell))), None)
        if column is None:
            ignored.append(str(cell).strip())
            continue
        if column.key in found:
            raise ImportFileError(
                _("Sheet %(sheet)s has the column %(column)s twice; keep one.")
                % {"sheet": worksheet.title, "column": column.zh},
                code="duplicate_column",
            )
        found[column.key] = index
    missing = [c for c in columns if c.required and c.key not in found]
    if missing:
        raise ImportFileError(
            _(
                "Sheet %(sheet)s lacks the column(s) %(missing)s in its first row. Use the template's "
                "headers: %(expected)s."
            )
            % {
                "sheet": worksheet.title,
                "missing": "、".join(c.zh for c in missing),
                "expected": "、".join(c.zh for c in columns),
            },
            code="missing_columns",
            detail={"missing": [c.zh for c in missing], "found": [str(c) for c in header if c is not None]},
        )
    letters = {key: f"{openpyxl.utils.get_column_letter(i + 1)}" for key, i in found.items()}
    headers = {c.key: f"{letters[c.key]} {c.zh}" for c in columns if c.key in found}

    def stream() -> Iterator[tuple[int, dict]]:
        for number, values in enumerate(rows, start=2):
            if number - 1 > max_rows:
                raise ImportFileError(
                    _("Sheet %(sheet)s has more than %(max)d rows. Split the file by township.")
                    % {"sheet": worksheet.title, "max": max_rows},
                    code="too_many_rows",
                )
            record = {key: (values[i] if i < len(values) else None) for key, i in found.items()}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in record.values()):
                continue
            yield number, record

    return Sheet(title=worksheet.title, headers=headers, rows=stream(), ignored=ignored)


# --- cell values ----------------------------------------------------------------------------------------


class CellError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def code_text(value) -> str:
    """A code as written: Excel may have stored 150825 as a number (or 1.50825E+14)."""
    if isinstance(value, bool):
        raise CellError(_("A code is digits, not TRUE or FALSE."))
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("A code is whole digits; %(value)s is not.") % {"value": value})
        value = int(value)
    return text(value).replace(" ", "")


def date_value(value) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value).replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        return dt.date.fromisoformat("-".join(p.zfill(2) for p in raw.split("-")))
    except ValueError:
        raise CellError(
            _("%(value)s is not a date; write it as 2024-01-31.") % {"value": text(value)}
        ) from None


def int_value(value, *, what) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(_("%(what)s is a whole number.") % {"what": what})
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("%(what)s is a whole number, not %(value)s.") % {"what": what, "value": value})
        return int(value)
    if isinstance(value, int):
        return value
    raw = text(value)
    if not raw.isdigit():
        raise CellError(_("%(what)s is a whole number, not %(value)s.") % {"what": what, "value": raw})
    return int(raw)


def int_list(value, *, what) -> list[int] | None:
    """Numbers separated by 、 , ， ; or spaces ("1、2、3")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    raw = text(value)
    for sep in "、，,；; ":
        raw = raw.replace(sep, " ")
    numbers = []
    for part in raw.split():
        if not part.isdigit():
            raise CellError(
                _("%(what)s are numbers separated by 、 (e.g. 1、2、3), not %(value)s.")
                % {"what": what, "value": text(value)}
            )
        numbers.append(int(part))
    return sorted(set(numbers))


# --- writing ------------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")


def safe_cell(ws, value):
    """A write-only cell; text that a spreadsheet would run as a formula is kept as plain text."""
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _header_row(ws, columns):
    row = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=c.zh)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        row.append(cell)
    return row


def write_workbook(sheets: Iterable[tuple[str, tuple[Column, ...], Iterable[list]]]) -> bytes:
    """An .xlsx with one sheet per (title, columns, rows), in write-only mode."""
    workbook = openpyxl.Workbook(write_only=True)
    for title, columns, rows in sheets:
        ws = workbook.create_sheet(title)
        for i, c in enumerate(columns, start=1):
            ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = c.width
        ws.freeze_panes = "A2"
        ws.append(_header_row(ws, columns))
        for values in rows:
            ws.append([safe_cell(ws, v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_template() -> bytes:
    """The empty template: the two data sheets with drop-downs for the kinds, and an instructions sheet."""
    workbook = openpyxl.Workbook()
    tree = workbook.active
    tree.title = TREE_SHEET
    groups = workbook.create_sheet(GROUP_SHEET)
    notes = workbook.create_sheet("说明")
    for ws, columns in ((tree, TREE_COLUMNS), (groups, GROUP_COLUMNS)):
        for i, c in enumerate(columns, start=1):
            cell = ws.cell(row=1, column=i, value=c.zh)
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
            ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = c.width
        ws.freeze_panes = "A2"
    kinds = ",".join(words[0] for words in KIND_WORDS.values())
    grid_kinds = ",".join(words[0] for words in GRID_KIND_WORDS.values())
    for key, options in (("kind", kinds), ("grid_kind", grid_kinds)):
        letter = openpyxl.utils.get_column_letter([c.key for c in TREE_COLUMNS].index(key) + 1)
        validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
        validation.add(f"{letter}2:{letter}{MAX_ROWS}")
        tree.add_data_validation(validation)
    for column in ("A", "E", "F"):
        for row in range(2, 500):  # codes and dates as text, so Excel keeps leading digits as written
            tree[f"{column}{row}"].number_format = "@"
    for row in range(2, 500):
        groups[f"A{row}"].number_format = "@"
    lines = [
        _("Area and grid import template (Grassroots)"),
        "",
        _(
            "Sheet 区划: one area or grid per row, matched by code: an existing code is updated, a new one "
            "created. Importing the same file again changes nothing."
        ),
        _(
            "Code: province 2 digits, city/league 4, county/banner/district 6, township/sumu/street 9, "
            "village/gacha/community 12, grid 15 (village code + 3-digit number)."
        ),
        _("The parent area must exist already or stand in a row further up in this file."),
        _("Kind (类型): %(kinds)s; on grid rows write 网格 or leave it empty.")
        % {"kinds": "、".join(w[0] for w in KIND_WORDS.values())},
        _(
            "Township codes: 001–099 street, 100–199 town, 200–399 township/sumu. Village codes: 001–199 "
            "community, 200–399 village/gacha. A code outside its range gives a warning, not an error."
        ),
        _(
            "Dates (生效日期, 失效日期): YYYY-MM-DD; the end date is exclusive. An end date closes or merges the "
            "area; its sub-areas still in force must be merged or closed first."
        ),
        _(
            "Merged into (并入代码): the code of the area of the same level it merged into (needs an end date)."
        ),
        _(
            "A name that differs from the stored one is a renaming; the old name is kept as history. "
            "Renamed on (更名日期) empty means today."
        ),
        _(
            "Grid rows: grid kind (网格类型: %(kinds)s), number (序号), target households (目标户数), "
            "village groups (村民小组: group numbers separated by 、)."
        )
        % {"kinds": grid_kinds.replace(",", "、")},
        _("An empty optional cell leaves the stored value as it is."),
        _("Sheet 村民小组 (optional): village code, group number, name."),
        _("Grid boundaries are imported separately, as a GeoJSON file."),
        _(
            "A file is imported whole or, when any row has an error, not at all. Preview first to see the "
            "result and the errors row by row."
        ),
    ]
    for i, line in enumerate(lines, start=1):
        notes.cell(row=i, column=1, value=str(line))
    notes.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
