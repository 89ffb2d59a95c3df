"""The dashboards: an area's figures over a period, from the pre-aggregated rows (selectors), with their
formulas, the change against the period before, trends, the areas below ranked, the service types, and the
cases overdue or urged now. Charts (Apache ECharts, loaded on these pages only) draw the same numbers as the
tables beside them."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots import clock
from grassroots.areas import selectors as area_selectors
from grassroots.areas.codes import CodeError, Level
from grassroots.cases.metrics import (
    COHORT_DEFINITION,
    RATE_ORDER,
    RATINGS_DEFINITION,
    SCORE_DEFINITION,
    Period,
    PeriodError,
    default_period_key,
)
from grassroots.downloads import attachment
from grassroots.forms import Form
from grassroots.pages import refusals_into
from grassroots.sheets import XLSX_CONTENT_TYPE, Column, write_workbook

from . import selectors, services
from .rules import can_use_insights

# The columns of the ranking, each a rate key (or the score) the table can be sorted by.
RANKED = ("closure", "on_time_closure", "on_time_handling", "rework", "satisfaction", "solved", "response")
SORTS = ("reported", "score", *RANKED)


def _percent(value):
    return None if value is None else float(value)


def _series(points) -> dict:
    return {
        "labels": [p.key for p in points],
        "reported": [p.figures.counts.reported for p in points],
        "closure": [_percent(p.figures["closure"].percent) for p in points],
        "satisfaction": [_percent(p.figures["satisfaction"].percent) for p in points],
        "on_time_handling": [_percent(p.figures["on_time_handling"].percent) for p in points],
    }


def _sorted_value(row, sort: str):
    if sort == "reported":
        return row.figures.counts.reported
    if sort == "score":
        return _percent(row.figures.score)
    return _percent(row.figures[sort].percent)


def _sort_name(board, sort: str) -> str:
    if sort == "reported":
        return _("reported")
    if sort == "score":
        return _("Department score (综合指标值)")
    return str(board.figures[sort].label)


@login_required
def home(request):
    """Where a user's dashboards start: their area's, or a choice among the areas of their grants."""
    if not can_use_insights(request.user):
        raise PermissionDenied
    codes = selectors.home_areas_for(user=request.user)
    if len(codes) == 1:
        return redirect("insights:dashboard", code=codes[0])
    names = selectors.area_names(codes=codes)
    return render(request, "insights/home.html", {"areas": [(c, names.get(c, c)) for c in codes]})


@login_required
def dashboard(request, code: str):
    if not can_use_insights(request.user):
        raise PermissionDenied
    if not selectors.may_see(user=request.user, code=code):
        raise Http404
    try:
        area = area_selectors.area_get_for(user=request.user, code=code)
    except CodeError as exc:
        raise Http404 from exc
    period_text = request.GET.get("period") or default_period_key()
    try:
        period = Period.parse(period_text)
    except PeriodError as exc:
        messages.error(request, str(exc.message))
        period = Period.parse(default_period_key())
    board = selectors.dashboard_for(area_code=code, period=period)
    sort = request.GET.get("sort", "")
    if sort not in SORTS:
        # by the department score, unless no area below has one yet (nothing handled): then by reports
        sort = "score" if any(row.figures.score is not None for row in board.children) else "reported"

    def sort_key(row):
        if sort == "reported":
            value = row.figures.counts.reported
        elif sort == "score":
            value = row.figures.score
        else:
            value = row.figures[sort].percent
        lower_is_better = sort == "rework"
        if value is None:
            return (1, 0, row.key)
        return (0, value if lower_is_better else -value, row.key)

    children = sorted(board.children, key=sort_key)
    visible = {row.key for row in children if selectors.may_see(user=request.user, code=row.key)}
    overdue, urged = selectors.cases_needing_attention_for(user=request.user, area_code=code)
    headline = [(board.figures[key], board.change(key), board.previous_figures[key]) for key in RATE_ORDER]
    chart = {
        "weeks": _series(board.weeks),
        "months": _series(board.months),
        # the ranking's chart draws the column it is sorted by
        "children": {
            "labels": [row.label for row in children],
            "values": [_sorted_value(row, sort) for row in children],
            "name": _sort_name(board, sort),
            "percent": sort not in ("reported", "score"),
        },
        "types": {
            "labels": [row.label for row in board.types],
            "reported": [row.figures.counts.reported for row in board.types],
            "closure": [_percent(row.figures["closure"].percent) for row in board.types],
        },
        "names": {
            "reported": _("reported"),
            "closure": str(board.figures["closure"].label),
            "satisfaction": str(board.figures["satisfaction"].label),
            "on_time_handling": str(board.figures["on_time_handling"].label),
        },
    }
    return render(
        request,
        "insights/dashboard.html",
        {
            "area": area,
            "breadcrumbs": [
                a
                for a in area_selectors.area_breadcrumbs(area)[:-1]
                if selectors.may_see(user=request.user, code=a.code)
            ],
            "period": period,
            "board": board,
            "headline": headline,
            "children": [(row, row.key in visible, [row.figures[k] for k in RANKED]) for row in children],
            "ranked": [board.figures[key] for key in RANKED],
            "sort": sort,
            "overdue": overdue,
            "urged": urged,
            "chart": chart,
            "is_grid": area.level == Level.GRID,
            "score_definition": SCORE_DEFINITION,
            "cohort_definition": COHORT_DEFINITION,
            "ratings_definition": RATINGS_DEFINITION,
        },
    )


# --- monthly bulletins -----------------------------------------------------------------------------------------


def _last_month() -> str:
    first = clock.today().replace(day=1) - dt.timedelta(days=1)
    return f"{first:%Y-%m}"


class BulletinForm(Form):
    month = forms.RegexField(
        label=gettext_lazy("Month"),
        regex=r"^\d{4}-\d{2}$",
        max_length=7,
        help_text=gettext_lazy("for example 2026-03"),
    )


@login_required
def bulletins(request, code: str):
    """An area's bulletins, and (POST) issuing the bulletin of a month that is over."""
    if not can_use_insights(request.user):
        raise PermissionDenied
    if not selectors.may_see(user=request.user, code=code):
        raise Http404
    try:
        area = area_selectors.area_get_for(user=request.user, code=code)
    except CodeError as exc:
        raise Http404 from exc
    form = BulletinForm(request.POST or None, initial={"month": _last_month()})
    if request.method == "POST" and form.is_valid():
        with refusals_into(form):
            bulletin = services.bulletin_issue(
                actor=request.user, area_code=code, month=form.cleaned_data["month"]
            )
            messages.success(request, _("The bulletin is issued; it will never change."))
            return redirect("insights:bulletin", pk=bulletin.pk)
    return render(
        request,
        "insights/bulletins.html",
        {
            "area": area,
            "bulletins": selectors.bulletins_for(user=request.user, area_code=code),
            "form": form,
        },
    )


