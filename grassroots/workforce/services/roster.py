"""The grid-worker roster as an Excel workbook: import (checked row by row, all or nothing, idempotent)
and export (masked phones; text that a spreadsheet would run as a formula is kept as text).

One row per worker and grid assignment. A worker is recognised by their mobile number (its keyed hash),
or by name and area when the row has no number, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grassroots import clock, sheets
from grassroots.accounts.models import User
from grassroots.accounts.rules import require
from grassroots.accounts.scoping import scoped
from grassroots.accounts.services import audit_record
from grassroots.areas.codes import Level
from grassroots.areas.models import Area, Grid
from grassroots.imports import kinds as import_kinds
from grassroots.imports.kinds import RowError
from grassroots.masking import mask_phone

from ..models import Assignment, AssignmentRole, GridWorker, RedDuty, WorkerDuty, WorkerKind
from ..rules import WORKFORCE_MANAGER_ROLES, can_import_rosters, can_manage_workforce
from . import WorkforceError, phone_fields

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

COLUMNS: tuple[sheets.Column, ...] = (
    sheets.Column("name", "姓名", "name", required=True, width=12),
    sheets.Column("phone", "手机号", "mobile phone", width=14),
    sheets.Column("kind", "类别", "kind", required=True, width=12, hint="专职/兼职/红色"),
    sheets.Column("party", "党员", "party member", width=8, hint="是/否"),
    sheets.Column("area_code", "所属区划代码", "area code", required=True, width=18),
    sheets.Column("grid_code", "网格代码", "grid code", width=18),
    sheets.Column("role", "角色", "role", width=12, hint="网格长/网格员/网格指导员"),
    sheets.Column("started_on", "开始日期", "from", width=12, hint="YYYY-MM-DD"),
    sheets.Column("duties", "职责", "duties", width=30, hint="政策宣传、治安巡逻"),
)
KIND_WORDS = {
    "专职": WorkerKind.FULL_TIME,
    "专职网格员": WorkerKind.FULL_TIME,
    "兼职": WorkerKind.PART_TIME,
    "兼职网格员": WorkerKind.PART_TIME,
    "红色": WorkerKind.RED,
    "红色网格员": WorkerKind.RED,
    **{k: k for k in WorkerKind.values},
}
ROLE_WORDS = {
    "网格长": AssignmentRole.LEADER,
    "网格员": AssignmentRole.WORKER,
    "网格指导员": AssignmentRole.INSTRUCTOR,
    "指导员": AssignmentRole.INSTRUCTOR,
    **{k: k for k in AssignmentRole.values},
}
DUTY_WORDS = {
    "政策宣传": RedDuty.POLICY,
    "信息传递": RedDuty.INFORMATION,
    "民生服务": RedDuty.LIVELIHOOD,
    "联系群众": RedDuty.LIAISON,
    "文明创建": RedDuty.CIVILITY,
    "治安巡逻": RedDuty.PATROL,
    "卫生监督": RedDuty.HYGIENE,
    **{k: k for k in RedDuty.values},
}
IMPORT_KIND = "roster"  # imports.ImportRun.kind of the roster page's uploads
MAX_REPORTED_ROWS = 1000  # rows and errors a stored report keeps (the counts cover the whole file)
YES = {"是", "y", "yes", "true", "1", "党员"}
NO = {"", "否", "n", "no", "false", "0"}


@dataclass
class RowOutcome:
    """What importing one row does (or did), shown row by row on the preview. ``actions``: worker_created,
    assignment_started, duties_added; empty when the row changes nothing."""

    row: int
    name: str
    phone_masked: str
    kind: str
    area_code: str
    grid_code: str
    role: str
    actions: list[str] = field(default_factory=list)


@dataclass
class RosterResult:
    errors: list[RowError] = field(default_factory=list)
    workers_created: int = 0
    assignments_started: int = 0
    duties_added: int = 0
    unchanged_rows: int = 0
    rows: list[RowOutcome] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        """No row has an error: the check may be confirmed."""
        return not self.errors

    def as_dict(self, *, max_rows: int = MAX_REPORTED_ROWS) -> dict:
        """The report as stored on the page's ``imports.ImportRun`` (at most ``max_rows`` rows and errors
        kept)."""
        return {
            "errors": [asdict(e) for e in self.errors[:max_rows]],
            "error_count": len(self.errors),
            "rows": [asdict(r) for r in self.rows[:max_rows]],
            "row_count": len(self.rows),
            "workers_created": self.workers_created,
            "assignments_started": self.assignments_started,
            "duties_added": self.duties_added,
            "unchanged_rows": self.unchanged_rows,
            "written": self.written,
        }


@dataclass
class _Row:
    number: int
    name: str
    phone: str
    phone_hash: str | None
    kind: str
    party: bool
    area_code: str
    grid_code: str
    role: str
    started_on: dt.date | None
    duties: list[str]


def _words(value, table: dict, *, what: StrOrPromise) -> str:
    raw = sheets.text(value)
    if raw not in table:
        raise sheets.CellError(
            _("%(value)s is not a %(what)s; write one of %(choices)s.")
            % {"value": raw or "—", "what": what, "choices": "、".join(k for k in table if not k.isascii())}
        )
    return table[raw]


def _parse(
    number: int,
    record: dict,
    headers: dict,
    actor: User | None,
    errors: list[RowError],
    root_code: str | None = None,
) -> _Row | None:
    def fail(key, message):
        errors.append(RowError(number, headers.get(key, key), str(message)))

    values: dict[str, Any] = {}  # each column's parsed value, of the column's type (see _Row)
    for key, parse in (
        ("name", lambda v: sheets.text(v)[:100]),
        ("phone", lambda v: phone_fields(sheets.code_text(v))),
        ("kind", lambda v: _words(v, KIND_WORDS, what=_("kind of grid worker"))),
        ("party", lambda v: _yes_no(v)),
        ("area_code", sheets.code_text),
        ("grid_code", sheets.code_text),
        ("role", lambda v: _words(v, ROLE_WORDS, what=_("role")) if sheets.text(v) else ""),
        ("started_on", sheets.date_value),
        ("duties", _duties),
    ):
        try:
            values[key] = parse(record.get(key))
        except (sheets.CellError, WorkforceError) as exc:
            fail(key, exc.message)
    if len(values) < 9:
        return None
    if not values["name"]:
        fail("name", _("Enter the grid worker's name."))
        return None
    if values["grid_code"] and not values["role"]:
        fail("role", _("Give the role on the grid (网格长, 网格员 or 网格指导员)."))
        return None
    if values["duties"] and values["kind"] != WorkerKind.RED:
        fail("duties", _("Only red grid workers take on these duties; leave the column empty."))
        return None
    for key in ("area_code", "grid_code"):
        if not values[key]:
            continue
        if root_code and not values[key].startswith(root_code):
            fail(
                key,
                _("%(code)s is not in %(root)s, the area this roster is imported into.")
                % {"code": values[key], "root": root_code},
            )
            return None
        if actor is not None and not can_manage_workforce(actor, values[key]):
            fail(key, _("%(code)s is outside the areas you manage.") % {"code": values[key]})
            return None
    digits, phone_hash = values["phone"]
    return _Row(
        number,
        values["name"],
        digits,
        phone_hash,
        values["kind"],
        values["party"],
        values["area_code"],
        values["grid_code"],
        values["role"],
        values["started_on"],
        values["duties"],
    )


def _yes_no(value) -> bool:
    raw = sheets.text(value).lower()
    if raw in YES:
        return True
    if raw in NO:
        return False
    raise sheets.CellError(_("Write 是 or 否, not %(value)s.") % {"value": raw})


def _duties(value) -> list[str]:
    raw = sheets.text(value)
    for sep in "，,；; ":
        raw = raw.replace(sep, "、")
    return [_words(part, DUTY_WORDS, what=_("duty")) for part in raw.split("、") if part.strip()]


def roster_import(
    *,
    actor: User | None,
    data: bytes,
    dry_run: bool = False,
    area_code: str | None = None,
    request=None,
) -> RosterResult:
    """Check every row, then write all of them or nothing. With errors, nothing is written and the result
    lists each error with its row and column. With ``dry_run`` the rows are written inside a transaction
    that is rolled back, so the result tells exactly what an import would do (counts and each row's
    actions) and nothing stays. ``area_code``, when given, is the area the roster belongs to: a row whose
    area or grid lies outside it is an error."""
    if actor is not None and area_code:
        require(actor, can_manage_workforce, area_code)
    workbook = sheets.open_workbook(data)
    sheet = sheets.read_table(sheets.find_sheet(workbook, ["网格员", "roster"], first=True), COLUMNS)
    result = RosterResult()
    rows = [
        r for n, rec in sheet.rows if (r := _parse(n, rec, sheet.headers, actor, result.errors, area_code))
    ]
    areas = dict(
        Area.objects.filter(
            code__in={r.area_code for r in rows} | {r.grid_code for r in rows if r.grid_code}
        ).values_list("code", "level")
    )
    for r in rows:
        if areas.get(r.area_code) not in (Level.VILLAGE, Level.GRID):
            result.errors.append(
                RowError(
                    r.number,
                    sheet.headers["area_code"],
                    str(_("%(code)s is not a grid or village.") % {"code": r.area_code}),
                )
            )
        if r.grid_code and areas.get(r.grid_code) != Level.GRID:
            result.errors.append(
                RowError(
                    r.number,
                    sheet.headers.get("grid_code", "grid_code"),
                    str(_("%(code)s is not a grid.") % {"code": r.grid_code}),
                )
            )
    if result.errors:
        result.errors.sort(key=lambda e: (e.row, e.column))
        return result
    with transaction.atomic():
        _write(rows, result, actor)
        if dry_run:
            transaction.set_rollback(True)  # a rehearsal: the counts are real, the rows do not stay
        elif actor is not None:
            audit_record(
                actor=actor,
                action="roster.import",
                detail={
                    "area_code": area_code or "",
                    "workers_created": result.workers_created,
                    "assignments_started": result.assignments_started,
                    "duties_added": result.duties_added,
                },
                request=request,
            )
    result.written = not dry_run
    return result


def roster_max_bytes() -> int:
    """The size limit of a roster workbook (``settings.WORKFORCE_ROSTER_MAX_BYTES``, default 5 MB)."""
    return getattr(settings, "WORKFORCE_ROSTER_MAX_BYTES", 5 * 1024 * 1024)


def roster_import_file(
    *, actor: User, file, root_code: str, dry_run: bool = False, request=None
) -> RosterResult:
    """:func:`roster_import` of a kept upload into the area ``root_code``: the importer of the roster
    page's two steps (check, then confirm), which the imports app runs as a registered import kind."""
    file.seek(0)
    return roster_import(actor=actor, data=file.read(), dry_run=dry_run, area_code=root_code, request=request)


