"""The checks that need every row: successors, sub-areas of closed areas, grid numbers, village groups."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from ...codes import Level, parent_of
from ...models import Area, Grid, VillageGroup
from ..area_import import in_reach, out_of_reach_message
from ..tree import current_q
from .plan import Row, TreePlan


def check_whole(plan: TreePlan) -> None:
    """Checks that need every row: successors, sub-areas of closed areas, grid numbers, groups."""
    _check_successors(plan)
    _check_closed_children(plan)
    _check_sequences(plan)
    _check_village_groups(plan)


def _check_successors(plan: TreePlan) -> None:
    for row in plan.rows:
        if row.bad or row.successor is None or row.level is None:
            continue
        final = plan.final(row.successor)
        if final is None:
            plan.error(
                row,
                "successor",
                _("Area %(code)s does not exist (nor in this file).") % {"code": row.successor},
            )
            continue
        since, until, level = final
        if level != row.level:
            plan.error(row, "successor", _("An area merges only into an area of the same level."))
            continue
        if not in_reach(plan.actor, plan.root_code, row.successor):
            plan.error(row, "successor", out_of_reach_message(row.successor, plan.root_code))
            continue
        on = row.final_until
        if on is not None and not is_current_dates(since, until, on):
            plan.error(
                row,
                "successor",
                _("Area %(code)s is not in force on %(day)s, the day of the merger.")
                % {"code": row.successor, "day": on},
            )


def _closing_rows(plan: TreePlan) -> list[Row]:
    return [
        r
        for r in plan.rows
        if not r.bad
        and r.level is not None
        and r.level < Level.GRID
        and r.final_until is not None
        and (r.existing is None or "closed" in r.changes)
    ]


def _check_closed_children(plan: TreePlan) -> None:
    closing = _closing_rows(plan)
    if not closing:
        return
    children: dict[str, dict[str, tuple]] = defaultdict(dict)
    stored = Area.objects.filter(parent__code__in=[r.code for r in closing]).values_list(
        "parent__code", "code", "valid_from", "valid_until"
    )
    for parent, code, since, until in stored:
        children[parent][code] = (since, until)
    closing_codes = {r.code for r in closing}
    for row in plan.rows:
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
            plan.error(
                row,
                "valid_until",
                _(
                    "%(code)s still has %(n)d sub-area(s) in force on %(day)s (%(codes)s). Merge or close "
                    "them in this file or first; codes never move to another parent."
                )
                % {"code": row.code, "n": len(open_children), "day": on, "codes": shown},
            )


def _check_sequences(plan: TreePlan) -> None:
    grid_rows = [r for r in plan.rows if r.is_grid and not r.bad]
    villages = {parent_of(r.code) for r in grid_rows}
    if not villages:
        return
    final: dict[str, dict[str, int]] = defaultdict(dict)
    stored = (
        Grid.objects.filter(area__parent__code__in=villages)
        .filter(current_q("area__", plan.today))
        .values_list("area__parent__code", "area__code", "sequence")
    )
    for village, code, sequence in stored:
        final[village][code] = sequence
    for row in grid_rows:
        village = parent_of(row.code)
        current = is_current_dates(row.final_from, row.final_until, plan.today)
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
            plan.error(
                row,
                "sequence",
                _("Grid %(other)s of the same village also has number %(n)d; each grid needs its own.")
                % {"other": others[0], "n": mine},
            )


def _check_village_groups(plan: TreePlan) -> None:
    wanted = [r for r in plan.rows if r.is_grid and not r.bad and r.village_groups]
    villages = {parent_of(r.code) for r in wanted}
    if not villages:
        return
    available: dict[str, set[int]] = defaultdict(set)
    for village, number in VillageGroup.objects.filter(village__code__in=villages).values_list(
        "village__code", "number"
    ):
        available[village].add(number)
    for g in plan.groups:
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
            plan.error(
                row,
                "village_groups",
                _(
                    "Village %(village)s has no group numbered %(numbers)s. Add the groups in sheet "
                    "村民小组 or correct the numbers."
                )
                % {"village": village, "numbers": "、".join(map(str, missing))},
            )
            continue
        grid = plan.grids.get(row.existing.pk) if row.existing else None
        if grid is not None and stored.get(grid.pk, []) != row.village_groups:
            row.changes["village_groups"] = row.village_groups


def is_current_dates(since: dt.date | None, until: dt.date | None, on: dt.date) -> bool:
    return (since is None or since <= on) and (until is None or until > on)
