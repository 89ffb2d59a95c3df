"""Spreadsheet import and export of the register.

Import (``register_import``): one row per resident, household columns repeated on each member's row, Chinese
headers (``template_bytes`` builds the template). The file is checked like every upload (``sniff_xlsx``: not an
old .xls, not a zip bomb) and read once, streaming, with the project's spreadsheet reader
(``grassroots.sheets.XlsxBook``); every row is checked and the checked rows are spooled to a temporary file. If any row has an error, nothing
is written and the report lists every error by row and column, in Chinese. Otherwise everything is written in
one transaction: households are upserted by (grid, household number), residents by the keyed hash of the ID
number, so importing the same file again changes nothing.

Export (``register_export``): residents of an area with their households, masked (ID first 6 + last 4,
phones 3 + 4), numbers inside free text masked too, each text cell protected against formula injection, the
first row saying who exported it and when; an audit record is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import pickle
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import translation
from django.utils.translation import gettext as _

from grassroots import clock, fieldcrypt, personal
from grassroots.accounts.models import User
from grassroots.accounts.rules import require
from grassroots.accounts.services import audit_record
from grassroots.areas.codes import Level
from grassroots.areas.models import Area
from grassroots.masking import mask_id_number, mask_numbers_in_text, mask_phone
from grassroots.sheets import (
    FORMULA_STARTS,
    XLSX_CONTENT_TYPE,
    ImportFileError,
    XlsxBook,
    sniff_xlsx,
)

from .. import idnumber, names, person_numbers, rules
from ..codes import (
    ATTENTION_ZH,
    ETHNICITY_ZH,
    KEY_GROUP_ZH,
    POLITICAL_STATUS_ZH,
    RELATION_ZH,
    RESIDENCE_TYPE_ZH,
    Attention,
    PoliticalStatus,
    Relation,
    ResidenceType,
    lookup_zh,
)
from ..errors import IdNumberError, ImportRejected, PeopleError
from ..models import (
    GridMove,
    Household,
    ImportStatus,
    KeyGroupLabel,
    NameSuffix,
    RegisterImport,
    Resident,
    ResidentStatus,
)
from .registry import reschedule_visits

XLSX = XLSX_CONTENT_TYPE
MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_ROWS = 200_000
MAX_UNZIPPED_BYTES = 600 * 1024 * 1024  # 200,000 rows of the template unpack to about 170 MB
MAX_REPORTED_ERRORS = 1000
BATCH = 1000

# (key, Chinese header, required)
COLUMNS: list[tuple[str, str, bool]] = [
    ("grid_code", "网格编码", True),
    ("household_number", "户编号", True),
    ("address", "住址", True),
    ("building", "楼栋", False),
    ("unit", "单元", False),
    ("room", "门牌号", False),
    ("residence_type", "居住类型", False),
    ("household_phone", "户联系电话", False),
    ("name", "姓名", True),
    ("id_number", "身份证号", True),
    ("relation", "与户主关系", True),
    ("ethnicity", "民族", False),
    ("phone", "联系电话", False),
    ("political_status", "政治面貌", False),
    ("occupation", "职业", False),
    ("key_groups", "重点人群", False),
    ("notes", "备注", False),
]
HEADER_OF = {key: header for key, header, _required in COLUMNS}
KEY_OF = {header: key for key, header, _required in COLUMNS}
ETHNICITY_BY_NAME = {v: k for k, v in ETHNICITY_ZH.items()} | {
    v.removesuffix("族"): k for k, v in ETHNICITY_ZH.items()
}
KEY_GROUP_BY_NAME = {v: k for k, v in KEY_GROUP_ZH.items()}
ATTENTION_BY_NAME = {v: k for k, v in ATTENTION_ZH.items()} | {v + "关注": k for k, v in ATTENTION_ZH.items()}


# --- template -----------------------------------------------------------------------------------------------


def template_bytes() -> bytes:
    """The import template: headers in Chinese (required ones marked *), a sheet of instructions."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "居民登记"
    ws.append([header for _key, header, _required in COLUMNS])
    for cell, (_key, _header, required) in zip(ws[1], COLUMNS, strict=True):
        cell.font = Font(bold=True, color="B22222" if required else "000000")
        cell.number_format = "@"
    for column in ("J", "M", "H", "A"):  # ID and phone numbers as text, never as numbers
        for row in range(2, 1002):
            ws[f"{column}{row}"].number_format = "@"
    ws.column_dimensions["C"].width = 30
    ws.column_dimensions["J"].width = 22
    notes = wb.create_sheet("填写说明")
    for line in [
        ["每行一位居民；同一户的成员重复填写户信息（网格编码、户编号、住址……）。"],
        ["红色列必填。网格编码为15位；身份证号为18位（旧15位号码自动升级），请把该列设为“文本”格式。"],
        ["与户主关系：" + "、".join(n for ns in RELATION_ZH.values() for n in ns)],
        ["居住类型：" + "、".join(RESIDENCE_TYPE_ZH.values()) + "；不填为户籍。"],
        ["民族：56个民族的标准名称，如 汉族、蒙古族；不填为空。"],
        ["政治面貌：" + "、".join(POLITICAL_STATUS_ZH.values()) + "；不填为群众。"],
        [
            "重点人群：用分号分隔，可加关注程度，如 独居老人:密切;残疾人:一般。类别："
            + "、".join(KEY_GROUP_ZH.values())
        ],
        ["关注程度：" + "、".join(ATTENTION_ZH.values()) + "；不填为一般。"],
        ["任何单元格不得以 = + - @ 开头（防止公式注入）。"],
        ["再次导入同一文件不会重复登记：居民按身份证号更新，户按“网格编码+户编号”更新。"],
    ]:
        notes.append(line)
    notes.column_dimensions["A"].width = 120
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- reading ------------------------------------------------------------------------------------------------


