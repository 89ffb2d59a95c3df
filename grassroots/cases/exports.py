"""Excel exports of the cases app: the queue as filtered, and an area's figures (the metrics page's tables).

Through the shared writer (``grassroots.sheets.write_workbook``: text a spreadsheet would run as a formula is
stored as text) and the shared masks (``grassroots.masking``): a reporter's name and phone are masked, and every
mobile or ID number written in a description or address is masked where it stands, as on the pages. The rows are
the caller's scoped reads (``selectors.case_queue_for``, ``metrics``); nothing here reads outside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.masking import mask_name, mask_numbers_in_text, mask_phone
from grassroots.sheets import MAX_ROWS, Column

from .metrics import Figures, Row

QUEUE_COLUMNS = (
    Column("reference", "编号", "reference", width=18),
    Column("reported_at", "上报时间", "reported at", width=17),
    Column("category", "服务类型", "service type", width=24),
    Column("state", "状态", "state", width=10),
    Column("level", "所在层级", "level", width=10),
    Column("area_code", "区划代码", "area code", width=16),
    Column("source", "渠道", "channel", width=12),
    Column("urgency", "紧急程度", "urgency", width=10),
    Column("address", "地址", "address", width=30),
    Column("description", "描述", "description", width=50),
    Column("reporter", "上报人", "reporter", width=10),
    Column("reporter_phone", "联系电话", "phone", width=14),
    Column("assignee", "承办", "assignee", width=16),
    Column("response_due_at", "受理时限", "respond by", width=17),
    Column("handling_due_at", "办理时限", "handle by", width=17),
    Column("urge_count", "催办次数", "urged", width=8),
)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def queue_rows(cases: Iterable, labels: dict[str, dict]) -> Iterator[list]:
    """One row per case (at most ``MAX_ROWS``; a last row says when more were left out), masked."""
    for n, case in enumerate(cases):
        if n >= MAX_ROWS:
            yield [_("… more cases than one export holds (%(n)d); narrow the filters.") % {"n": MAX_ROWS}]
            return
        yield [
            case.reference,
            _when(case.reported_at),
            case.category.name if case.category_id else "",
            labels["state"].get(case.state, case.state),
            labels["level"].get(case.level, case.level),
            case.area_code,
            labels["source"].get(case.source, case.source),
            labels["urgency"].get(case.urgency, case.urgency),
            mask_numbers_in_text(case.address),
            mask_numbers_in_text(case.description),
            _("anonymous") if case.is_anonymous else mask_name(case.reporter_name),
            "" if case.is_anonymous else mask_phone(case.reporter_phone),
            case.assignee_name,
            _when(case.response_due_at),
            _when(case.handling_due_at),
            case.urge_count,
        ]


def figures_columns(template: Figures, *, first: tuple[Column, ...]) -> tuple[Column, ...]:
    """The columns of a table of figures: ``first`` (what a row is), reports, each rate's percentage with its
    numerator and denominator, the score."""
    rates = []
    for rate in template.ordered:
        rates += [
            Column(f"{rate.key}", f"{rate.label}（%）", f"{rate.label} (%)", width=12),
            Column(f"{rate.key}_n", f"{rate.short_label}·分子", "numerator", width=9),
            Column(f"{rate.key}_d", f"{rate.short_label}·分母", "denominator", width=9),
        ]
    return (
        *first,
        Column("reported", "上报", "reported", width=9),
        *rates,
        Column("score", "综合指标值", "score", width=11),
    )


def figures_values(figures: Figures) -> list:
    out: list = [figures.counts.reported]
    for rate in figures.ordered:
        out += [None if rate.percent is None else float(rate.percent), rate.numerator, rate.denominator]
    return [*out, None if figures.score is None else float(figures.score)]


def figures_sheet(
    title: str, rows: Iterable[tuple[list, Figures]], template: Figures, first: tuple[Column, ...]
):
    """A (title, columns, rows) sheet of figures, one row per (leading values, figures)."""
    return (
        title,
        figures_columns(template, first=first),
        [[*lead, *figures_values(figures)] for lead, figures in rows],
    )


def definitions_sheet(template: Figures, notes: Iterable[tuple[str, str]] = ()):
    """Each rate's formula in words, and notes (which cases count, the score), so the numbers carry their
    meaning with them."""
    columns = (
        Column("figure", "指标", "figure", width=24),
        Column("definition", "定义", "definition", width=100),
    )
    return (
        "定义",
        columns,
        [[str(rate.label), str(rate.definition)] for rate in template.ordered]
        + [[str(a), str(b)] for a, b in notes],
    )


def rows_with_labels(rows: Iterable[Row], names: dict[str, str] | None = None) -> list[tuple[list, Figures]]:
    return [([r.key, (names or {}).get(r.key, r.label)], r.figures) for r in rows]
