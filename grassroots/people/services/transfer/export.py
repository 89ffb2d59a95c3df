"""``register_export``: the masked register of an area as an .xlsx, marked with who exported it, audited."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.db.models import Prefetch

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.accounts.rules import require
from grassroots.accounts.services import audit_record
from grassroots.masking import mask_numbers_in_text
from grassroots.sheets import FORMULA_STARTS

from ... import rules
from ...codes import (
    ATTENTION_ZH,
    ETHNICITY_ZH,
    KEY_GROUP_ZH,
    POLITICAL_STATUS_ZH,
    RELATION_ZH,
    RESIDENCE_TYPE_ZH,
)
from ...models import KeyGroupLabel
from ...selectors import resident_list_for


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
    from openpyxl import Workbook  # loaded only to write a file; see sheet.template_bytes

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