class Row(NamedTuple):
    """One checked row, as spooled between the checking pass and the writing pass (a named tuple: a
    thousand of them pickle in one call several times faster than dataclass instances one by one)."""

    line: int
    grid_code: str
    household_number: str
    address: str
    building: str
    unit: str
    room: str
    residence_type: str
    household_phone: str
    name: str
    id_number: str
    id_hash: str
    birth_date: dt.date | None
    sex: str
    relation: str
    ethnicity: str
    phone: str
    political_status: str
    occupation: str
    key_groups: list[tuple[str, int]]
    notes: str


class _Errors:
    def __init__(self):
        self.items: list[dict] = []
        self.count = 0

    def add(self, line: int | None, column: str, message) -> None:
        self.count += 1
        if len(self.items) < MAX_REPORTED_ERRORS:
            self.items.append({"row": line, "column": column, "message": str(message)})


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _open_rows(path: Path) -> Iterator[tuple]:
    """The rows of the first sheet; formulas read as their text ("=…"), so that the row check refuses them."""
    try:
        with XlsxBook(path, formulas=True) as book:
            if not book.worksheets:
                return
            yield from book.worksheets[0].iter_rows()
    except ImportFileError as exc:
        raise ImportRejected(exc.message, code=exc.code) from None


def _check_file(path: Path) -> None:
    try:
        sniff_xlsx(path, max_unzipped=MAX_UNZIPPED_BYTES)
    except ImportFileError as exc:
        raise ImportRejected(exc.message, code=exc.code) from None


def _header_map(header_row, errors: _Errors) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(header_row or ()):
        header = _text(value).rstrip("*").strip()
        if not header:
            continue
        key = KEY_OF.get(header)
        if key is None:
            errors.add(
                1, header, _("Unknown column “%(header)s”; use the template's headers.") % {"header": header}
            )
        elif key in found:
            errors.add(1, header, _("Column “%(header)s” appears twice.") % {"header": header})
        else:
            found[key] = index
    missing = [HEADER_OF[k] for k, _h, required in COLUMNS if required and k not in found]
    if missing:
        errors.add(
            1,
            "",
            _("Required columns are missing: %(columns)s. Use the template.")
            % {"columns": "、".join(missing)},
        )
    return found


def _parse_key_groups(raw: str) -> list[tuple[str, int]]:
    groups = []
    for part in raw.replace("；", ";").replace("，", ";").replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        name, _sep, level = part.replace("：", ":").partition(":")
        kind = KEY_GROUP_BY_NAME.get(name.strip())
        if kind is None:
            raise PeopleError(_("Unknown key group “%(name)s”.") % {"name": name.strip()})
        attention = ATTENTION_BY_NAME.get(level.strip(), None) if level.strip() else Attention.GENERAL
        if attention is None:
            raise PeopleError(
                _("Unknown attention level “%(level)s”; use 一般, 重点 or 密切.") % {"level": level.strip()}
            )
        groups.append((kind, int(attention)))
    return groups


_OPTIONAL_CODES = (
    ("residence_type", ResidenceType.REGISTERED),
    ("ethnicity", ""),
    ("political_status", PoliticalStatus.MASSES),
)


