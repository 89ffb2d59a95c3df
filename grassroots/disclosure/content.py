"""What a notice says, checked before it is stored: roster rows (from Excel or JSON), water-fee rows and
finance statements. Amounts are Decimal with fen precision, stored as strings ("1234.50").

Only the public fields of a roster are kept (``masking.PUBLIC_ROSTER_FIELDS``): columns such as ID number,
phone, bank account, income or health are recognised, dropped and reported, never stored.

A stored roster is written back as a sheet (:func:`roster_workbook`) with the headers and words staff type, so
that a downloaded roster, edited in Excel, is read by :func:`read_roster` as a correction of itself.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from grassroots import sheets
from grassroots.errors import DomainError

from . import display
from .models import NoticeKind

FEN = Decimal("0.01")
MAX_ROWS = 5000
MAX_SHEET_BYTES = 5 * 2**20  # 5,000 rows of a roster are well under 1 MB
SHEET_ROW = "sheet_row"  # a row read from a sheet carries its row number there, for error messages
SHEET_TITLE = "名单"
SHEET_WIDTHS = {"name": 12, "village_group": 10, "household_size": 10, "reason": 30}


class ContentInvalid(DomainError):
    code = "content_invalid"
    status = 422


HEADERS = {
    "name": ("name", "姓名", "户主", "户主姓名", "户名"),
    "village_group": ("village_group", "village group", "村民小组", "小组", "组", "所在组"),
    "household_size": ("household_size", "household size", "家庭人口", "户人口", "人口", "保障人口"),
    "amount": ("amount", "金额", "发放金额", "月保障金额", "保障金额", "补贴金额", "救助金额"),
    "previous_amount": ("previous_amount", "previous amount", "原金额", "原保障金额"),
    "change": ("change", "变动", "变动类型", "类型"),
    "reason": ("reason", "原因", "理由", "变动原因"),
    "period": ("period", "发放期", "期间", "所属期"),
    "starts_on": ("starts_on", "starts on", "起始日期", "日期", "发放日期"),
    "due": ("due", "应缴", "应缴金额", "应收"),
    "paid": ("paid", "实缴", "已缴", "已缴金额", "实收"),
}
# Each column's name in a sheet: its first Chinese spelling above. Downloads are written with these headers
# and errors name the column by them, so a message points at the header staff see.
COLUMN_HEADERS = {key: next(n for n in names if not n.isascii()) for key, names in HEADERS.items()}
# Recognised and refused: they never reach a notice.
PRIVATE_HEADERS = (
    "身份证", "身份证号", "身份证号码", "id", "id number", "电话", "手机", "手机号", "联系电话", "phone",
    "银行账号", "银行卡号", "账号", "bank account", "收入", "家庭收入", "年收入", "income", "健康", "健康状况",
    "病种", "残疾", "health",
)  # fmt: skip

CHANGES = {
    "added": "added", "新增": "added", "纳入": "added",
    "removed": "removed", "停保": "removed", "退出": "removed", "取消": "removed",
    "changed": "changed", "调整": "changed", "变更": "changed", "增发": "changed", "减发": "changed",
}  # fmt: skip
# The word written for each stored change: the first Chinese spelling above.
CHANGE_WORDS = {
    code: next(w for w, c in CHANGES.items() if c == code and not w.isascii())
    for code in set(CHANGES.values())
}

REQUIRED = {
    NoticeKind.SUBSIDY: ("name", "village_group", "amount"),
    NoticeKind.RELIEF: ("name", "village_group", "amount"),
    NoticeKind.ALLOWANCE: ("name", "village_group", "household_size", "change", "amount"),
    NoticeKind.WATER_FEE: ("name", "village_group", "due", "paid"),
}


def money(value, *, allow_negative: bool = False) -> Decimal:
    """A Decimal with fen precision; raises ValueError with a message a person understands."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("¥", "").replace("元", ""))
    except (InvalidOperation, ValueError):
        raise ValueError(_("not an amount; write it like 1234.50")) from None
    if not amount.is_finite():
        raise ValueError(_("not an amount; write it like 1234.50"))
    if amount != amount.quantize(FEN):
        raise ValueError(_("more precise than a fen; round it to two decimals"))
    if amount < 0 and not allow_negative:
        raise ValueError(_("must not be negative"))
    return amount.quantize(FEN)


