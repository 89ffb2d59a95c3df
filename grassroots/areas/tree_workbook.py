"""The area tree's workbook: its sheets and columns, its size limit and the empty template to fill in.

Read and written through :mod:`grassroots.sheets` by ``services/tree_file/``.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from grassroots.sheets import MAX_BYTES, MAX_ROWS, Column, column_letter, header_style

from .validation import GRID_KIND_WORDS, KIND_WORDS

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


def tree_max_bytes() -> int:
    """The size limit of a tree workbook (``settings.AREAS_TREE_IMPORT_MAX_BYTES``, default 10 MB)."""
    return getattr(settings, "AREAS_TREE_IMPORT_MAX_BYTES", MAX_BYTES)


def write_template() -> bytes:
    """The empty template: the two data sheets with drop-downs for the kinds, and an instructions sheet."""
    # Not a cycle: openpyxl is loaded only to write a file (grassroots.sheets reads without it).
    import openpyxl
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    font, fill = header_style()
    tree = workbook.active
    tree.title = TREE_SHEET
    groups = workbook.create_sheet(GROUP_SHEET)
    notes = workbook.create_sheet("说明")
    for ws, columns in ((tree, TREE_COLUMNS), (groups, GROUP_COLUMNS)):
        for i, c in enumerate(columns, start=1):
            cell = ws.cell(row=1, column=i, value=c.zh)
            cell.font, cell.fill = font, fill
            ws.column_dimensions[column_letter(i - 1)].width = c.width
        ws.freeze_panes = "A2"
    kinds = ",".join(words[0] for words in KIND_WORDS.values())
    grid_kinds = ",".join(words[0] for words in GRID_KIND_WORDS.values())
    for key, options in (("kind", kinds), ("grid_kind", grid_kinds)):
        letter = column_letter([c.key for c in TREE_COLUMNS].index(key))
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