@login_required
def bulletin(request, pk: int):
    """A bulletin as issued, laid out for A4 paper."""
    if not can_use_insights(request.user):
        raise PermissionDenied
    document = selectors.bulletin_get_for(user=request.user, pk=pk)
    content = document.content
    return render(
        request,
        "insights/bulletin.html",
        {
            "bulletin": document,
            "lines": selectors.bulletin_lines(document),
            "areas": [(row, selectors.bulletin_lines(document, row)) for row in content["areas"]],
            "types": [(row, selectors.bulletin_lines(document, row)) for row in content["service_types"]],
            "intact": selectors.bulletin_intact(document),
            "score_definition": SCORE_DEFINITION,
            "cohort_definition": COHORT_DEFINITION,
            "ratings_definition": RATINGS_DEFINITION,
        },
    )


def _rows_sheet(document, rows) -> list[list]:
    out = []
    for row in rows:
        lines = {line.key: line for line in selectors.bulletin_lines(document, row)}
        out.append(
            [row["code"], row["name"], row["counts"]["reported"]]
            + [lines[k].percent if k in lines else None for k in RANKED]
            + [row["score"]]
        )
    return out


@login_required
def bulletin_xlsx(request, pk: int):
    """The bulletin as an Excel workbook: its figures, the areas below, the service types and the document's
    date and hash."""
    if not can_use_insights(request.user):
        raise PermissionDenied
    document = selectors.bulletin_get_for(user=request.user, pk=pk)
    content = document.content
    lines = selectors.bulletin_lines(document)
    template = {line.key: line.label for line in lines}
    figures = (
        Column("figure", "指标", "figure", width=30),
        Column("percent", "数值（%）", "value (%)", width=12),
        Column("numerator", "分子", "numerator", width=10),
        Column("denominator", "分母", "denominator", width=10),
        Column("previous", "上月（%）", "month before (%)", width=14),
        Column("definition", "定义", "definition", width=80),
    )
    ranked = (
        Column("code", "区划代码", "code", width=16),
        Column("name", "名称", "name", width=20),
        Column("reported", "上报", "reported", width=10),
        *(Column(k, template.get(k, k), k, width=14) for k in RANKED),
        Column("score", "综合指标值", "score", width=12),
    )
    about = (Column("item", "项目", "item", width=20), Column("value", "内容", "value", width=70))
    data = write_workbook(
        [
            (
                "指标",
                figures,
                [[x.label, x.percent, x.numerator, x.denominator, x.previous, x.definition] for x in lines]
                + [
                    [
                        str(_("Department score (综合指标值)")),
                        content["figures"]["score"],
                        None,
                        None,
                        None,
                        str(SCORE_DEFINITION),
                    ]
                ],
            ),
            ("下级区域", ranked, _rows_sheet(document, content["areas"])),
            ("服务类型", ranked, _rows_sheet(document, content["service_types"])),
            (
                "文档",
                about,
                [
                    ["区域", f"{document.area_name} ({document.area_code})"],
                    ["月份", document.month_key],
                    ["统计日期", " .. ".join(content["days"])],
                    ["发布时间", timezone.localtime(document.issued_at).strftime("%Y-%m-%d %H:%M")],
                    ["发布人", str(document.issued_by)],
                    ["SHA-256", document.sha256],
                ],
            ),
        ]
    )
    return attachment(data, f"{document.area_name}-{document.month_key}-月度通报.xlsx", XLSX_CONTENT_TYPE)