class _RowChecker:
    """Checks rows field by field (``checker(line, values)`` returns a Row, or None after adding the row's
    errors). What is the same on many rows is worked out once: the column positions, today's date, the
    lookups of code-list cells (relation, ethnicity, key groups …) by their text."""

    def __init__(self, columns: dict[str, int], grids: set[str], area_code: str, errors: _Errors):
        self.columns, self.grids, self.area_code, self.errors = columns, grids, area_code, errors
        self.items = [(key, index, HEADER_OF[key]) for key, index in columns.items()]
        self.has_id_column = "id_number" in columns
        self.today = clock.today()
        self.lookups: dict[tuple[str, str], tuple[Any, str | None]] = {}

    def _lookup(self, key: str, text: str) -> tuple[Any, str | None]:
        """(value, error message or None) of a code-list cell, remembered by its text: a code, or for
        ``key_groups`` a list of (group, attention)."""
        found = self.lookups.get((key, text))
        if found is None:
            value, message = None, None
            if key == "relation":
                value = lookup_zh(RELATION_ZH, text)
                if value is None:
                    message = _("Unknown relation “%(value)s”; see the instructions sheet.") % {"value": text}
            elif key == "residence_type":
                value = lookup_zh(RESIDENCE_TYPE_ZH, text)
                if value is None:
                    message = _("Use 户籍, 流动 or 其他.")
            elif key == "ethnicity":
                value = ETHNICITY_BY_NAME.get(text) or (text if text in ETHNICITY_ZH else None)
                if value is None:
                    message = _("Unknown ethnic group “%(value)s”; use the standard name, e.g. 汉族.") % {
                        "value": text
                    }
            elif key == "political_status":
                value = lookup_zh(POLITICAL_STATUS_ZH, text)
                if value is None:
                    message = _("Unknown political status; see the instructions sheet.")
            elif key == "key_groups":
                try:
                    value = _parse_key_groups(text)
                except PeopleError as exc:
                    message = str(exc.message)
            found = self.lookups[(key, text)] = (value, message)
        return found

    def __call__(self, line: int, values: tuple):
        errors = self.errors
        add = errors.add
        before = errors.count
        cell: dict[str, str] = {}
        bad: set[str] = set()  # cells already reported; not checked again
        width = len(values)
        for key, index, header in self.items:
            raw = values[index] if index < width else None
            if raw is None:
                cell[key] = ""
                continue
            if raw.__class__ is str:
                text = " ".join(raw.split())
            elif key == "id_number" and isinstance(raw, int | float) and len(str(int(raw))) > 15:
                add(
                    line,
                    header,
                    _(
                        "The ID number was stored as a number and lost its last digits; format the column as text and type it again."
                    ),
                )
                cell[key] = ""
                bad.add(key)
                continue
            else:
                text = _text(raw)
            if text.startswith(FORMULA_STARTS):
                add(
                    line,
                    header,
                    _(
                        "The cell starts with “%(char)s”, which a spreadsheet may run as a formula; remove that character."
                    )
                    % {"char": text[0].strip() or "TAB"},
                )
                text = ""
                bad.add(key)
            cell[key] = text
        get = cell.get

        def required(key, max_length):
            value = get(key, "")
            if key in bad:
                return value
            if not value:
                add(line, HEADER_OF[key], _("This cell is required."))
            elif len(value) > max_length:
                add(line, HEADER_OF[key], _("At most %(n)d characters.") % {"n": max_length})
            return value

        grid_code = required("grid_code", 15)
        if grid_code and grid_code not in self.grids:
            add(
                line,
                HEADER_OF["grid_code"],
                _("%(code)s is not a grid of the area %(area)s you are importing into.")
                % {"code": grid_code, "area": self.area_code},
            )
        number = required("household_number", 32)
        address = required("address", 200)
        name = required("name", 100)
        parsed = None
        id_text = get("id_number")
        if id_text:
            try:
                parsed = idnumber.parse(id_text, today=self.today)
            except IdNumberError as exc:
                add(line, HEADER_OF["id_number"], exc.message)
        elif self.has_id_column and "id_number" not in bad:
            add(line, HEADER_OF["id_number"], _("This cell is required."))
        lookup = self._lookup
        relation, message = lookup("relation", get("relation", ""))
        if message is not None and "relation" not in bad:
            add(line, HEADER_OF["relation"], message)
        coded = []  # the optional code-list cells: their default when empty
        for key, default in _OPTIONAL_CODES:
            value = default
            if get(key):
                value, message = lookup(key, cell[key])
                if message is not None:
                    add(line, HEADER_OF[key], message)
            coded.append(value)
        residence, ethnicity, political = coded
        phone = household_phone = ""
        if get("phone"):
            try:
                phone = person_numbers.phone_digits(cell["phone"])
            except PeopleError as exc:
                add(line, HEADER_OF["phone"], exc.message)
        if get("household_phone"):
            try:
                household_phone = person_numbers.phone_digits(cell["household_phone"])
            except PeopleError as exc:
                add(line, HEADER_OF["household_phone"], exc.message)
        groups: list[tuple[str, int]] = []
        if get("key_groups"):
            groups, message = lookup("key_groups", cell["key_groups"])
            if message is not None:
                add(line, HEADER_OF["key_groups"], message)
                groups = []
        for key, length in (
            ("building", 20),
            ("unit", 20),
            ("room", 20),
            ("occupation", 100),
            ("notes", 2000),
        ):
            if len(get(key, "")) > length:
                add(line, HEADER_OF[key], _("At most %(n)d characters.") % {"n": length})
        if errors.count != before:
            return None
        assert parsed is not None, "the ID number is a required column and cell"
        return Row(
            line,
            grid_code,
            number,
            address,
            get("building", ""),
            get("unit", ""),
            get("room", ""),
            residence,
            household_phone,
            name,
            parsed.number,
            personal.id_hash(parsed.number),
            parsed.birth_date,
            parsed.sex,
            relation,
            ethnicity,
            phone,
            political,
            get("occupation", ""),
            list(groups),
            get("notes", ""),
        )


