"""The import sheet: its columns (Chinese headers), the code lists' names, the limits, the template, and the
checked row that the phases hand on."""

from __future__ import annotations

import datetime as dt
import io
from typing import NamedTuple

from grassroots.sheets import XLSX_CONTENT_TYPE

from ...codes import (
    ATTENTION_ZH,
    ETHNICITY_ZH,
    KEY_GROUP_ZH,
    POLITICAL_STATUS_ZH,
    RELATION_ZH,
    RESIDENCE_TYPE_ZH,
)

XLSX = XLSX_CONTENT_TYPE
BATCH = 1000  # rows spooled, inserted and written together
MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_ROWS = 200_000
MAX_UNZIPPED_BYTES = 600 * 1024 * 1024  # 200,000 rows of the template unpack to about 170 MB
MAX_REPORTED_ERRORS = 1000

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
    # Not a cycle: openpyxl (about 0.2 s and several MB) is loaded only to write a file, never by the pages
    # or by an import, which reads through grassroots.sheets (docs/performance.md, "Lean reader").
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
