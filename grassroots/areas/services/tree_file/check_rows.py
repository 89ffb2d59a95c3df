"""The checks of each row against the database and the rows above it, and of the village-group rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from ...codes import Level, parent_of
from ...models import AreaKind, VillageGroup
from ...validation import code_range_warning
from ..area_import import in_reach, out_of_reach_message
from ..tree import (
    AreaError,
    check_dates,
    check_grid_kind,
    check_kind,
    check_name,
    check_rename_date,
    check_sequence,
    check_target_households,
    is_current,
)
from .plan import GroupRow, Row, TreePlan


def check_rows(plan: TreePlan) -> None:
    plan.all_codes = {r.code for r in plan.rows if r.code}
    seen: dict[str, Row] = {}
    for row in plan.rows:
        if row.code and row.code in seen:
            plan.error(
                row,
                "code",
                _("Code %(code)s appears twice (also in row %(other)d); keep one row per area.")
                % {"code": row.code, "other": seen[row.code].number},
            )
            continue
        if row.code:
            seen[row.code] = row
            plan.by_code[row.code] = row
        if row.level is None:
            continue
        if not in_reach(plan.actor, plan.root_code, row.code):
            plan.error(row, "code", out_of_reach_message(row.code, plan.root_code))
            continue
        row.existing = plan.db.get(row.code)
        _check_parent(plan, row, seen)
        _check_name(plan, row)
        _check_kind(plan, row)
        _check_dates(plan, row)
        _check_grid(plan, row)


def _check_parent(plan: TreePlan, row: Row, seen: dict[str, Row]) -> None:
    if row.level == Level.PROVINCE:
        return
    code = parent_of(row.code)
    if code not in plan.db and code not in seen:
        later = code in plan.all_codes
        plan.error(
            row,
            "code",
            _("The parent area %(parent)s stands in a row further down; move its row above this one.")
            % {"parent": code}
            if later
            else _("The parent area %(parent)s does not exist; add a row for it above, or create it first.")
            % {"parent": code},
        )
        return
    if row.existing is None:
        start = row.valid_from or plan.today
        closed_by_then = row.valid_until is not None and row.valid_until <= start
        final = plan.final(code)
        if final is None:
            return
        since, until, _level = final
        if not closed_by_then and not (
            (since is None or since <= start) and (until is None or until > start)
        ):
            plan.error(
                row,
                "code",
                _("The parent area %(parent)s is not in force on %(day)s; a new area cannot start under it.")
                % {"parent": code, "day": start},
            )


def _check_name(plan: TreePlan, row: Row) -> None:
    try:
        row.name = check_name(row.name)
    except AreaError as exc:
        plan.error(row, "name", exc.message)
        return
    area = row.existing
    if area is None:
        if row.renamed_on:
            plan.warn(row, "renamed_on", _("A new area has no earlier name; the renaming date is ignored."))
        return
    if row.name == area.name:
        return
    on = row.renamed_on or plan.today
    try:
        if not is_current(area, on):
            raise AreaError(
                _("The area is not in force on %(day)s, so it cannot be renamed on that day.") % {"day": on}
            )
        check_rename_date(name=area.name, since=plan.name_since.get(area.pk, area.valid_from), on=on)
    except AreaError as exc:
        plan.error(row, "renamed_on" if row.renamed_on else "name", exc.message)
        return
    row.changes["name"] = (area.name, row.name, on)


def _check_kind(plan: TreePlan, row: Row) -> None:
    if row.is_grid:
        if row.kind not in (None, AreaKind.GRID):
            plan.error(
                row, "kind", _("A 15-digit code is a grid: write 网格 as its kind, or leave it empty.")
            )
        row.kind = AreaKind.GRID
    elif row.kind is None:
        if row.existing is None and not row.bad:
            plan.error(row, "kind", _("Give the kind of the new area (e.g. 村, 嘎查, 社区)."))
        return
    try:
        check_kind(row.kind, row.level or 0)
    except AreaError as exc:
        plan.error(row, "kind", exc.message)
        return
    warning = code_range_warning(row.code, row.kind)
    if warning:
        plan.warn(row, "kind", warning)
    if row.existing is not None and row.kind != row.existing.kind:
        row.changes["kind"] = (row.existing.kind, row.kind)


def _check_dates(plan: TreePlan, row: Row) -> None:
    try:
        check_dates(row.final_from, row.final_until)
    except AreaError as exc:
        plan.error(row, "valid_until", exc.message)
        return
    area = row.existing
    if area is not None and row.valid_from is not None and row.valid_from != area.valid_from:
        row.changes["valid_from"] = (area.valid_from, row.valid_from)
    if row.successor is not None:
        if row.successor == row.code:
            plan.error(row, "successor", _("An area cannot merge into itself."))
        elif row.final_until is None:
            plan.error(row, "valid_until", _("A merged area needs the date of the merger (失效日期)."))
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


def _check_grid(plan: TreePlan, row: Row) -> None:
    grid_columns = {
        "grid_kind": row.grid_kind,
        "sequence": row.sequence,
        "target_households": row.target_households,
        "village_groups": row.village_groups,
    }
    if not row.is_grid:
        for key, value in grid_columns.items():
            if value is not None:
                plan.error(row, key, _("Only grid rows (15-digit codes) have this column; leave it empty."))
        return
    grid = plan.grids.get(row.existing.pk) if row.existing else None
    if row.existing is not None and grid is None:
        plan.error(row, "code", _("Area %(code)s exists but is not set up as a grid.") % {"code": row.code})
        return
    if grid is None and row.grid_kind is None and not row.bad:
        plan.error(row, "grid_kind", _("Give the kind of the new grid: 社区网格, 专属网格 or 农牧区网格."))
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
            plan.error(row, key, exc.message)
            continue
        if grid is not None and getattr(grid, key if key != "grid_kind" else "kind") != given:
            row.changes[key] = given
    if grid is None and row.sequence is None:
        row.sequence = int(row.code[-3:])


def check_groups(plan: TreePlan) -> None:
    seen: dict[tuple[str, int], GroupRow] = {}
    stored = {
        (g.village.code, g.number): g
        for g in VillageGroup.objects.filter(
            village__code__in={g.village_code for g in plan.groups if g.village_code}
        ).select_related("village")
    }
    for row in plan.groups:
        if row.bad:
            continue
        if not row.village_code:
            plan.group_error(row, "village_code", _("The village code is missing."))
            continue
        final = plan.final(row.village_code)
        if final is None or final[2] != Level.VILLAGE:
            plan.group_error(
                row,
                "village_code",
                _("%(code)s is no village or community in the system or in sheet 区划.")
                % {"code": row.village_code},
            )
            continue
        if not in_reach(plan.actor, plan.root_code, row.village_code):
            plan.group_error(row, "village_code", out_of_reach_message(row.village_code, plan.root_code))
            continue
        if row.group_number is None or not 1 <= row.group_number <= 999:
            plan.group_error(row, "number", _("A village group number runs from 1 to 999."))
            continue
        key = (row.village_code, row.group_number)
        if key in seen:
            plan.group_error(
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
            plan.group_error(row, "name", exc.message)
            continue
        row.existing = stored.get(key)
