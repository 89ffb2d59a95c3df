"""The rows of an import read from the workbook, what is stored that they refer to, and the report."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.sheets import (
    CellError,
    ImportFileError,
    Sheet,
    code_text,
    date_value,
    int_list,
    int_value,
    text,
)

from ...codes import Level, parent_of
from ...models import Area, AreaName, Grid, VillageGroup
from ...validation import ImportReport, area_kind_from_word, grid_kind_from_word
from ..tree import AreaError, check_code


@dataclasses.dataclass
class Row:
    number: int
    code: str = ""
    level: int | None = None
    name: str = ""
    kind: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    successor: str | None = None
    renamed_on: dt.date | None = None
    grid_kind: str | None = None
    sequence: int | None = None
    target_households: int | None = None
    village_groups: list[int] | None = None
    bad: bool = False
    existing: Area | None = None
    changes: dict = dataclasses.field(default_factory=dict)

    @property
    def is_grid(self) -> bool:
        return self.level == Level.GRID

    @property
    def final_from(self) -> dt.date | None:
        if self.valid_from is not None or self.existing is None:
            return self.valid_from
        return self.existing.valid_from

    @property
    def final_until(self) -> dt.date | None:
        if self.valid_until is not None or self.existing is None:
            return self.valid_until
        return self.existing.valid_until


@dataclasses.dataclass
class GroupRow:
    number: int
    village_code: str = ""
    group_number: int | None = None
    name: str = ""
    bad: bool = False
    existing: VillageGroup | None = None


class TreePlan:
    """Everything one import would do, checked before anything is written: the rows read (``read_tree``,
    ``read_groups``), what is stored (``load``), the report. The checks (``check_rows.py``, ``check_whole.py``)
    and the writing (``write.py``) work on it."""

    def __init__(self, *, actor: User, root_code: str | None, report: ImportReport):
        self.actor = actor
        self.root_code = root_code
        self.report = report
        self.today = clock.today()
        self.rows: list[Row] = []
        self.by_code: dict[str, Row] = {}
        self.groups: list[GroupRow] = []
        self.db: dict[str, Area] = {}
        self.grids: dict[int, Grid] = {}
        self.name_since: dict[int, dt.date | None] = {}
        self.headers: dict[str, str] = {}
        self.group_headers: dict[str, str] = {}
        self.sheet = ""
        self.group_sheet = ""
        self.all_codes: set[str] = set()  # every code in the tree sheet (set by the row checks)

    def error(self, row: Row, key: str, message) -> None:
        row.bad = True
        self.report.error(
            message, row=row.number, column=self.headers.get(key, ""), code=row.code, sheet=self.sheet
        )

    def warn(self, row: Row, key: str, message) -> None:
        self.report.warn(
            message, row=row.number, column=self.headers.get(key, ""), code=row.code, sheet=self.sheet
        )

    def group_error(self, row: GroupRow, key: str, message) -> None:
        row.bad = True
        self.report.error(
            message,
            row=row.number,
            column=self.group_headers.get(key, ""),
            code=row.village_code,
            sheet=self.group_sheet,
        )

    def read_tree(self, sheet: Sheet) -> None:
        self.sheet, self.headers = sheet.title, sheet.headers
        for column in sheet.ignored:
            self.report.warn(
                _("Column %(column)s is not part of the template and is ignored.") % {"column": column},
                sheet=sheet.title,
                row=1,
            )
        for number, record in sheet.rows:
            self.rows.append(self._parse(number, record))
        if not self.rows:
            raise ImportFileError(
                _("Sheet %(sheet)s has no rows below its header.") % {"sheet": sheet.title},
                code="empty_sheet",
            )

    def _cell(self, row: Row, key: str, parse, value):
        try:
            return parse(value)
        except CellError as exc:
            self.error(row, key, exc.message)
        except AreaError as exc:
            self.error(row, key, exc.message)
        return None

    def _parse(self, number: int, record: dict) -> Row:
        row = Row(number=number)
        try:
            row.code = code_text(record.get("code"))
        except CellError as exc:
            self.error(row, "code", exc.message)
        if row.code:
            try:
                row.level = check_code(row.code)
            except AreaError as exc:
                self.error(row, "code", exc.message)
        elif not row.bad:
            self.error(row, "code", _("The code is missing."))
        row.name = text(record.get("name"))
        kind_word = text(record.get("kind"))
        if kind_word:
            row.kind = area_kind_from_word(kind_word)
            if row.kind is None:
                self.error(
                    row,
                    "kind",
                    _(
                        "Unknown kind %(kind)s. Use one of the template's kinds, e.g. 村, 嘎查, 社区, 镇, 苏木, 街道."
                    )
                    % {"kind": kind_word},
                )
        row.valid_from = self._cell(row, "valid_from", date_value, record.get("valid_from"))
        row.valid_until = self._cell(row, "valid_until", date_value, record.get("valid_until"))
        row.renamed_on = self._cell(row, "renamed_on", date_value, record.get("renamed_on"))
        successor = record.get("successor")
        if successor not in (None, ""):
            row.successor = self._cell(row, "successor", code_text, successor) or None
        grid_word = text(record.get("grid_kind"))
        if grid_word:
            row.grid_kind = grid_kind_from_word(grid_word)
            if row.grid_kind is None:
                self.error(
                    row,
                    "grid_kind",
                    _("Unknown grid kind %(kind)s; use 社区网格, 专属网格 or 农牧区网格.")
                    % {"kind": grid_word},
                )
        row.sequence = self._cell(
            row, "sequence", lambda v: int_value(v, what=_("The number (序号)")), record.get("sequence")
        )
        row.target_households = self._cell(
            row,
            "target_households",
            lambda v: int_value(v, what=_("The target household count")),
            record.get("target_households"),
        )
        row.village_groups = self._cell(
            row,
            "village_groups",
            lambda v: int_list(v, what=_("Village groups")),
            record.get("village_groups"),
        )
        return row

    def read_groups(self, sheet: Sheet) -> None:
        self.group_sheet, self.group_headers = sheet.title, sheet.headers
        for number, record in sheet.rows:
            row = GroupRow(number=number)
            try:
                row.village_code = code_text(record.get("village_code"))
            except CellError as exc:
                self.group_error(row, "village_code", exc.message)
            try:
                row.group_number = int_value(record.get("number"), what=_("The group number"))
            except CellError as exc:
                self.group_error(row, "number", exc.message)
            row.name = text(record.get("name"))
            self.groups.append(row)

    def load(self) -> None:
        """The stored areas, grids and names the rows refer to: a handful of queries for the whole file."""
        codes = set()
        for row in self.rows:
            if row.code:
                codes.add(row.code)
                if row.level and row.level > Level.PROVINCE:
                    codes.add(parent_of(row.code))
            if row.successor:
                codes.add(row.successor)
        codes.update(g.village_code for g in self.groups if g.village_code)
        # Boundaries are not part of the tree file: not loading them keeps this fast for a whole city.
        found = (
            Area.objects.filter(code__in=codes)
            .select_related("parent", "successor")
            .defer("boundary", "parent__boundary", "successor__boundary")
        )
        self.db = {a.code: a for a in found}
        ids = [a.pk for a in self.db.values()]
        self.grids = {g.pk: g for g in Grid.objects.filter(pk__in=ids).defer("boundary")}
        self.name_since = dict(
            AreaName.objects.filter(area_id__in=ids, valid_until__isnull=True).values_list(
                "area_id", "valid_from"
            )
        )

    def final(self, code: str) -> tuple[dt.date | None, dt.date | None, int | None] | None:
        """(valid_from, valid_until, level) of ``code`` once the file is applied; None if nowhere."""
        row = self.by_code.get(code)
        if row is not None and row.level is not None:
            return row.final_from, row.final_until, row.level
        area = self.db.get(code)
        if area is not None:
            return area.valid_from, area.valid_until, area.level
        return None

    def count(self) -> None:
        for row in self.rows:
            if row.existing is None:
                self.report.created += 1
            elif row.changes:
                self.report.updated += 1
            else:
                self.report.unchanged += 1
        for g in self.groups:
            if g.existing is None:
                self.report.created += 1
            elif g.existing.name != g.name:
                self.report.updated += 1
            else:
                self.report.unchanged += 1