def register_import_kind() -> None:
    """Register the roster as a kind of page import with the imports app (from ``WorkforceConfig.ready()``):
    the check, the kept file, the confirmation by the same person and the expiry are the imports app's
    :mod:`~grassroots.imports.services`."""
    import_kinds.register(
        import_kinds.ImportKind(
            name=IMPORT_KIND,
            label=_("Roster workbook (.xlsx)"),
            importer=roster_import_file,
            max_bytes=roster_max_bytes,
            permission=can_manage_workforce,
        )
    )


def _write(rows: list[_Row], result: RosterResult, actor: User | None) -> None:
    grids = {
        g.area.code: g
        for g in Grid.objects.filter(
            area__code__in={r.grid_code for r in rows if r.grid_code}
        ).select_related("area")
    }
    today = clock.today()
    kind_word, role_word = _words_for_kinds(), _words_for_roles()
    for r in rows:
        changed = False
        outcome = RowOutcome(
            row=r.number,
            name=r.name,
            phone_masked=mask_phone(r.phone) if r.phone else "",
            kind=kind_word[r.kind],
            area_code=r.area_code,
            grid_code=r.grid_code,
            role=role_word.get(r.role, ""),
        )
        result.rows.append(outcome)
        if r.phone_hash:
            # A row's phone names a grid worker only inside the importer's scope: a worker of another area
            # with the same phone is never attached here (the row makes a record of this area instead).
            same_phone = GridWorker.objects.filter(phone_hash=r.phone_hash).order_by("pk")
            if actor is not None:
                same_phone = scoped(same_phone, actor, roles=WORKFORCE_MANAGER_ROLES)
            worker = same_phone.first()
        else:
            worker = GridWorker.objects.filter(
                name=r.name, area_code=r.area_code, phone_hash__isnull=True
            ).first()
        if worker is None:
            worker = GridWorker.objects.create(
                name=r.name,
                phone=r.phone,
                phone_hash=r.phone_hash,
                kind=r.kind,
                is_party_member=r.party or r.kind == WorkerKind.RED,
                area_code=r.area_code,
            )
            result.workers_created += 1
            outcome.actions.append("worker_created")
            changed = True
        if r.grid_code:
            grid = grids[r.grid_code]
            open_exists = Assignment.objects.filter(
                worker=worker, grid=grid, role=r.role, ended_on__isnull=True
            ).exists()
            if not open_exists:
                Assignment.objects.create(
                    worker=worker,
                    grid=grid,
                    area_code=r.grid_code,
                    role=r.role,
                    started_on=r.started_on or today,
                )
                result.assignments_started += 1
                outcome.actions.append("assignment_started")
                changed = True
        for duty in r.duties:
            _obj, created = WorkerDuty.objects.get_or_create(
                worker=worker, duty=duty, area_code=r.grid_code or r.area_code
            )
            if created:
                result.duties_added += 1
                changed = True
                if "duties_added" not in outcome.actions:
                    outcome.actions.append("duties_added")
        if not changed:
            result.unchanged_rows += 1


