"""The checking pass: every row checked field by field, against the file (IDs and households seen before)
and the database (residents registered elsewhere); good rows spooled for the writing pass."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from grassroots import clock, personal
from grassroots.areas.codes import Level
from grassroots.areas.models import Area
from grassroots.sheets import FORMULA_STARTS

from ... import idnumber, person_numbers
from ...codes import (
    ETHNICITY_ZH,
    POLITICAL_STATUS_ZH,
    RELATION_ZH,
    RESIDENCE_TYPE_ZH,
    PoliticalStatus,
    Relation,
    ResidenceType,
    lookup_zh,
)
from ...errors import IdNumberError, ImportRejected, PeopleError
from ...models import Resident
from . import sheet
from .parse import Errors, cell_text, header_map, open_rows, parse_key_groups
from .sheet import ETHNICITY_BY_NAME, HEADER_OF, MAX_ROWS, Row

_OPTIONAL_CODES = (
    ("residence_type", ResidenceType.REGISTERED),
    ("ethnicity", ""),
    ("political_status", PoliticalStatus.MASSES),
)


class RowChecker:
    """Checks rows field by field (``checker(line, values)`` returns a Row, or None after adding the row's
    errors). What is the same on many rows is worked out once: the column positions, today's date, the
    lookups of code-list cells (relation, ethnicity, key groups …) by their text."""

    def __init__(self, columns: dict[str, int], grids: set[str], area_code: str, errors: Errors):
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
                    value = parse_key_groups(text)
                except PeopleError as exc:
                    message = str(exc.message)
            found = self.lookups[(key, text)] = (value, message)
        return found

    def __call__(self, line: int, values: tuple):
        errors = self.errors
        before = errors.count
        cell, bad = self._cells(line, values)
        get = cell.get

        def required(key, max_length):
            value = get(key, "")
            if key in bad:
                return value
            if not value:
                errors.add(line, HEADER_OF[key], _("This cell is required."))
            elif len(value) > max_length:
                errors.add(line, HEADER_OF[key], _("At most %(n)d characters.") % {"n": max_length})
            return value

        grid_code = required("grid_code", 15)
        if grid_code and grid_code not in self.grids:
            errors.add(
                line,
                HEADER_OF["grid_code"],
                _("%(code)s is not a grid of the area %(area)s you are importing into.")
                % {"code": grid_code, "area": self.area_code},
            )
        number = required("household_number", 32)
        address = required("address", 200)
        name = required("name", 100)
        parsed = self._id_number(line, cell, bad)
        relation, residence, ethnicity, political = self._codes(line, cell, bad)
        phone, household_phone = self._phones(line, cell)
        groups: list[tuple[str, int]] = []
        if get("key_groups"):
            groups, message = self._lookup("key_groups", cell["key_groups"])
            if message is not None:
                errors.add(line, HEADER_OF["key_groups"], message)
                groups = []
        for key, length in (
            ("building", 20),
            ("unit", 20),
            ("room", 20),
            ("occupation", 100),
            ("notes", 2000),
        ):
            if len(get(key, "")) > length:
                errors.add(line, HEADER_OF[key], _("At most %(n)d characters.") % {"n": length})
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

    def _cells(self, line: int, values: tuple) -> tuple[dict[str, str], set[str]]:
        """The text of each known column's cell, and the cells already reported (not checked again): an ID
        number stored as a number, a cell that starts like a formula."""
        add = self.errors.add
        cell: dict[str, str] = {}
        bad: set[str] = set()
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
                text = cell_text(raw)
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
        return cell, bad

    def _id_number(self, line: int, cell: dict[str, str], bad: set[str]):
        """The parsed ID number of a row, or None (its error added)."""
        id_text = cell.get("id_number")
        if id_text:
            try:
                return idnumber.parse(id_text, today=self.today)
            except IdNumberError as exc:
                self.errors.add(line, HEADER_OF["id_number"], exc.message)
        elif self.has_id_column and "id_number" not in bad:
            self.errors.add(line, HEADER_OF["id_number"], _("This cell is required."))
        return None

    def _phones(self, line: int, cell: dict[str, str]) -> tuple[str, str]:
        """The digits of the person's and the household's phone numbers ("" when empty or wrong)."""
        phones = []
        for key in ("phone", "household_phone"):
            digits = ""
            if cell.get(key):
                try:
                    digits = person_numbers.phone_digits(cell[key])
                except PeopleError as exc:
                    self.errors.add(line, HEADER_OF[key], exc.message)
            phones.append(digits)
        return phones[0], phones[1]

    def _codes(self, line: int, cell: dict[str, str], bad: set[str]):
        """The code-list cells of a row: relation, and residence type, ethnicity, political status (their
        default when empty)."""
        add = self.errors.add
        lookup = self._lookup
        relation, message = lookup("relation", cell.get("relation", ""))
        if message is not None and "relation" not in bad:
            add(line, HEADER_OF["relation"], message)
        coded = []
        for key, default in _OPTIONAL_CODES:
            value = default
            if cell.get(key):
                value, message = lookup(key, cell[key])
                if message is not None:
                    add(line, HEADER_OF[key], message)
            coded.append(value)
        residence, ethnicity, political = coded
        return relation, residence, ethnicity, political


def _check_existing(batch: list[Row], area_code: str, errors: Errors) -> None:
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


def spool_checked(path: Path, area_code: str, spool, errors: Errors) -> int:
    """The checking pass: every row checked, good rows pickled to ``spool``; returns the number of rows."""
    rows = open_rows(path)
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
    columns = header_map(header, errors)
    if errors.count:
        return 0
    grids = set(
        Area.objects.filter(level=Level.GRID, code__startswith=area_code).values_list("code", flat=True)
    )
    # ID hashes seen, as the first 16 bytes of the digest (49 bytes an entry instead of 113 for the hex
    # string): 128 bits cannot collide among 200,000 rows.
    check = RowChecker(columns, grids, area_code, errors)
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
        if len(batch) >= sheet.BATCH:
            _check_existing(batch, area_code, errors)
            pickle.dump(batch, spool, protocol=pickle.HIGHEST_PROTOCOL)
            batch = []
    if batch:
        _check_existing(batch, area_code, errors)
        pickle.dump(batch, spool, protocol=pickle.HIGHEST_PROTOCOL)
    if count == 0 and not errors.count:
        raise ImportRejected(_("The file has headers but no rows."), code="empty")
    return count