def _date(value) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(_("not a date; write it like 2026-03-31")) from None


def _header_key(header) -> str | None:
    text = str(header or "").strip().lower()
    for key, names in HEADERS.items():
        if text in names:
            return key
    return None


def _is_private(header) -> bool:
    text = str(header or "").strip().lower().replace("_", " ")
    return any(text == p or (len(p) > 1 and p in text and not p.isascii()) for p in PRIVATE_HEADERS)


def private_columns(rows) -> list[str]:
    """The private columns (ID, phone, bank account, income, health) among the keys of roster rows sent as
    JSON, in the order they first appear: :func:`check_rows` keeps only public fields, and the sender is
    told which private ones it dropped, as for a sheet."""
    found: dict[str, None] = {}
    for row in rows or []:
        if isinstance(row, dict):
            found.update((str(key), None) for key in row if _is_private(key))
    return list(found)


def check_rows(kind: str, rows: list[dict], *, groups: dict[str, str]) -> list[dict]:
    """Validate roster rows (dicts keyed by public field name); return the stored form.

    ``groups`` maps every accepted spelling of a village group (name, number) to its name. Raises
    :class:`ContentInvalid` listing each wrong row and column (``detail["rows"]``: the row, the column's key
    and its header in a sheet, the message), having stored nothing. Rows are numbered as in a sheet whose
    header is row 1, unless a row says its number in the sheet it was read from (``SHEET_ROW``).
    """
    if kind not in REQUIRED:
        raise ContentInvalid(_("This kind of notice has no roster."), detail={"kind": kind})
    if not rows:
        raise ContentInvalid(_("The roster is empty; add at least one row."))
    if len(rows) > MAX_ROWS:
        raise ContentInvalid(_("A roster holds at most %(n)s rows; split it.") % {"n": MAX_ROWS})
    problems: list[dict] = []

    def wrong(line, column, message):
        problems.append(
            {"row": line, "column": column, "header": COLUMN_HEADERS[column], "message": str(message)}
        )

    out = [
        _checked_row(kind, raw, raw.get(SHEET_ROW) or position, groups, wrong)
        for position, raw in enumerate(rows, start=2)  # row 1 is the header in a sheet
    ]
    if problems:
        first = problems[0]
        raise ContentInvalid(
            _("Row %(row)s, column %(column)s: %(message)s. Correct the sheet and import it again.")
            % {**first, "column": first["header"]},
            detail={"rows": problems},
        )
    return out