def roster_export(*, user, area_code: str) -> bytes:
    """The roster of an area as a workbook: one row per worker and open assignment; phones masked."""
    require(user, can_manage_workforce, area_code)
    workers = scoped(GridWorker.objects.filter(area_code__startswith=area_code), user).prefetch_related(
        "duties", "assignments"
    )
    kind_word, role_word = _words_for_kinds(), _words_for_roles()
    duty_word = {v: k for k, v in DUTY_WORDS.items() if not k.isascii()}

    def rows():
        for w in workers:
            duties = "、".join(duty_word[d.duty] for d in w.duties.all())
            base = [
                w.name,
                w.phone_masked,
                kind_word[w.kind],
                "是" if w.is_party_member else "否",
                w.area_code,
            ]
            open_ = [a for a in w.assignments.all() if a.ended_on is None]
            if not open_:
                yield [*base, "", "", "", duties]
            for a in open_:
                yield [*base, a.area_code, role_word[a.role], a.started_on.isoformat(), duties]

    return sheets.write_workbook([("网格员", COLUMNS, rows())])


def _words_for_kinds() -> dict[str, str]:
    return {v: k for k, v in KIND_WORDS.items() if not k.isascii() and "网格员" not in k}


def _words_for_roles() -> dict[str, str]:
    return {v: k for k, v in ROLE_WORDS.items() if not k.isascii() and k != "指导员"}