def _check_existing(batch: list[Row], area_code: str, errors: _Errors) -> None:
    """Residents already registered outside the import area cannot be taken over by a spreadsheet."""
    hashes = {r.id_hash: r for r in batch}
    for digest, code in Resident.objects.filter(id_hash__in=list(hashes)).values_list("id_hash", "area_code"):
        if digest is not None and not code.startswith(area_code):
            row = hashes[digest]
            errors.add(
                row.line,
                HEADER_OF["id_number"],
                _("This person is registered in another area (%(code)s); ask that area to move the record.")
                % {"code": code[:12]},
            )


def _spool(path: Path, area_code: str, spool, errors: _Errors) -> int:
    """The checking pass: every row checked, good rows pickled to ``spool``; returns the number of rows."""
    rows = _open_rows(path)
    try:
        header = next(rows, None)
    except ImportRejected:
        raise
    except Exception as exc:  # anything else a broken workbook raises
        raise ImportRejected(
            _("The workbook cannot be read (%(error)s). Save it again as .xlsx.")
            % {"error": type(exc).__name__}
        ) from exc
    if header is None:
        raise ImportRejected(_("The first sheet is empty. Fill in the template."), code="empty")
    columns = _header_map(header, errors)
    if errors.count:
        return 0
    grids = set(
        Area.objects.filter(level=Level.GRID, code__startswith=area_code).values_list("code", flat=True)
    )
    # ID hashes seen, as the first 16 bytes of the digest (49 bytes an entry instead of 113 for the hex
    # string): 128 bits cannot collide among 200,000 rows.
    check = _RowChecker(columns, grids, area_code, errors)
    seen_ids: dict[bytes, int] = {}
    households: dict[tuple[str, str], tuple[int, str, int]] = {}  # key → (first line, address, heads)
    batch: list[Row] = []
    count = 0
    line = 1
    for values in rows:
        line += 1
        if not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        count += 1
        if count > MAX_ROWS:
            raise ImportRejected(
                _("The file has more than %(n)d rows; split it into several files.") % {"n": MAX_ROWS},
                code="too_many_rows",
            )
        row = check(line, values)
        if row is None:
            continue
        first = seen_ids.setdefault(bytes.fromhex(row.id_hash[:32]), line)
        if first != line:
            errors.add(
                line,
                HEADER_OF["id_number"],
                _("The same ID number is already on row %(row)d.") % {"row": first},
            )
            continue
        key = (row.grid_code, row.household_number)
        first_line, address, heads = households.get(key, (line, row.address, 0))
        if address != row.address:
            errors.add(
                line,
                HEADER_OF["address"],
                _("Household %(number)s has another address on row %(row)d.")
                % {"number": row.household_number, "row": first_line},
            )
            continue
        heads += row.relation == Relation.HEAD
        if heads > 1:
            errors.add(
                line,
                HEADER_OF["relation"],
                _("Household %(number)s has more than one head.") % {"number": row.household_number},
            )
            continue
        households[key] = (first_line, address, heads)
        batch.append(row)
        if len(batch) >= BATCH:
            _check_existing(batch, area_code, errors)
            pickle.dump(batch, spool, protocol=pickle.HIGHEST_PROTOCOL)
            batch = []
    if batch:
        _check_existing(batch, area_code, errors)
        pickle.dump(batch, spool, protocol=pickle.HIGHEST_PROTOCOL)
    if count == 0 and not errors.count:
        raise ImportRejected(_("The file has headers but no rows."), code="empty")
    return count


# --- writing ------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Counts:
    households_created: int = 0
    households_updated: int = 0
    residents_created: int = 0
    residents_updated: int = 0
    unchanged: int = 0