def _checked_row(kind: str, raw: dict, line, groups: dict[str, str], wrong) -> dict:
    """One roster row in its stored form; each wrong value told to ``wrong(line, column, message)``."""
    row: dict = {}
    for column in REQUIRED[kind]:
        if raw.get(column) in (None, ""):
            wrong(line, column, _("is missing"))
    name = str(raw.get("name") or "").strip()
    if name:
        if len(name) > 40:
            wrong(line, "name", _("is longer than 40 characters"))
        row["name"] = name
    group = raw.get("village_group")
    if group not in (None, ""):
        key = str(group).strip()
        if isinstance(group, float) and group.is_integer():
            key = str(int(group))
        if key not in groups:
            wrong(line, "village_group", _("is not a village group of this village"))
        else:
            row["village_group"] = groups[key]
    size = raw.get("household_size")
    if size not in (None, ""):
        try:
            number = int(Decimal(str(size)))
            if number < 1 or number > 30 or Decimal(str(size)) != number:
                raise ValueError
            row["household_size"] = number
        except (InvalidOperation, ValueError):
            wrong(line, "household_size", _("must be a whole number of people from 1 to 30"))
    for column in ("amount", "previous_amount", "due", "paid"):
        value = raw.get(column)
        if value in (None, ""):
            continue
        try:
            row[column] = str(money(value))
        except ValueError as exc:
            wrong(line, column, exc)
    if raw.get("change") not in (None, ""):
        change = CHANGES.get(str(raw["change"]).strip().lower())
        if change is None:
            wrong(line, "change", _("must be added (新增), removed (停保) or changed (调整)"))
        else:
            row["change"] = change
            if change in ("removed", "changed") and not str(raw.get("reason") or "").strip():
                wrong(line, "reason", _("say why the allowance stops or changes"))
            if change == "changed" and raw.get("previous_amount") in (None, ""):
                wrong(line, "previous_amount", _("give the amount before the change"))
    for column in ("reason", "period"):
        if raw.get(column) not in (None, ""):
            row[column] = str(raw[column]).strip()[:200]
    if raw.get("starts_on") not in (None, ""):
        try:
            row["starts_on"] = _date(raw["starts_on"])
        except ValueError as exc:
            wrong(line, "starts_on", exc)
    if kind == NoticeKind.WATER_FEE and "due" in row and "paid" in row:
        unpaid = Decimal(row["due"]) - Decimal(row["paid"])
        if unpaid < 0:
            wrong(line, "paid", _("is more than is due; check both figures"))
        else:
            row["unpaid"] = str(unpaid)
    return row


def read_roster(file) -> tuple[list[dict], list[str]]:
    """Rows of the first worksheet as dicts keyed by public field names, and the private columns dropped.

    The header row is the first row that names at least two known columns (a title may stand above it); each
    row also says its number in the sheet (``SHEET_ROW``), which :func:`check_rows` reports. Read with the
    project's spreadsheet reader (``grassroots.sheets``), which checks the file first (not an .xls, not a zip
    bomb)."""
    too_large = ContentInvalid(
        _("The file is larger than %(mb)s MB; a roster holds at most %(n)s rows.")
        % {"mb": MAX_SHEET_BYTES // 2**20, "n": MAX_ROWS},
        detail={"file": "too_large"},
    )
    if (getattr(file, "size", None) or 0) > MAX_SHEET_BYTES:
        raise too_large
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_SHEET_BYTES + 1)
    if len(data) > MAX_SHEET_BYTES:
        raise too_large
    try:
        book = sheets.open_workbook(data if isinstance(data, bytes) else data.encode())
    except sheets.ImportFileError:
        raise ContentInvalid(
            _("This file is not an Excel workbook (.xlsx); save it as .xlsx and try again.")
        ) from None
    columns: dict[int, str] | None = None
    dropped: list[str] = []
    rows: list[dict] = []
    with book:
        sheet = book.worksheets[0] if book.worksheets else None
        try:
            # iter_rows yields an empty tuple for a missing row: a row's position is its number
            for number, values in enumerate(sheet.iter_rows(values_only=True) if sheet else (), start=1):
                if columns is None:
                    found = {i: _header_key(v) for i, v in enumerate(values)}
                    found = {i: k for i, k in found.items() if k}
                    if len(found) >= 2:
                        columns = found
                        dropped = [str(v) for v in values if v not in (None, "") and _is_private(v)]
                    continue
                if all(v in (None, "") for v in values):
                    continue
                rows.append(
                    {SHEET_ROW: number, **{key: values[i] for i, key in columns.items() if i < len(values)}}
                )
                if len(rows) > MAX_ROWS:
                    break
        except sheets.ImportFileError:
            raise ContentInvalid(
                _("This file is not an Excel workbook (.xlsx); save it as .xlsx and try again.")
            ) from None
    if columns is None:
        raise ContentInvalid(
            _("No header row found; the first row must name the columns (姓名, 村民小组, 金额 …).")
        )
    return rows, dropped