# --- the template ---------------------------------------------------------------------------------------

NOTE_COLUMNS = (sheets.Column("note", "说明", "notes", width=110),)


def roster_template(*, actor: User) -> bytes:
    """The empty roster workbook: the sheet 网格员 with the Chinese headers, and a sheet 说明 saying what
    each column takes. For those who may import rosters (403 for anyone else)."""
    require(actor, can_import_rosters)
    lines = [
        _("Grid-worker roster template (Grassroots). Fill in the sheet 网格员, one row per worker and grid."),
        _(
            "Required: 姓名 (name), 类别 (kind: 专职, 兼职 or 红色), 所属区划代码 (the worker's grid, or village "
            "for instructors)."
        ),
        _("手机号: 11 digits; a worker is recognised by this number, or by name and area when it is empty."),
        _("党员: 是 or 否 (red grid workers count as party members)."),
        _("网格代码 and 角色: the grid the worker serves and the role there (网格长, 网格员 or 网格指导员)."),
        _("开始日期: YYYY-MM-DD; empty means the day of the import."),
        _("职责 (red grid workers only): %(duties)s, separated by 、")
        % {"duties": "、".join(k for k in DUTY_WORDS if not k.isascii())},
        _("Example: 张三 | 13800000000 | 专职 | 否 | %(grid)s | %(grid)s | 网格长 | 2026-01-05 |")
        % {"grid": "150825100001001"},
        _(
            "A file is imported whole or, when any row has an error, not at all; check it first to see the "
            "errors row by row. Importing the same file again changes nothing."
        ),
    ]
    return sheets.write_workbook(
        [("网格员", COLUMNS, []), ("说明", NOTE_COLUMNS, [[str(line)] for line in lines])]
    )
