"""Excel workbooks (.xlsx), the project's one spreadsheet module: reading an upload safely, matching its
columns by their Chinese or English headers, reading cell values, writing exports.

Reading checks what the bytes are first (an old .xls, a Word file, a zip bomb and a renamed text file each
get their own message), then streams the rows with a lean reader of its own (``XlsxBook``: the worksheet XML
parsed with ``iterparse`` and cleared as it goes, values as openpyxl's read-only mode gives them) — openpyxl's
cell objects cost several times more CPU and memory per cell, which counts at a register of 100,000 rows.
Writing uses openpyxl's write-only mode (imported only when a file is written: it costs a process 30 MB);
text that a spreadsheet would run as a formula is stored as text
(Excel's quote prefix, which is not part of the value, so an exported file imports back unchanged).

The area tree, the register, the grid-worker roster and disclosure rosters all read and write through it;
each keeps its own columns (:class:`Column`) beside its importer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from xml.etree.ElementTree import ParseError, iterparse

from django.utils.translation import gettext_lazy as _

from grassroots.errors import DomainError

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


def read_upload(file, *, max_bytes: int) -> bytes:
    """The bytes of an uploaded file, refusing one larger than ``max_bytes`` without reading it all."""
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


def sniff_xlsx(data: bytes | str | os.PathLike, *, max_unzipped: int = MAX_UNZIPPED_BYTES) -> None:
    """Refuse anything that is not an .xlsx workbook, with a message that says what it is instead. ``data``
    is the file's bytes or its path (a large upload spooled to disk)."""
    source: str | os.PathLike | io.BytesIO
    if isinstance(data, bytes):
        source = io.BytesIO(data)
    else:
        source = data
        with open(data, "rb") as fh:
            data = fh.read(8)
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
        with zipfile.ZipFile(source) as archive:
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
    if unzipped > max_unzipped:
        raise ImportFileError(
            _("The workbook unpacks to more than %(max)d MB. Split it by township.")
            % {"max": max_unzipped // 1024 // 1024},
            code="file_too_large",
        )


def _corrupt() -> ImportFileError:
    return ImportFileError(
        _("The workbook is damaged and cannot be opened. Save it again from Excel or WPS and retry."),
        code="corrupt_file",
    )


def open_workbook(data: bytes, *, formulas: bool = False) -> XlsxBook:
    """The workbook of an upload's bytes, checked (``sniff_xlsx``), for ``find_sheet`` and ``read_table``."""
    sniff_xlsx(data)
    return XlsxBook(io.BytesIO(data), formulas=formulas)


# --- the lean reader ----------------------------------------------------------------------------------

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ROW, _C, _V, _F, _IS, _T, _R, _SI = (_MAIN + t for t in ("row", "c", "v", "f", "is", "t", "r", "si"))
_SHEET_DATA = _MAIN + "sheetData"
_COORD = re.compile(r"([A-Z]+)(\d*)")
_LETTERS: dict[str, int] = {}
_XML_HEAD = 64 * 1024
_ROOT_START = re.compile(rb"<[A-Za-z_]")


def column_index(letters: str) -> int:
    """The 0-based index of a column from its letters ("A" → 0, "AB" → 27)."""
    index = _LETTERS.get(letters)
    if index is None:
        index = 0
        for ch in letters:
            index = index * 26 + ord(ch) - 64
        index -= 1
        _LETTERS[letters] = index
    return index


def _string_of(element) -> str:
    """The text of a shared or inline string: its ``t``, or its runs' ``t`` (phonetic hints left out)."""
    t = element.find(_T)
    if t is not None:
        return t.text or ""
    return "".join(r.findtext(_T) or "" for r in element.iter(_R))


# Excel's built-in number formats that are dates or times (openpyxl's list; ids 27–36 and 50–58 are
# locale-dependent and, as in openpyxl, read as plain numbers).
_BUILTIN_DATE_FORMATS = {
    14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM",
    20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0",
}  # fmt: skip
_FORMAT_STRIP = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_TOKEN = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_DURATION = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?")
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


def _is_date_format(fmt: str | None) -> bool:
    """Whether a number format shows a date or time (openpyxl's rule: a d, m, h, y or s outside quotes)."""
    if not fmt:
        return False
    return _DATE_TOKEN.search(_FORMAT_STRIP.sub("", fmt.split(";")[0])) is not None


def _is_duration_format(fmt: str | None) -> bool:
    return fmt is not None and _DURATION.search(fmt.split(";")[0]) is not None


def _from_excel(value, epoch: dt.datetime, duration: bool):
    """An Excel serial number as openpyxl reads it: a datetime, a time (a fraction of a day) or a
    timedelta (a duration format)."""
    if duration:
        td = dt.timedelta(days=value)
        if td.microseconds:
            td = dt.timedelta(seconds=td.total_seconds() // 1, microseconds=round(td.microseconds, -3))
        return td
    day, fraction = divmod(value, 1)
    diff = dt.timedelta(milliseconds=round(fraction * 86400 * 1000))
    if 0 <= value < 1 and diff.days == 0:
        minutes, seconds = divmod(diff.seconds, 60)
        return dt.time(minutes // 60, minutes % 60, seconds, diff.microseconds)
    if 0 < value < 60 and epoch == _EPOCH_1900:
        day += 1  # Excel's 1900-02-29, which did not exist
    return epoch + dt.timedelta(days=day) + diff


def column_letter(index: int) -> str:
    """The letters of a 0-based column index (0 → "A", 27 → "AB")."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _number(raw: str):
    if "." in raw or "E" in raw or "e" in raw:
        return float(raw)
    return int(raw)


class XlsxSheet:
    """One worksheet of an :class:`XlsxBook`; ``iter_rows(values_only=True)`` as openpyxl's read-only mode."""

    def __init__(self, book: XlsxBook, title: str, path: str):
        self.book, self.title, self.path = book, title, path

    def iter_rows(self, values_only: bool = True) -> Iterator[tuple]:
        """Each row as a tuple of values (None for an empty cell), from row 1, an empty tuple for a missing
        row, so that a row's position is its number; a tuple ends at the row's last cell."""
        if not values_only:
            raise ValueError("XlsxSheet yields values only")
        return self.book._rows(self.path)


class XlsxBook:
    """A streaming .xlsx reader: ``worksheets`` (each with ``title`` and ``iter_rows``), ``sheetnames``,
    ``close()``. Values as openpyxl gives them in read-only mode with ``data_only=True``: str, int, float,
    bool, datetime/time/timedelta for date-formatted numbers, None for empty cells; with ``formulas=True`` a
    formula cell reads as its formula ("=SUM(A1:A3)"), so a caller can refuse formulas. Only the rows being
    read are in memory, besides the shared strings."""

    def __init__(self, source, *, formulas: bool = False):
        self.formulas = formulas
        try:
            self.archive = zipfile.ZipFile(source)
            self._read_workbook()
        except ImportFileError:
            raise
        except (zipfile.BadZipFile, KeyError, ParseError, ValueError, OSError, EOFError):
            raise _corrupt() from None
        self._strings: list[str] | None = None
        self._styles: tuple[frozenset, frozenset] | None = None

    def close(self) -> None:
        self.archive.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def sheetnames(self) -> list[str]:
        return [ws.title for ws in self.worksheets]

    def _xml(self, name: str, events=("end",)):
        """``iterparse`` over one part of the archive. A part with a document type declaration is refused:
        workbooks have none, and entities are how XML bombs work (expat also limits their amplification;
        external entities are never fetched)."""
        with self.archive.open(name) as fh:
            head = fh.read(_XML_HEAD)
        root = _ROOT_START.search(head)
        if root is None or b"<!DOCTYPE" in head[: root.start()]:
            raise _corrupt()
        return iterparse(self.archive.open(name), events=events)  # noqa: S314 - no DTD, checked above

    def _read_workbook(self) -> None:
        names = set(self.archive.namelist())
        targets = {}
        for _event, rel in self._xml("xl/_rels/workbook.xml.rels"):
            if rel.tag == _PKG_REL + "Relationship":
                target = rel.get("Target", "")
                targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
        self.epoch = _EPOCH_1900
        self.worksheets: list[XlsxSheet] = []
        for _event, el in self._xml("xl/workbook.xml"):
            if el.tag == _MAIN + "workbookPr" and el.get("date1904") in ("1", "true"):
                self.epoch = _EPOCH_1904
            elif el.tag == _MAIN + "sheet":
                path = targets.get(el.get(_REL + "id"), "")
                if path in names:  # a chart sheet or a dangling entry is no worksheet
                    self.worksheets.append(XlsxSheet(self, el.get("name", ""), path))
        self.shared_path = next(
            (p for p in ("xl/sharedStrings.xml", "xl/SharedStrings.xml") if p in names), None
        )
        self.styles_path = "xl/styles.xml" if "xl/styles.xml" in names else None

    def _shared_strings(self) -> list[str]:
        if self._strings is None:
            strings: list[str] = []
            if self.shared_path:
                for _event, el in self._xml(self.shared_path):
                    if el.tag == _SI:
                        strings.append(_string_of(el).replace("x005F_", ""))
                        el.clear()
            self._strings = strings
        return self._strings

    def _date_styles(self) -> tuple[frozenset, frozenset]:
        """The style indexes whose number format is a date (or a duration, such as [h]:mm)."""
        if self._styles is None:
            formats: dict[int, str] = dict(_BUILTIN_DATE_FORMATS)
            dates, durations = set(), set()
            if self.styles_path:
                index, in_xfs = 0, False
                for event, el in self._xml(self.styles_path, events=("start", "end")):
                    if el.tag == _MAIN + "numFmt" and event == "end":
                        formats[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
                    elif el.tag == _MAIN + "cellXfs":
                        in_xfs = event == "start"
                    elif el.tag == _MAIN + "xf" and in_xfs and event == "end":
                        fmt = formats.get(int(el.get("numFmtId", "0")))
                        if _is_date_format(fmt):
                            dates.add(index)
                            if _is_duration_format(fmt):
                                durations.add(index)
                        index += 1
            self._styles = frozenset(dates), frozenset(durations)
        return self._styles

    def _rows(self, path: str) -> Iterator[tuple]:
        try:
            self._shared_strings()
            self._dates, self._durations = self._date_styles()
            yield from self._parse_rows(path)
        except (zipfile.BadZipFile, KeyError, ParseError, ValueError, IndexError, OSError, EOFError):
            raise _corrupt() from None

    def _parse_rows(self, path: str) -> Iterator[tuple]:
        # Only "start" events are asked for (one per element; asking for "end" events as well doubles the
        # loop, the bulk of the cost): a row is complete when the next one starts, or when the sheet ends.
        number, row, parent = 0, None, None
        for _event, el in self._xml(path, events=("start",)):
            tag = el.tag
            if tag == _ROW:
                if row is not None:
                    number = yield from self._emit(row, number)
                    row.clear()
                if parent is not None:
                    parent.clear()  # the rows already read leave the tree
                row = el
            elif tag == _SHEET_DATA:
                parent = el
        if row is not None:
            yield from self._emit(row, number)

    def _emit(self, el, number: int):
        """The values of one complete ``<row>``, after empty rows for any row numbers left out."""
        r = el.get("r")
        at = int(r) if r else number + 1
        while number < at - 1:
            number += 1
            yield ()
        letters, digits = _LETTERS, "0123456789"
        strings = self._shared_strings()  # (read once per workbook)
        values: list = []
        for c in el:
            if c.tag != _C:
                continue
            ref = c.get("r")
            if ref:
                column = ref.rstrip(digits)
                index = letters.get(column)
                if index is None:
                    index = column_index(column)
                if index != len(values):
                    if index > len(values):
                        values.extend([None] * (index - len(values)))
                    else:  # a cell given twice: the later one wins, as in Excel
                        del values[index:]
            value = None
            if len(c):
                # The cell's children directly: a value <v>, an inline string <is><t>, or a formula <f>
                # before its cached <v> (find() per cell costs more at 1.7 million cells).
                child = c[0]
                tag = child.tag
                if tag == _F:
                    if self.formulas:
                        values.append("=" + (child.text or ""))
                        continue
                    child = c.find(_V)
                    tag = _V if child is not None else None
                if tag == _V:
                    raw = child.text
                    if raw:
                        kind = c.get("t")
                        if kind is None or kind == "n":
                            value = _number(raw)
                            style = c.get("s")
                            if style and self._dates and int(style) in self._dates:
                                value = _from_excel(value, self.epoch, int(style) in self._durations)
                        elif kind == "s":
                            value = strings[int(raw)]
                        elif kind == "b":
                            value = raw not in ("0", "false")
                        elif kind == "d":
                            value = dt.datetime.fromisoformat(raw.rstrip("Z"))
                        else:  # "str" (a formula's text result), "e" (#N/A …)
                            value = raw
                elif tag == _IS:
                    if len(child) == 1 and child[0].tag == _T:
                        value = child[0].text or ""
                    else:
                        value = _string_of(child)
            values.append(value)
        yield tuple(values)
        return at


def find_sheet(workbook, names: Iterable[str], *, first: bool = False):
    wanted = {_normalise(n) for n in names}
    for ws in workbook.worksheets:
        if _normalise(ws.title) in wanted:
            return ws
    return workbook.worksheets[0] if first and workbook.worksheets else None


def read_table(worksheet, columns: tuple[Column, ...], *, max_rows: int = MAX_ROWS) -> Sheet:
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
    letters = {key: column_letter(i) for key, i in found.items()}
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

# What a spreadsheet may run as a formula when a text cell starts with it (OWASP CSV injection); every
# import refuses such cells and every export neutralises them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@functools.cache
def header_style():
    """(font, fill) of a header cell."""
    from openpyxl.styles import Font, PatternFill

    return Font(bold=True), PatternFill("solid", fgColor="F2F2F2")


def safe_cell(ws, value):
    """A write-only cell; text that a spreadsheet would run as a formula is kept as plain text."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _header_row(ws, columns):
    from openpyxl.cell import WriteOnlyCell

    font, fill = header_style()
    row = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=c.zh)
        cell.font = font
        cell.fill = fill
        row.append(cell)
    return row


def write_workbook(sheets: Iterable[tuple[str, tuple[Column, ...], Iterable[list]]]) -> bytes:
    """An .xlsx with one sheet per (title, columns, rows), in write-only mode."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    for title, columns, rows in sheets:
        ws = workbook.create_sheet(title)
        for i, c in enumerate(columns, start=1):
            ws.column_dimensions[column_letter(i - 1)].width = c.width
        ws.freeze_panes = "A2"
        ws.append(_header_row(ws, columns))
        for values in rows:
            ws.append([safe_cell(ws, v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = [
    "FORMULA_STARTS",
    "MAX_BYTES",
    "MAX_ROWS",
    "MAX_UNZIPPED_BYTES",
    "XLSX_CONTENT_TYPE",
    "CellError",
    "Column",
    "ImportFileError",
    "Sheet",
    "XlsxBook",
    "XlsxSheet",
    "code_text",
    "column_index",
    "column_letter",
    "date_value",
    "file_label",
    "find_sheet",
    "header_style",
    "int_list",
    "int_value",
    "open_workbook",
    "read_table",
    "read_upload",
    "safe_cell",
    "sniff_xlsx",
    "text",
    "write_workbook",
]