def sheet_columns(kind: str, rows: list[dict]) -> tuple[str, ...]:
    """The columns of a roster's sheet: the kind's (as the public table shows them, less those computed),
    then any other column the rows have, so that a download leaves nothing out."""
    own = tuple(c for c in display.COLUMNS.get(kind, ()) if c in HEADERS)
    return own + tuple(k for k in HEADERS if k not in own and any(k in row for row in rows))


def _typed(key: str, value):
    """A stored value as a person types it: amounts and dates as numbers and dates, changes as words."""
    if value in (None, ""):
        return None
    if key in ("amount", "previous_amount", "due", "paid"):
        return Decimal(value)
    if key == "change":
        return CHANGE_WORDS.get(value, value)
    if key == "starts_on":
        return dt.date.fromisoformat(value)
    return value


def roster_workbook(kind: str, rows: list[dict]) -> bytes:
    """A stored roster as an .xlsx: the header in row 1 (the Chinese headers :func:`read_roster` reads) and one
    row per person. Read back unchanged, it gives the same stored rows."""
    keys = sheet_columns(kind, rows)
    columns = tuple(
        sheets.Column(k, COLUMN_HEADERS[k], HEADERS[k][0], width=SHEET_WIDTHS.get(k, 12)) for k in keys
    )
    values = ([_typed(k, row.get(k)) for k in keys] for row in rows)
    return sheets.write_workbook([(SHEET_TITLE, columns, values)])


def _refuse(no, item, message):
    raise ContentInvalid(
        _("Line %(no)s (%(item)s): %(message)s") % {"no": no, "item": item, "message": message},
        detail={"line": no, "item": str(item)},
    )


def check_statement(statement: dict) -> dict:
    """A finance statement whose totals add up, else :class:`ContentInvalid` naming the wrong line.

    ``lines`` are ``{"no", "kind": income|expense, "item", "amount", "parent"}``; a line with children must
    equal their sum; ``income_total`` and ``expense_total`` must equal the sums of the top-level lines, and
    ``closing_balance`` = ``opening_balance`` + income − expense.
    """
    period = str(statement.get("period") or "").strip()
    if not period:
        raise ContentInvalid(_("Say which month or quarter the statement covers."), detail={"line": "period"})
    lines = statement.get("lines") or []
    if not lines:
        raise ContentInvalid(_("The statement has no lines; add its income and expense."))
    checked = _statement_lines(lines)
    _check_sub_lines(checked)
    totals = _statement_totals(statement, checked)
    opening, closing = _balances(statement, totals)
    return {
        "period": period[:40],
        "opening_balance": str(opening),
        "lines": [{**ln, "amount": str(ln["amount"])} for ln in checked],
        "income_total": str(totals["income_total"]),
        "expense_total": str(totals["expense_total"]),
        "closing_balance": str(closing),
    }


def _statement_lines(lines: list[dict]) -> list[dict]:
    """Each line numbered once, named, income or expense, with an amount."""
    checked: list[dict] = []
    numbers: set[str] = set()
    for position, raw in enumerate(lines, start=1):
        no = str(raw.get("no") or position)
        item = str(raw.get("item") or "").strip()
        if no in numbers:
            _refuse(no, item, _("the number is used twice"))
        numbers.add(no)
        if not item:
            _refuse(no, item, _("name the item"))
        kind = raw.get("kind")
        if kind not in ("income", "expense"):
            _refuse(no, item, _("must be income or expense"))
        try:
            amount = money(raw.get("amount"))
        except ValueError as exc:
            _refuse(no, item, exc)
        parent = str(raw["parent"]) if raw.get("parent") not in (None, "") else ""
        checked.append({"no": no, "kind": kind, "item": item, "amount": amount, "parent": parent})
    return checked


