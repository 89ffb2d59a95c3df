"""Writing a checked plan: new areas level by level, names, successors, village groups, grids, changes."""

from __future__ import annotations

from ...codes import Level, parent_of
from ...models import Area, AreaName, Grid, VillageGroup
from ..tree import boundaries_changed, close_current_name, record_rename
from .plan import Row, TreePlan


def apply(plan: TreePlan) -> None:
    created: dict[str, Area] = {}

    def area_of(code: str) -> Area:
        return created.get(code) or plan.db[code]

    # Every row is checked by now: each has its level, and a new area its kind.
    new_rows = sorted((r for r in plan.rows if r.existing is None), key=lambda r: r.level or 0)
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
            AreaName(area=created[r.code], name=r.name, valid_from=r.valid_from, valid_until=r.valid_until)
            for r in new_rows
        ]
    )
    # Successors may point at areas created above, so they are set once every area exists.
    for r in new_rows:
        if r.successor:
            Area.objects.filter(pk=created[r.code].pk).update(successor=area_of(r.successor))
    groups = _apply_groups(plan, created)
    _apply_new_grids(plan, new_rows, created, groups)
    bump = False
    for row in plan.rows:
        if row.existing is not None and row.changes:
            bump |= _apply_update(plan, row, row.existing, area_of, groups)
    if bump:
        boundaries_changed()


def _apply_groups(plan: TreePlan, created: dict[str, Area]) -> dict[tuple[str, int], VillageGroup]:
    villages = {g.village_code for g in plan.groups} | {
        parent_of(r.code) for r in plan.rows if r.is_grid and r.village_groups
    }
    groups = {
        (g.village.code, g.number): g
        for g in VillageGroup.objects.filter(village__code__in=villages).select_related("village")
    }
    new = []
    for g in plan.groups:
        if g.existing is None:
            assert g.group_number is not None, "a checked group row has its number"
            village = created.get(g.village_code) or plan.db[g.village_code]
            new.append(VillageGroup(village=village, number=g.group_number, name=g.name))
        elif g.existing.name != g.name:
            VillageGroup.objects.filter(pk=g.existing.pk).update(name=g.name)
    for group in VillageGroup.objects.bulk_create(new):
        groups[(group.village.code, group.number)] = group
    return groups


def _apply_new_grids(plan: TreePlan, new_rows, created, groups) -> None:
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
        Grid.village_groups.through(grid_id=created[r.code].pk, villagegroup_id=groups[(r.code[:12], n)].pk)
        for r in rows
        for n in r.village_groups or ()
    ]
    Grid.village_groups.through.objects.bulk_create(links)


def _apply_update(plan: TreePlan, row: Row, area: Area, area_of, groups) -> bool:
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
    grid = plan.grids.get(area.pk)
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