def _read_spool(spool) -> Iterator[list[Row]]:
    """The spooled rows, a batch (of BATCH rows, the last one fewer) at a time."""
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)  # noqa: S301 - our own temporary file, written just above
        except EOFError:
            return


HOUSEHOLD_COMPARED = ("address", "building", "unit", "room", "residence_type")
RESIDENT_COMPARED = ("name", "relation", "ethnicity", "political_status", "occupation", "notes")


class _NewResident:
    """What the rest of a batch needs of a resident just inserted (its id, grid, household, name), without
    a model instance."""

    __slots__ = ("area_code", "household_id", "name", "pk")
    household_id: int
    area_code: str
    name: str
    pk: int  # 0 until the row is inserted

    def __init__(self, household_id: int, area_code: str, name: str):
        self.household_id, self.area_code, self.name, self.pk = household_id, area_code, name, 0


class _Insert:
    """Many rows of one model written as column values, their ids returned in the order of the rows.

    The import gives the values of ``columns`` ready for the database (encrypted, hashed, dates adapted);
    every other column gets its model default, prepared once per call, and ``created_at``/``updated_at`` the
    time of the call. Cheaper than ``bulk_create``, which builds a model instance per row and prepares every
    value of every row through its field.

    PostgreSQL: the ids are taken from the table's sequence first (``nextval`` over ``generate_series``),
    then the rows go in by ``COPY … FROM STDIN`` (psycopg formats the rows in C; the server loads them without
    planning a statement per row). SQLite: ``INSERT … RETURNING id`` of as many rows per statement as it takes
    (SQLite ≥ 3.35 returns them in the order of the rows, as ``bulk_create`` relies on)."""

    def __init__(self, model, columns: tuple[str, ...]):
        self.model, self.columns = model, columns
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        unknown = set(columns) - set(fields)
        assert not unknown, unknown
        self.rest = [f for name, f in fields.items() if name not in columns]

    def _rest(self) -> tuple:
        now = clock.now()
        rest = tuple(
            now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
            for f in self.rest
        )
        return tuple(f.get_db_prep_save(v, connection) for f, v in zip(self.rest, rest, strict=True))

    def run(self, rows: list[tuple]) -> list[int]:
        if not rows:
            return []
        rest = self._rest()
        names = [*self.columns, *(f.column for f in self.rest)]
        qn = connection.ops.quote_name
        table = self.model._meta.db_table
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, len(rows)],
                )
                ids = [pk for (pk,) in cursor.fetchall()]
            copy_rows(table, ("id", *names), ((pk, *row, *rest) for pk, row in zip(ids, rows, strict=True)))
            return ids
        head = f"INSERT INTO {qn(table)} ({', '.join(qn(n) for n in names)}) VALUES "  # noqa: S608 - our names
        row_sql = "(" + ", ".join(["%s"] * len(names)) + ")"
        returning = f" RETURNING {qn('id')}"
        ids = []
        limit = connection.features.max_query_params or 999
        per_statement = min(BATCH, max(1, limit // len(names)))
        with connection.cursor() as cursor:
            for i in range(0, len(rows), per_statement):
                chunk = rows[i : i + per_statement]
                cursor.execute(
                    head + ", ".join([row_sql] * len(chunk)) + returning,
                    [v for row in chunk for v in (*row, *rest)],
                )
                ids.extend(pk for (pk,) in cursor.fetchall())
        return ids


def copy_rows(table: str, columns: tuple[str, ...], rows) -> None:
    """Rows of plain column values into ``table``, by ``COPY`` on PostgreSQL and a prepared ``INSERT`` run
    per row (``executemany``) on SQLite. No ids come back."""
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {qn(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",  # noqa: S608
            list(rows),
        )


_HOUSEHOLD_INSERT = _Insert(
    Household,
    ("area_id", "area_code", "number", "address", "building", "unit", "room", "residence_type", "phone",
     "phone_hash", "phone_masked"),
)  # fmt: skip
_RESIDENT_INSERT = _Insert(
    Resident,
    ("household_id", "area_code", "name", "name_pinyin", "name_initials", "id_number", "id_hash", "id_masked",
     "birth_date", "sex", "relation", "ethnicity", "phone", "phone_hash", "phone_masked", "political_status",
     "occupation", "notes"),
)  # fmt: skip


def _write_households(batch: list[Row], area_by_code: dict, known: dict, counts: _Counts) -> None:
    wanted: dict[tuple[str, str], Row] = {}
    for row in batch:
        wanted.setdefault((row.grid_code, row.household_number), row)
    missing = [k for k in wanted if k not in known]
    if missing:
        codes = {k[0] for k in missing}
        numbers = {k[1] for k in missing}
        loaded: dict[tuple[str, str], Household] = {}
        for h in Household.objects.filter(area_code__in=codes, number__in=numbers).defer("phone"):
            key = (h.area_code, h.number)
            if key in wanted:
                loaded[key] = h
    else:
        loaded = {}
    create: list[tuple[tuple[str, str], tuple]] = []
    update: list[Household] = []
    update_fields = {"updated_at"}
    for key, row in wanted.items():
        if key in known:
            continue  # already written (or compared) earlier in this import
        stored = loaded.get(key)
        phone_hash = personal.phone_hash(row.household_phone) if row.household_phone else None
        if stored is None:
            phone = row.household_phone
            create.append(
                (
                    key,
                    (
                        area_by_code[row.grid_code].pk,
                        row.grid_code,
                        row.household_number,
                        row.address,
                        row.building,
                        row.unit,
                        row.room,
                        row.residence_type,
                        fieldcrypt.encrypt(phone) if phone else "",
                        phone_hash,
                        mask_phone(phone) if phone else "",
                    ),
                )
            )
            continue
        known[key] = [stored.pk, stored.head_id]  # light: [pk, head] is all the residents' pass needs
        changed = [f for f in HOUSEHOLD_COMPARED if getattr(stored, f) != getattr(row, f)]
        for f in changed:
            setattr(stored, f, getattr(row, f))
        if row.household_phone and phone_hash != stored.phone_hash:
            stored.phone, stored.phone_hash, stored.phone_masked = person_numbers.phone_columns(
                row.household_phone
            )
            changed += ["phone", "phone_hash", "phone_masked"]
        if changed:
            update_fields.update(changed)
            update.append(stored)
    if create:
        ids = _HOUSEHOLD_INSERT.run([values for _key, values in create])
        for (key, _values), pk in zip(create, ids, strict=True):
            known[key] = [pk, None]
        counts.households_created += len(create)
    if update:
        now = clock.now()
        for h in update:
            h.updated_at = now
        Household.objects.bulk_update(update, sorted(update_fields))
        counts.households_updated += len(update)


def _write_residents(
    batch: list[Row],
    known_households: dict,
    actor: User,
    counts: _Counts,
    touched: set[int],
    new_heads: list[int],
) -> None:
    existing = {
        r.id_hash: r
        for r in Resident.objects.filter(id_hash__in=[row.id_hash for row in batch]).defer(
            "id_number", "phone"
        )
    }
    adapt_date = connection.ops.adapt_datefield_value
    # The numbers of the new residents encrypted in one go (fieldcrypt.encrypt_many), taken in row order below.
    plaintexts = []
    for row in batch:
        if row.id_hash not in existing:
            plaintexts.append(row.id_number)
            if row.phone:
                plaintexts.append(row.phone)
    tokens = iter(fieldcrypt.encrypt_many(plaintexts))
    create: list[tuple] = []
    created: list[_NewResident] = []
    update: list[Resident] = []
    update_fields = {"updated_at"}
    renamed: list[Resident] = []
    moves: list[GridMove] = []
    heads: list[tuple[list, Resident | _NewResident]] = []
    label_rows: list[tuple[Resident | _NewResident, list[tuple[str, int]]]] = []
    for row in batch:
        household = known_households[(row.grid_code, row.household_number)]  # [pk, head_id]
        household_id = household[0]
        r: Resident | _NewResident
        stored = existing.get(row.id_hash)
        if stored is None:
            # A new resident goes in as a row of column values (see _Insert), each computed once here:
            # the numbers encrypted above, the ID's keyed hash from the checking pass.
            phone = row.phone
            create.append(
                (
                    household_id,
                    row.grid_code,
                    row.name,
                    names.pinyin_of(row.name),
                    names.initials_of(row.name),
                    next(tokens),
                    row.id_hash,
                    mask_id_number(row.id_number),
                    adapt_date(row.birth_date),
                    row.sex,
                    row.relation,
                    row.ethnicity,
                    next(tokens) if phone else "",
                    personal.phone_hash(phone) if phone else None,
                    mask_phone(phone) if phone else "",
                    row.political_status,
                    row.occupation,
                    row.notes,
                )
            )
            r = _NewResident(household_id, row.grid_code, row.name)
            created.append(r)
        else:
            r = stored
            changed = [f for f in RESIDENT_COMPARED if getattr(r, f) != getattr(row, f)]
            for f in changed:
                setattr(r, f, getattr(row, f))
            if "name" in changed:
                r.name_pinyin, r.name_initials = names.pinyin_of(r.name), names.initials_of(r.name)
                changed += ["name_pinyin", "name_initials"]
                renamed.append(r)
            if row.phone and personal.phone_hash(row.phone) != r.phone_hash:
                r.phone, r.phone_hash, r.phone_masked = person_numbers.phone_columns(row.phone)
                changed += ["phone", "phone_hash", "phone_masked"]
            if r.status != ResidentStatus.PRESENT:
                r.status = ResidentStatus.PRESENT
                changed.append("status")
            if r.household_id != household_id:
                moves.append(
                    GridMove(
                        resident=r,
                        from_code=r.area_code,
                        to_code=row.grid_code,
                        from_household_id=r.household_id,
                        to_household_id=household_id,
                        area_code=row.grid_code,
                        reason="表格导入",
                        moved_by=actor,
                    )
                )
                if r.household_id:
                    touched.add(r.household_id)
                r.household_id, r.area_code = household_id, row.grid_code
                changed += ["household", "area_code"]
                renamed.append(r)
            if changed:
                update_fields.update(changed)
                update.append(r)
            else:
                counts.unchanged += 1
        if row.relation == Relation.HEAD:
            heads.append((household, r))
        if row.key_groups:
            label_rows.append((r, row.key_groups))
    if create:
        for r, pk in zip(created, _RESIDENT_INSERT.run(create), strict=True):
            r.pk = pk
        counts.residents_created += len(create)
    if update:
        now = clock.now()
        for r in update:
            r.updated_at = now
        Resident.objects.bulk_update(update, sorted(update_fields))
        counts.residents_updated += len(update)
    if moves:
        GridMove.objects.bulk_create(moves)
        for r in renamed:
            KeyGroupLabel.objects.filter(resident=r).update(area_code=r.area_code)
    if renamed:
        NameSuffix.objects.filter(resident_id__in=[r.pk for r in renamed]).delete()
    named: list[Resident | _NewResident] = [*created, *renamed]
    suffixes = [(r.pk, r.area_code, s) for r in named for s in names.suffixes_of(r.name)]
    if suffixes:
        # Three plain columns, no ids wanted back: the ORM's per-row cost saved.
        copy_rows(NameSuffix._meta.db_table, ("resident_id", "area_code", "suffix"), suffixes)
    for household, r in heads:
        if household[1] != r.pk:
            household[1] = r.pk
            new_heads.append(household[0])
    if label_rows:
        _write_labels(label_rows, actor, touched)


def _set_heads(household_ids: list[int]) -> None:
    """Point each household at its head, set-wise at the end: one UPDATE per thousand households (updating
    households one by one in the middle of the import was slower than all the inserts together)."""
    now = clock.now()
    head = (
        Resident.objects.filter(
            household_id=OuterRef("pk"), relation=Relation.HEAD, status=ResidentStatus.PRESENT
        )
        .order_by("-id")
        .values("id")[:1]
    )
    for i in range(0, len(household_ids), 1000):
        Household.objects.filter(pk__in=household_ids[i : i + 1000]).update(
            head_id=Subquery(head), updated_at=now
        )


def _write_labels(
    label_rows: list[tuple[Resident | _NewResident, list[tuple[str, int]]]], actor: User, touched: set[int]
) -> None:
    ids = [r.pk for r, _groups in label_rows]
    existing = {(lab.resident_id, lab.kind): lab for lab in KeyGroupLabel.objects.filter(resident_id__in=ids)}
    create, update = [], []
    for r, groups in label_rows:
        for kind, attention in groups:
            label = existing.get((r.pk, kind))
            if label is None:
                create.append(
                    KeyGroupLabel(
                        resident_id=r.pk,
                        area_code=r.area_code,
                        kind=kind,
                        attention=attention,
                        created_by=actor,
                    )
                )
            elif label.attention != attention:
                label.attention = attention
                update.append(label)
            else:
                continue
            if r.household_id is not None:
                touched.add(r.household_id)
    KeyGroupLabel.objects.bulk_create(create)
    if update:
        KeyGroupLabel.objects.bulk_update(update, ["attention"])


def register_import(*, actor: User, area_code: str, upload, request=None) -> RegisterImport:
    """Import a spreadsheet into the register of ``area_code`` (see the module docstring)."""
    require(actor, rules.can_transfer, area_code)
    started = time.perf_counter()
    name = Path(getattr(upload, "name", "upload.xlsx")).name[:200]
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise ImportRejected(
            _("The file is larger than %(mb)d MB; split it into several files.")
            % {"mb": MAX_FILE_BYTES // 2**20},
            code="too_large",
        )
    with translation.override("zh-hans"), tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.xlsx"
        with open(path, "wb") as out:
            for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
                out.write(chunk)
        _check_file(path)
        errors = _Errors()
        with open(Path(tmp) / "rows.pickle", "w+b") as spool:
            rows = _spool(path, area_code, spool, errors)
            record = RegisterImport(created_by=actor, area_code=area_code, file_name=name, rows=rows)
            if errors.count:
                record.status = ImportStatus.REJECTED
                record.error_count, record.errors = errors.count, errors.items
                record.seconds = time.perf_counter() - started
                with transaction.atomic():
                    record.save()
                    audit_record(
                        actor=actor,
                        action="people.import",
                        target=record,
                        request=request,
                        detail={"status": record.status, "rows": rows, "errors": errors.count},
                    )
                return record
            counts = _Counts()
            area_by_code = {
                a.code: a for a in Area.objects.filter(level=Level.GRID, code__startswith=area_code)
            }
            with transaction.atomic():
                known: dict = {}
                touched: set[int] = set()
                new_heads: list[int] = []
                for batch in _read_spool(spool):
                    _write_households(batch, area_by_code, known, counts)
                    _write_residents(batch, known, actor, counts, touched, new_heads)
                _set_heads(new_heads)
                for household in Household.objects.filter(pk__in=touched - {None}):
                    reschedule_visits(household)
                record.status = ImportStatus.DONE
                for field in dataclasses.fields(counts):
                    setattr(record, field.name, getattr(counts, field.name))
                record.seconds = time.perf_counter() - started
                record.save()
                audit_record(
                    actor=actor,
                    action="people.import",
                    target=record,
                    request=request,
                    detail={"status": record.status, "rows": rows, **dataclasses.asdict(counts)},
                )
    return record


# --- export -------------------------------------------------------------------------------------------------


def neutralise(value):
    """A cell value that no spreadsheet will run as a formula (OWASP: prefix with an apostrophe)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


EXPORT_HEADERS = [
    "网格编码", "户编号", "住址", "楼栋", "单元", "门牌号", "居住类型", "户联系电话", "姓名", "身份证号（脱敏）", "性别",
    "出生年份", "与户主关系", "民族", "联系电话（脱敏）", "政治面貌", "职业", "重点人群", "状态", "备注",
]  # fmt: skip


def register_export(*, actor: User, area_code: str, request=None) -> Path:
    """Write the masked register of ``area_code`` to a temporary .xlsx and return its path (the caller sends
    and deletes it). Marked with who exported it and when; audited."""
    require(actor, rules.can_transfer, area_code)
    from openpyxl import Workbook

    from ..selectors import resident_list_for

    exported_at = clock.now()
    wb = Workbook(write_only=True)
    wb.properties.creator = str(actor)[:100]
    ws = wb.create_sheet("居民登记")
    ws.append(
        [
            neutralise(
                f"导出人：{actor}（{actor.get_username()}） 导出时间：{exported_at:%Y-%m-%d %H:%M} 范围：{area_code} "
                "本表已脱敏，仅限工作使用，不得外传"
            )
        ]
    )
    ws.append(EXPORT_HEADERS)
    sex_zh = {"male": "男", "female": "女"}
    status_zh = {"present": "在册", "moved_out": "迁出", "deceased": "死亡"}
    relation_zh = {k: v[0] for k, v in RELATION_ZH.items()}
    rows = 0
    qs = (
        resident_list_for(user=actor, area_code=area_code)
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("labels", queryset=KeyGroupLabel.objects.only("resident_id", "kind", "attention"))
        )
    )
    for r in qs.iterator(chunk_size=2000):
        h = r.household
        labels = ";".join(f"{KEY_GROUP_ZH[lab.kind]}:{ATTENTION_ZH[lab.attention]}" for lab in r.labels.all())
        ws.append(
            [
                neutralise(v)
                for v in (
                    r.area_code,
                    h.number if h else "",
                    mask_numbers_in_text(h.address) if h else "",
                    h.building if h else "",
                    h.unit if h else "",
                    h.room if h else "",
                    RESIDENCE_TYPE_ZH.get(h.residence_type, "") if h else "",
                    h.phone_masked if h else "",
                    r.name,
                    r.id_masked,
                    sex_zh.get(r.sex, ""),
                    r.birth_date.year if r.birth_date else "",
                    relation_zh.get(r.relation, ""),
                    ETHNICITY_ZH.get(r.ethnicity, ""),
                    r.phone_masked,
                    POLITICAL_STATUS_ZH.get(r.political_status, ""),
                    mask_numbers_in_text(r.occupation),
                    labels,
                    status_zh.get(r.status, ""),
                    mask_numbers_in_text(r.notes),
                )
            ]
        )
        rows += 1
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    wb.save(path)
    audit_record(
        actor=actor,
        action="people.export",
        area_code=area_code,
        target_type="people.register",
        target_id=area_code,
        request=request,
        detail={"rows": rows, "masked": True, "at": exported_at.isoformat()},
    )
    return path


__all__ = ["COLUMNS", "XLSX", "neutralise", "register_export", "register_import", "template_bytes"]