def _check_sub_lines(checked: list[dict]) -> None:
    """A sub-line hangs from a top-level line of its kind; a line with sub-lines equals their sum."""
    by_no = {line["no"]: line for line in checked}
    for line in checked:
        if line["parent"]:
            parent = by_no.get(line["parent"])
            if parent is None or parent["parent"]:
                _refuse(line["no"], line["item"], _("its parent line does not exist or is itself a sub-line"))
            if parent["kind"] != line["kind"]:
                _refuse(
                    line["no"], line["item"], _("is not the same kind (income/expense) as its parent line")
                )
    for line in checked:
        children = [c["amount"] for c in checked if c["parent"] == line["no"]]
        if children and sum(children, Decimal(0)) != line["amount"]:
            _refuse(
                line["no"],
                line["item"],
                _("says %(says)s but its items add up to %(sum)s")
                % {"says": line["amount"], "sum": sum(children, Decimal(0))},
            )


def _statement_totals(statement: dict, checked: list[dict]) -> dict:
    """The income and expense totals, as declared when they are (and then they must add up)."""
    totals = {}
    for kind, key, label in (
        ("income", "income_total", _("total income")),
        ("expense", "expense_total", _("total expense")),
    ):
        computed = sum(
            (ln["amount"] for ln in checked if ln["kind"] == kind and not ln["parent"]), Decimal(0)
        )
        try:
            declared = money(statement.get(key, computed))
        except ValueError as exc:
            _refuse(key, label, exc)
        if declared != computed:
            _refuse(
                key,
                label,
                _("says %(says)s but the lines add up to %(sum)s") % {"says": declared, "sum": computed},
            )
        totals[key] = computed
    return totals


def _balances(statement: dict, totals: dict) -> tuple[Decimal, Decimal]:
    """The opening balance and the closing one (opening + income − expense, as declared when it is)."""
    try:
        opening = money(statement.get("opening_balance", 0), allow_negative=True)
    except ValueError as exc:
        _refuse("opening_balance", _("opening balance"), exc)
    closing = opening + totals["income_total"] - totals["expense_total"]
    if statement.get("closing_balance") not in (None, ""):
        try:
            declared = money(statement["closing_balance"], allow_negative=True)
        except ValueError as exc:
            _refuse("closing_balance", _("closing balance"), exc)
        if declared != closing:
            _refuse(
                "closing_balance",
                _("closing balance"),
                _("says %(says)s but opening + income − expense is %(sum)s")
                % {"says": declared, "sum": closing},
            )
    return opening, closing


KIND_WORDS = {"收入": "income", "income": "income", "支出": "expense", "expense": "expense"}


def statement_from_text(*, period: str, opening_balance: str, lines_text: str, income_total: str = "",
                        expense_total: str = "", closing_balance: str = "") -> dict:  # fmt: skip
    """A statement from the staff form: one line per row, ``行号, 收入|支出, 项目, 金额[, 上级行号]``
    (commas or tabs, so rows pasted from a spreadsheet work). Checked by :func:`check_statement`."""
    lines = []
    for position, raw in enumerate((lines_text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.replace("\t", ",").replace("，", ",").split(",")]
        if len(parts) < 4:
            raise ContentInvalid(
                _(
                    "Line %(no)s: write number, income or expense, item, amount (and the parent line's number)."
                )
                % {"no": position},
                detail={"line": str(position)},
            )
        lines.append(
            {
                "no": parts[0],
                "kind": KIND_WORDS.get(parts[1].lower(), parts[1]),
                "item": parts[2],
                "amount": parts[3],
                "parent": parts[4] if len(parts) > 4 else "",
            }
        )
    statement = {"period": period, "opening_balance": opening_balance or "0", "lines": lines}
    for key, value in (
        ("income_total", income_total),
        ("expense_total", expense_total),
        ("closing_balance", closing_balance),
    ):
        if (value or "").strip():
            statement[key] = value.strip()
    return check_statement(statement)
