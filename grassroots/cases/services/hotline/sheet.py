"""The 12345 hotline's daily sheet: read (the city's headers), checked row by row, each row taken through
:func:`~.orders.order_take` (in a rolled-back transaction for the preview); the import page's kind ``hotline``
and the empty sheet under the city's headers."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots import sheets
from grassroots.accounts.models import User
from grassroots.accounts.rules import require
from grassroots.accounts.services import audit_record
from grassroots.imports import kinds as import_kinds
from grassroots.imports.kinds import RowError
from grassroots.masking import mask_phone

from ... import rules
from ...models import HotlineChannel
from ...workflow import ReportInvalid
from .orders import (
    FIELD_KEYS,
    IMPORT_KIND,
    MAX_REPORTED_ROWS,
    HotlineError,
    OrderInput,
    city_of,
    columns_for,
    intake_field,
    layout_for,
    order_take,
)


@dataclass
class RowOutcome:
    """One row of the sheet as the preview and the report show it (the phone masked)."""

    row: int
    number: str
    received_at: str
    caller_phone_masked: str
    area_code: str
    outcome: str
    reference: str = ""
    changed_fields: list[str] = field(default_factory=list)


@dataclass
class SheetResult:
    errors: list[RowError] = field(default_factory=list)
    rows: list[RowOutcome] = field(default_factory=list)
    created: int = 0
    unchanged: int = 0
    changed: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self, *, max_rows: int = MAX_REPORTED_ROWS) -> dict:
        return {
            "errors": [asdict(e) for e in self.errors[:max_rows]],
            "error_count": len(self.errors),
            "rows": [asdict(r) for r in self.rows[:max_rows]],
            "row_count": len(self.rows),
            "created": self.created,
            "unchanged": self.unchanged,
            "changed": self.changed,
            "written": self.written,
        }


def _time(value, *, what) -> dt.datetime | None:
    """A time from a cell: an Excel date-time, or text such as 2026-03-02 09:15(:00) or 2026/3/2 9:15."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        raw = sheets.text(value).replace("/", "-").replace("年", "-").replace("月", "-").replace("日", " ")
        raw = " ".join(raw.replace("T", " ").split())
        day, _sep, clock_part = raw.partition(" ")
        try:
            parts = [p.zfill(2) for p in day.split("-")]
            moment = dt.datetime.fromisoformat(
                "-".join(parts) + ("T" + _clock(clock_part) if clock_part else "")
            )
        except ValueError:
            raise sheets.CellError(
                _("%(value)s is not a %(what)s; write it as 2026-03-02 09:15.")
                % {"value": sheets.text(value), "what": what}
            ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _clock(text: str) -> str:
    parts = [p.zfill(2) for p in text.split(":")]
    return ":".join(parts)


def _coordinate(value, *, what) -> float | None:
    raw = sheets.text(value)
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise sheets.CellError(
            _("%(what)s is a number, not %(value)s.") % {"what": what, "value": raw}
        ) from None


def _parse(number: int, record: dict, headers: dict, errors: list[RowError]) -> OrderInput | None:
    def fail(key, message):
        errors.append(RowError(number, headers.get(key, key), str(message)))

    values: dict[str, Any] = {}
    for key, parse in (
        ("number", sheets.code_text),
        ("received_at", lambda v: _time(v, what=_("time"))),
        ("caller_name", lambda v: sheets.text(v)[:100]),
        ("caller_phone", sheets.code_text),
        ("description", sheets.text),
        ("hotline_type", sheets.text),
        ("kind", sheets.text),
        ("urgency", sheets.text),
        ("address", lambda v: sheets.text(v)[:200]),
        ("area", sheets.code_text),
        ("due_at", lambda v: _time(v, what=_("time"))),
        ("lon", lambda v: _coordinate(v, what=_("Longitude"))),
        ("lat", lambda v: _coordinate(v, what=_("Latitude"))),
    ):
        try:
            values[key] = parse(record.get(key))
        except sheets.CellError as exc:
            fail(key, exc.message)
    if len(values) < len(FIELD_KEYS):
        return None
    text_cells = [
        values[k] for k in ("number", "caller_name", "description", "hotline_type", "address", "area")
    ]
    if any(isinstance(v, str) and v.startswith(sheets.FORMULA_STARTS) for v in text_cells):
        fail("description", _("A cell starts like a formula (=, +, -, @); remove that sign."))
        return None
    if not values["number"]:
        fail("number", _("Give the work order's number."))
        return None
    if values["received_at"] is None:
        fail("received_at", _("Give the time the call was received."))
        return None
    return OrderInput(**values)


def hotline_import(
    *, actor: User, data: bytes, root_code: str, dry_run: bool = False, request=None
) -> SheetResult:
    """Import a hotline daily sheet into the area ``root_code``: every row checked, then all of them written
    or none. Rows taken in before are ``unchanged`` (nothing written) or ``changed`` (reported, not applied).
    With ``dry_run`` every row runs through the intake inside a transaction that is rolled back, so the
    preview says exactly what the import will do."""
    require(actor, rules.can_import_hotline, root_code)
    city_code = city_of(root_code)
    layout = layout_for(city_code)
    workbook = sheets.open_workbook(data)
    sheet = sheets.read_table(
        sheets.find_sheet(workbook, ["工单", "orders"], first=True), columns_for(layout)
    )
    result = SheetResult()
    orders = [(n, o) for n, rec in sheet.rows if (o := _parse(n, rec, sheet.headers, result.errors))]
    # The rows that parsed run through the intake even when others did not, so that one upload names every
    # problem; with any error the transaction is rolled back.
    with transaction.atomic():
        for number, order in orders:
            try:
                taken = order_take(
                    actor=actor,
                    city_code=city_code,
                    order=order,
                    channel=HotlineChannel.SHEET,
                    within=root_code,
                )
            except (ReportInvalid, HotlineError) as exc:
                key = intake_field(exc)
                result.errors.append(RowError(number, sheet.headers.get(key, key), str(exc.message)))
                continue
            setattr(result, taken.outcome, getattr(result, taken.outcome) + 1)
            result.rows.append(
                RowOutcome(
                    row=number,
                    number=taken.order.number,
                    received_at=timezone.localtime(taken.order.received_at).strftime("%Y-%m-%d %H:%M"),
                    caller_phone_masked=mask_phone(order.caller_phone) if order.caller_phone else "",
                    area_code=taken.order.area_code,
                    outcome=taken.outcome,
                    reference=taken.order.case.reference,
                    changed_fields=taken.changed_fields,
                )
            )
        if result.errors or dry_run:
            transaction.set_rollback(True)  # a rehearsal, or a sheet with errors: nothing stays
        else:
            audit_record(
                actor=actor,
                action="hotline.import",
                detail={
                    "area_code": root_code,
                    "created": result.created,
                    "unchanged": result.unchanged,
                    "changed": result.changed,
                },
                request=request,
            )
    result.errors.sort(key=lambda e: (e.row, e.column))
    result.written = not dry_run and not result.errors
    if result.errors:
        result.created = result.unchanged = result.changed = 0
        result.rows = []
    return result


def hotline_max_bytes() -> int:
    """The size limit of a daily sheet (``settings.CASES_HOTLINE_MAX_BYTES``, default 5 MB)."""
    return getattr(settings, "CASES_HOTLINE_MAX_BYTES", 5 * 1024 * 1024)


def hotline_import_file(
    *, actor: User, file, root_code: str, dry_run: bool = False, request=None
) -> SheetResult:
    """:func:`hotline_import` of a kept upload: the importer the imports app runs for the page's two steps."""
    file.seek(0)
    return hotline_import(
        actor=actor, data=file.read(), root_code=root_code, dry_run=dry_run, request=request
    )


def register_import_kind() -> None:
    """Register the daily sheet as a kind of page import (from ``CasesConfig.ready()``)."""
    import_kinds.register(
        import_kinds.ImportKind(
            name=IMPORT_KIND,
            label=_("12345 hotline daily sheet (.xlsx)"),
            importer=hotline_import_file,
            max_bytes=hotline_max_bytes,
            permission=rules.can_import_hotline,
        )
    )


def sheet_template(*, city_code: str) -> bytes:
    """An empty daily sheet with the city's headers (and a sheet saying what each column takes)."""
    columns = columns_for(layout_for(city_code))
    notes = (
        sheets.Column("column", "列", "column", width=16),
        sheets.Column("required", "必填", "required", width=8),
        sheets.Column("hint", "说明", "hint", width=40),
    )
    return sheets.write_workbook(
        [
            ("工单", columns, []),
            ("说明", notes, [[c.zh, "是" if c.required else "", c.hint] for c in columns]),
        ]
    )
