"""The area tree as an Excel workbook: import (all or nothing, idempotent, row-level errors) and export.

The workbook has a sheet 区划 (one area or grid per row, see ``tree_workbook.TREE_COLUMNS``) and an optional
sheet 村民小组 (village groups). An import reads every row first, checks it against the database and the
rows above it, then checks the file as a whole (successors, sub-areas of closed areas, grid numbers,
village groups). Any error: nothing is written and the report lists every error with its row and column.
No error: everything is written in one transaction. Rows that match what is stored count as unchanged,
so importing the same file twice writes nothing the second time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts import rules
from grassroots.accounts.models import User
from grassroots.accounts.scoping import OutOfScope, has_role
from grassroots.accounts.services import audit_record
from grassroots.errors import NotPermitted
from grassroots.sheets import (
    CellError,
    ImportFileError,
    Sheet,
    code_text,
    date_value,
    file_label,
    find_sheet,
    int_list,
    int_value,
    open_workbook,
    read_table,
    read_upload,
    text,
    write_workbook,
)

from ..codes import Level, parent_of
from ..models import Area, AreaKind, AreaName, Grid, VillageGroup
from ..tree_workbook import GROUP_COLUMNS, TREE_COLUMNS, tree_max_bytes, write_template
from ..validation import (
    ImportReport,
    area_kind_from_word,
    area_kind_word,
    code_range_warning,
    grid_kind_from_word,
    grid_kind_word,
)
from .tree import (
    AreaError,
    boundaries_changed,
    check_code,
    check_dates,
    check_grid_kind,
    check_kind,
    check_name,
    check_rename_date,
    check_sequence,
    check_target_households,
    close_current_name,
    current_q,
    is_current,
    record_rename,
)

TREE_SHEET_NAMES = ("区划", "areas", "tree")
GROUP_SHEET_NAMES = ("村民小组", "village groups")


def authorise_import(actor: User, root_code: str | None) -> None:
    """Imports and exports are for administrators: of ``root_code`` when given, else of any area (each
    row is then checked against their scope)."""
    if root_code:
        rules.require(actor, rules.can_manage_area, root_code)
    elif not has_role(actor, rules.ADMIN_ROLES):
        raise NotPermitted(_("Only administrators import and export areas."))


def in_reach(actor: User, root_code: str | None, code: str) -> bool:
    return (not root_code or code.startswith(root_code)) and rules.can_manage_area(actor, code)


def out_of_reach_message(code: str, root_code: str | None):
    if root_code:
        return _("Code %(code)s lies outside %(root)s, the area this import is for.") % {
            "code": code,
            "root": root_code,
        }
    return _("Code %(code)s lies outside the areas you administer.") % {"code": code}


@dataclasses.dataclass
class _Row:
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
class _GroupRow:
    number: int
    village_code: str = ""
    group_number: int | None = None
    name: str = ""
    bad: bool = False
    existing: VillageGroup | None = None


class _TreePlan:
    """Everything one import would do, checked before anything is written."""

    def __init__(self, *, actor: User, root_code: str | None, report: ImportReport):
        self.actor = actor
        self.root_code = root_code
        self.report = report
        self.today = clock.today()
        self.rows: list[_Row] = []
        self.by_code: dict[str, _Row] = {}
        self.groups: list[_GroupRow] = []
        self.db: dict[str, Area] = {}
        self.grids: dict[int, Grid] = {}
        self.name_since: dict[int, dt.date | None] = {}
        self.headers: dict[str, str] = {}
        self.group_headers: dict[str, str] = {}
        self.sheet = ""
        self.group_sheet = ""

    # --- reporting ---------------------------------------------------------------------------------

    def error(self, row: _Row, key: str, message) -> None:
        row.bad = True
        self.report.error(
            message, row=row.number, column=self.headers.get(key, ""), code=row.code, sheet=self.sheet
        )

    def warn(self, row: _Row, key: str, message) -> None:
        self.report.warn(
            message, row=row.number, column=self.headers.get(key, ""), code=row.code, sheet=self.sheet
        )

    def group_error(self, row: _GroupRow, key: str, message) -> None:
        row.bad = True
        self.report.error(
            message,
            row=row.number,
            column=self.group_headers.get(key, ""),
            code=row.village_code,
            sheet=self.group_sheet,
        )

    # --- reading ---------------------------------------------------------------------------------

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

    def _cell(self, row: _Row, key: str, parse, value):
        try:
            return parse(value)
        except CellError as exc:
            self.error(row, key, exc.message)
        except AreaError as exc:
            self.error(row, key, exc.message)
        return None

    def _parse(self, number: int, record: dict) -> _Row:
        row = _Row(number=number)
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
            row = _GroupRow(number=number)
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

    # --- checking ------------------------------------------------------------------------------------

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

    def check_rows(self) -> None:
        self.all_codes = {r.code for r in self.rows if r.code}
        seen: dict[str, _Row] = {}
        for row in self.rows:
            if row.code and row.code in seen:
                self.error(
                    row,
                    "code",
                    _("Code %(code)s appears twice (also in row %(other)d); keep one row per area.")
                    % {"code": row.code, "other": seen[row.code].number},
                )
                continue
            if row.code:
                seen[row.code] = row
                self.by_code[row.code] = row
            if row.level is None:
                continue
            if not in_reach(self.actor, self.root_code, row.code):
                self.error(row, "code", out_of_reach_message(row.code, self.root_code))
                continue
            row.existing = self.db.get(row.code)
            self._check_parent(row, seen)
            self._check_name(row)
            self._check_kind(row)
            self._check_dates(row)
            self._check_grid(row)

    def _final(self, code: str) -> tuple[dt.date | None, dt.date | None, int | None] | None:
        """(valid_from, valid_until, level) of ``code`` once the file is applied; None if nowhere."""
        row = self.by_code.get(code)
        if row is not None and row.level is not None:
            return row.final_from, row.final_until, row.level
        area = self.db.get(code)
        if area is not None:
            return area.valid_from, area.valid_until, area.level
        return None

    def _check_parent(self, row: _Row, seen: dict[str, _Row]) -> None:
        if row.level == Level.PROVINCE:
            return
        code = parent_of(row.code)
        if code not in self.db and code not in seen:
            later = code in self.all_codes
            self.error(
                row,
                "code",
                _("The parent area %(parent)s stands in a row further down; move its row above this one.")
                % {"parent": code}
                if later
                else _(
                    "The parent area %(parent)s does not exist; add a row for it above, or create it first."
                )
                % {"parent": code},
            )
            return
        if row.existing is None:
            start = row.valid_from or self.today
            closed_by_then = row.valid_until is not None and row.valid_until <= start
            final = self._final(code)
            if final is None:
                return
            since, until, _level = final
            if not closed_by_then and not (
                (since is None or since <= start) and (until is None or until > start)
            ):
                self.error(
                    row,
                    "code",
                    _(
                        "The parent area %(parent)s is not in force on %(day)s; a new area cannot start under it."
                    )
                    % {"parent": code, "day": start},
                )

    def _check_name(self, row: _Row) -> None:
        try:
            row.name = check_name(row.name)
        except AreaError as exc:
            self.error(row, "name", exc.message)
            return
        area = row.existing
        if area is None:
            if row.renamed_on:
                self.warn(
                    row, "renamed_on", _("A new area has no earlier name; the renaming date is ignored.")
                )
            return
        if row.name == area.name:
            return
        on = row.renamed_on or self.today
        try:
            if not is_current(area, on):
                raise AreaError(
                    _("The area is not in force on %(day)s, so it cannot be renamed on that day.")
                    % {"day": on}
                )
            check_rename_date(name=area.name, since=self.name_since.get(area.pk, area.valid_from), on=on)
        except AreaError as exc:
            self.error(row, "renamed_on" if row.renamed_on else "name", exc.message)
            return
        row.changes["name"] = (area.name, row.name, on)

    def _check_kind(self, row: _Row) -> None:
        if row.is_grid:
            if row.kind not in (None, AreaKind.GRID):
                self.error(
                    row, "kind", _("A 15-digit code is a grid: write 网格 as its kind, or leave it empty.")
                )
            row.kind = AreaKind.GRID
        elif row.kind is None:
            if row.existing is None and not row.bad:
                self.error(row, "kind", _("Give the kind of the new area (e.g. 村, 嘎查, 社区)."))
            return
        try:
            check_kind(row.kind, row.level or 0)
        except AreaError as exc:
            self.error(row, "kind", exc.message)
            return
        warning = code_range_warning(row.code, row.kind)
        if warning:
            self.warn(row, "kind", warning)
        if row.existing is not None and row.kind != row.existing.kind:
            row.changes["kind"] = (row.existing.kind, row.kind)

    def _check_dates(self, row: _Row) -> None:
        try:
            check_dates(row.final_from, row.final_until)
        except AreaError as exc:
            self.error(row, "valid_until", exc.message)
            return
        area = row.existing
        if area is not None and row.valid_from is not None and row.valid_from != area.valid_from:
            row.changes["valid_from"] = (area.valid_from, row.valid_from)
        if row.successor is not None:
            if row.successor == row.code:
                self.error(row, "successor", _("An area cannot merge into itself."))
            elif row.final_until is None:
                self.error(row, "valid_until", _("A merged area needs the date of the merger (失效日期)."))
        if area is None:
            return
        closing = row.valid_until is not None and row.valid_until != area.valid_until
        merging = row.successor is not None and row.successor != (
            area.successor.code if area.successor_id and area.successor else None
        )
        if closing or merging:
            row.changes["closed"] = (area.valid_until, row.final_until)
            if row.successor is not None:
                row.changes["successor"] = row.successor

    def _check_grid(self, row: _Row) -> None:
        grid_columns = {
            "grid_kind": row.grid_kind,
            "sequence": row.sequence,
            "target_households": row.target_households,
            "village_groups": row.village_groups,
        }
        if not row.is_grid:
            for key, value in grid_columns.items():
                if value is not None:
                    self.error(
                        row, key, _("Only grid rows (15-digit codes) have this column; leave it empty.")
                    )
            return
        grid = self.grids.get(row.existing.pk) if row.existing else None
        if row.existing is not None and grid is None:
            self.error(
                row, "code", _("Area %(code)s exists but is not set up as a grid.") % {"code": row.code}
            )
            return
        if grid is None and row.grid_kind is None and not row.bad:
            self.error(
                row, "grid_kind", _("Give the kind of the new grid: 社区网格, 专属网格 or 农牧区网格.")
            )
        checks: tuple[tuple[str, Callable[[Any], object], object], ...] = (
            ("grid_kind", check_grid_kind, row.grid_kind),
            ("sequence", check_sequence, row.sequence),
            ("target_households", check_target_households, row.target_households),
        )
        for key, check, given in checks:
            if given is None:
                continue
            try:
                check(given)
            except AreaError as exc:
                self.error(row, key, exc.message)
                continue
            if grid is not None and getattr(grid, key if key != "grid_kind" else "kind") != given:
                row.changes[key] = given
        if grid is None and row.sequence is None:
            row.sequence = int(row.code[-3:])

    def check_groups(self) -> None:
        seen: dict[tuple[str, int], _GroupRow] = {}
        stored = {
            (g.village.code, g.number): g
            for g in VillageGroup.objects.filter(
                village__code__in={g.village_code for g in self.groups if g.village_code}
            ).select_related("village")
        }
        for row in self.groups:
            if row.bad:
                continue
            if not row.village_code:
                self.group_error(row, "village_code", _("The village code is missing."))
                continue
            final = self._final(row.village_code)
            if final is None or final[2] != Level.VILLAGE:
                self.group_error(
                    row,
                    "village_code",
                    _("%(code)s is no village or community in the system or in sheet 区划.")
                    % {"code": row.village_code},
                )
                continue
            if not in_reach(self.actor, self.root_code, row.village_code):
                self.group_error(row, "village_code", out_of_reach_message(row.village_code, self.root_code))
                continue
            if row.group_number is None or not 1 <= row.group_number <= 999:
                self.group_error(row, "number", _("A village group number runs from 1 to 999."))
                continue
            key = (row.village_code, row.group_number)
            if key in seen:
                self.group_error(
                    row,
                    "number",
                    _("Group %(n)d of %(code)s appears twice (also in row %(other)d).")
                    % {"n": row.group_number, "code": row.village_code, "other": seen[key].number},
                )
                continue
            seen[key] = row
            try:
                row.name = check_name(row.name)
            except AreaError as exc:
                self.group_error(row, "name", exc.message)
                continue
            row.existing = stored.get(key)

    def check_whole(self) -> None:
        """Checks that need every row: successors, sub-areas of closed areas, grid numbers, groups."""
        self._check_successors()
        self._check_closed_children()
        self._check_sequences()
        self._check_village_groups()

    def _check_successors(self) -> None:
        for row in self.rows:
            if row.bad or row.successor is None or row.level is None:
                continue
            final = self._final(row.successor)
            if final is None:
                self.error(
                    row,
                    "successor",
                    _("Area %(code)s does not exist (nor in this file).") % {"code": row.successor},
                )
                continue
            since, until, level = final
            if level != row.level:
                self.error(row, "successor", _("An area merges only into an area of the same level."))
                continue
            if not in_reach(self.actor, self.root_code, row.successor):
                self.error(row, "successor", out_of_reach_message(row.successor, self.root_code))
                continue
            on = row.final_until
            if on is not None and not is_current_dates(since, until, on):
                self.error(
                    row,
                    "successor",
                    _("Area %(code)s is not in force on %(day)s, the day of the merger.")
                    % {"code": row.successor, "day": on},
                )

    def _closing_rows(self) -> list[_Row]:
        return [
            r
            for r in self.rows
            if not r.bad
            and r.level is not None
            and r.level < Level.GRID
            and r.final_until is not None
            and (r.existing is None or "closed" in r.changes)
        ]

    def _check_closed_children(self) -> None:
        closing = self._closing_rows()
        if not closing:
            return
        children: dict[str, dict[str, tuple]] = defaultdict(dict)
        stored = Area.objects.filter(parent__code__in=[r.code for r in closing]).values_list(
            "parent__code", "code", "valid_from", "valid_until"
        )
        for parent, code, since, until in stored:
            children[parent][code] = (since, until)
        closing_codes = {r.code for r in closing}
        for row in self.rows:
            if row.level is not None and row.level > Level.PROVINCE and not row.bad:
                parent = parent_of(row.code)
                if parent in closing_codes:
                    children[parent][row.code] = (row.final_from, row.final_until)
        for row in closing:
            on = row.final_until
            open_children = sorted(
                code
                for code, (since, until) in children.get(row.code, {}).items()
                if (since is None or since <= on) and (until is None or until > on)
            )
            if open_children:
                shown = "、".join(open_children[:5]) + ("…" if len(open_children) > 5 else "")
                self.error(
                    row,
                    "valid_until",
                    _(
                        "%(code)s still has %(n)d sub-area(s) in force on %(day)s (%(codes)s). Merge or close "
                        "them in this file or first; codes never move to another parent."
                    )
                    % {"code": row.code, "n": len(open_children), "day": on, "codes": shown},
                )

    def _check_sequences(self) -> None:
        grid_rows = [r for r in self.rows if r.is_grid and not r.bad]
        villages = {parent_of(r.code) for r in grid_rows}
        if not villages:
            return
        final: dict[str, dict[str, int]] = defaultdict(dict)
        stored = (
            Grid.objects.filter(area__parent__code__in=villages)
            .filter(current_q("area__", self.today))
            .values_list("area__parent__code", "area__code", "sequence")
        )
        for village, code, sequence in stored:
            final[village][code] = sequence
        for row in grid_rows:
            village = parent_of(row.code)
            current = is_current_dates(row.final_from, row.final_until, self.today)
            if not current:
                final[village].pop(row.code, None)
            elif row.sequence is not None:
                final[village][row.code] = row.sequence
        for row in grid_rows:
            village = parent_of(row.code)
            if row.code not in final[village]:
                continue
            mine = final[village][row.code]
            others = sorted(c for c, s in final[village].items() if s == mine and c != row.code)
            if others:
                self.error(
                    row,
                    "sequence",
                    _("Grid %(other)s of the same village also has number %(n)d; each grid needs its own.")
                    % {"other": others[0], "n": mine},
                )

    def _check_village_groups(self) -> None:
        wanted = [r for r in self.rows if r.is_grid and not r.bad and r.village_groups]
        villages = {parent_of(r.code) for r in wanted}
        if not villages:
            return
        available: dict[str, set[int]] = defaultdict(set)
        for village, number in VillageGroup.objects.filter(village__code__in=villages).values_list(
            "village__code", "number"
        ):
            available[village].add(number)
        for g in self.groups:
            if not g.bad and g.group_number is not None:
                available[g.village_code].add(g.group_number)
        stored: dict[int, list[int]] = defaultdict(list)  # grid pk → the numbers of the groups it covers
        links = Grid.village_groups.through.objects.filter(
            grid_id__in=[r.existing.pk for r in wanted if r.existing is not None]
        ).order_by("villagegroup__number")
        for grid_id, number in links.values_list("grid_id", "villagegroup__number"):
            stored[grid_id].append(number)
        for row in wanted:
            village = parent_of(row.code)
            missing = [n for n in row.village_groups or () if n not in available[village]]
            if missing:
                self.error(
                    row,
                    "village_groups",
                    _(
                        "Village %(village)s has no group numbered %(numbers)s. Add the groups in sheet "
                        "村民小组 or correct the numbers."
                    )
                    % {"village": village, "numbers": "、".join(map(str, missing))},
                )
                continue
            grid = self.grids.get(row.existing.pk) if row.existing else None
            if grid is not None and stored.get(grid.pk, []) != row.village_groups:
                row.changes["village_groups"] = row.village_groups

    # --- counting and writing ----------------------------------------------------------------------

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

    def apply(self) -> None:
        created: dict[str, Area] = {}

        def area_of(code: str) -> Area:
            return created.get(code) or self.db[code]

        # Every row is checked by now: each has its level, and a new area its kind.
        new_rows = sorted((r for r in self.rows if r.existing is None), key=lambda r: r.level or 0)
        for level in sorted({r.level or 0 for r in new_rows}):
            batch = [r for r in new_rows if r.level == level]
            areas = Area.objects.bulk_create(
                [
                    Area(
                        code=r.code,
                        name=r.name,
                        level=level,
                        kind=r.kind or "",
                        parent=area_of(parent_of(r.code)) if level > Level.PROVINCE else None,
                        valid_from=r.valid_from,
                        valid_until=r.valid_until,
                    )
                    for r in batch
                ]
            )
            created.update({a.code: a for a in areas})
        AreaName.objects.bulk_create(
            [
                AreaName(
                    area=created[r.code], name=r.name, valid_from=r.valid_from, valid_until=r.valid_until
                )
                for r in new_rows
            ]
        )
        # Successors may point at areas created above, so they are set once every area exists.
        for r in new_rows:
            if r.successor:
                Area.objects.filter(pk=created[r.code].pk).update(successor=area_of(r.successor))
        groups = self._apply_groups(created)
        self._apply_new_grids(new_rows, created, groups)
        bump = False
        for row in self.rows:
            if row.existing is not None and row.changes:
                bump |= self._apply_update(row, row.existing, area_of, groups)
        if bump:
            boundaries_changed()

    def _apply_groups(self, created: dict[str, Area]) -> dict[tuple[str, int], VillageGroup]:
        villages = {g.village_code for g in self.groups} | {
            parent_of(r.code) for r in self.rows if r.is_grid and r.village_groups
        }
        groups = {
            (g.village.code, g.number): g
            for g in VillageGroup.objects.filter(village__code__in=villages).select_related("village")
        }
        new = []
        for g in self.groups:
            if g.existing is None:
                assert g.group_number is not None, "a checked group row has its number"
                village = created.get(g.village_code) or self.db[g.village_code]
                new.append(VillageGroup(village=village, number=g.group_number, name=g.name))
            elif g.existing.name != g.name:
                VillageGroup.objects.filter(pk=g.existing.pk).update(name=g.name)
        for group in VillageGroup.objects.bulk_create(new):
            groups[(group.village.code, group.number)] = group
        return groups

    def _apply_new_grids(self, new_rows, created, groups) -> None:
        rows = [r for r in new_rows if r.is_grid]
        Grid.objects.bulk_create(
            [
                Grid(
                    area=created[r.code],
                    kind=r.grid_kind,
                    sequence=r.sequence,
                    target_households=r.target_households,
                )
                for r in rows
            ]
        )
        links = [
            Grid.village_groups.through(
                grid_id=created[r.code].pk, villagegroup_id=groups[(r.code[:12], n)].pk
            )
            for r in rows
            for n in r.village_groups or ()
        ]
        Grid.village_groups.through.objects.bulk_create(links)

    def _apply_update(self, row: _Row, area: Area, area_of, groups) -> bool:
        """Write one changed row of the stored ``area``; True when the routing index must be rebuilt."""
        changes = row.changes
        bump = False
        if "name" in changes:
            _old, new, on = changes["name"]
            record_rename(area, new, on)
        fields = []
        if "kind" in changes:
            area.kind = changes["kind"][1]
            fields.append("kind")
        if "valid_from" in changes:
            AreaName.objects.filter(area=area, valid_from=area.valid_from).update(valid_from=row.valid_from)
            area.valid_from = row.valid_from
            fields.append("valid_from")
        if "closed" in changes:
            until = row.final_until
            assert until is not None, "a closing or merger is planned with its date"
            area.valid_until = until
            if "successor" in changes:
                area.successor = area_of(changes["successor"])
            fields += ["valid_until", "successor"]
            close_current_name(area, until)
            bump = (
                Area.objects.filter(pk=area.pk, boundary__isnull=False).exists()
                or Grid.objects.filter(pk=area.pk, boundary__isnull=False).exists()
            )
        if fields:
            area.save(update_fields=[*fields, "updated_at"])
        grid = self.grids.get(area.pk)
        if grid is not None:
            grid_fields = []
            for key, attr in (("grid_kind", "kind"), ("sequence", "sequence"), ("target_households", None)):
                if key in changes:
                    setattr(grid, attr or key, changes[key])
                    grid_fields.append(attr or key)
            if grid_fields:
                grid.save(update_fields=grid_fields)
            if "village_groups" in changes:
                grid.village_groups.set([groups[(area.code[:12], n)] for n in changes["village_groups"]])
        return bump


def is_current_dates(since: dt.date | None, until: dt.date | None, on: dt.date) -> bool:
    return (since is None or since <= on) and (until is None or until > on)


def tree_import(
    *, actor: User, file, root_code: str | None = None, dry_run: bool = False, request=None
) -> ImportReport:
    """Import the tree from an uploaded workbook; see the module docstring.

    Raises :class:`ImportFileError` when the file as a whole is unusable (not an .xlsx, damaged, too large,
    columns missing); returns the report otherwise. ``report.written`` says whether anything was saved."""
    authorise_import(actor, root_code)
    data = read_upload(file, max_bytes=tree_max_bytes())
    workbook = open_workbook(data)
    report = ImportReport(kind="tree", dry_run=dry_run)
    plan = _TreePlan(actor=actor, root_code=root_code, report=report)
    try:
        tree_sheet = find_sheet(workbook, TREE_SHEET_NAMES, first=True)
        plan.read_tree(read_table(tree_sheet, TREE_COLUMNS))
        group_sheet = find_sheet(workbook, GROUP_SHEET_NAMES)
        if group_sheet is not None and group_sheet is not tree_sheet:
            plan.read_groups(read_table(group_sheet, GROUP_COLUMNS))
    finally:
        workbook.close()
    if dry_run:
        _check(plan)
        return report
    try:
        # Checked and written in one transaction, so that nothing changes between the check and the write.
        with transaction.atomic():
            _check(plan)
            if report.errors:
                return report
            plan.apply()
            audit_record(
                actor=actor,
                action="areas.tree_import",
                area_code=root_code or "",
                request=request,
                detail={
                    "file_sha256": hashlib.sha256(data).hexdigest(),
                    "file_name": file_label(file),
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
    except IntegrityError:
        raise AreaError(
            _(
                "Someone changed the same areas while this file was imported. Nothing was saved; import it again."
            ),
            code="import_conflict",
            status=409,
        ) from None
    report.written = True
    return report


def _check(plan: _TreePlan) -> None:
    plan.load()
    plan.check_rows()
    plan.check_groups()
    plan.check_whole()
    plan.count()
    plan.report.sort((plan.sheet, plan.group_sheet))


def tree_template() -> bytes:
    """The empty import template (.xlsx)."""
    return write_template()


def tree_export(*, actor: User, root_code: str, request=None) -> bytes:
    """Every area under ``root_code`` (closed ones too, with their dates and successors) and the village
    groups, as a workbook that :func:`tree_import` reads back unchanged."""
    rules.require(actor, rules.can_manage_area, root_code)
    if not Area.objects.filter(code=root_code).exists():
        raise OutOfScope
    areas = (
        Area.objects.under(root_code)
        .order_by("code")
        .values_list(
            "code",
            "name",
            "kind",
            "level",
            "valid_from",
            "valid_until",
            "successor__code",
            "grid__kind",
            "grid__sequence",
            "grid__target_households",
        )
    )
    links: dict[str, list[int]] = defaultdict(list)
    for code, number in (
        Grid.village_groups.through.objects.filter(grid__area__code__startswith=root_code)
        .order_by("villagegroup__number")
        .values_list("grid__area__code", "villagegroup__number")
    ):
        links[code].append(number)

    def tree_rows():
        for (
            code,
            name,
            kind,
            level,
            since,
            until,
            successor,
            grid_kind,
            sequence,
            households,
        ) in areas.iterator(chunk_size=2000):
            is_grid = level == Level.GRID
            yield [
                code,
                name,
                area_kind_word(kind),
                since,
                until,
                successor,
                None,
                grid_kind_word(grid_kind) if is_grid and grid_kind else None,
                sequence if is_grid else None,
                households if is_grid else None,
                "、".join(map(str, links.get(code, []))) or None,
            ]

    groups = (
        VillageGroup.objects.filter(village__code__startswith=root_code)
        .order_by("village__code", "number")
        .values_list("village__code", "number", "name")
    )
    data = write_workbook(
        [
            ("区划", TREE_COLUMNS, tree_rows()),
            ("村民小组", GROUP_COLUMNS, (list(g) for g in groups.iterator(chunk_size=2000))),
        ]
    )
    audit_record(actor=actor, action="areas.tree_export", area_code=root_code, request=request)
    return data
