"""The empty template, and the tree under an area as a workbook that the import reads back unchanged."""

from __future__ import annotations

from collections import defaultdict

from grassroots.accounts import rules
from grassroots.accounts.models import User
from grassroots.accounts.scoping import OutOfScope
from grassroots.accounts.services import audit_record
from grassroots.sheets import write_workbook

from ...codes import Level
from ...models import Area, Grid, VillageGroup
from ...tree_workbook import GROUP_COLUMNS, TREE_COLUMNS, write_template
from ...validation import area_kind_word, grid_kind_word


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
