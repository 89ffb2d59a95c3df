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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

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


def _ranked(board, asked: str):
    """The areas below in the order asked for: by the department score unless no area has one yet (nothing
    handled), then by reports; a rate's column by that rate (rework: lowest first)."""
    sort = (
        asked
        if asked in SORTS
        else ("score" if any(row.figures.score is not None for row in board.children) else "reported")
    )

    def sort_key(row):
        if sort == "reported":
            value = row.figures.counts.reported
        elif sort == "score":
            value = row.figures.score
        else:
            value = row.figures[sort].percent
        if value is None:
            return (1, 0, row.key)
        return (0, value if sort == "rework" else -value, row.key)

    return sort, sorted(board.children, key=sort_key)


def _chart(board, children, sort: str) -> dict:
    """The numbers the page's charts draw (each chart's table shows the same)."""
    return {
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


def _area_for(request, code: str):
    """The area of a dashboard or its bulletins: 403 for whoever has no figures, 404 outside their scope."""
    if not can_use_insights(request.user):
        raise PermissionDenied
    if not selectors.may_see(user=request.user, code=code):
        raise Http404
    try:
        return area_selectors.area_get_for(user=request.user, code=code)
    except CodeError as exc:
        raise Http404 from exc


@login_required
def dashboard(request, code: str):
    area = _area_for(request, code)
    period_text = request.GET.get("period") or default_period_key()
    try:
        period = Period.parse(period_text)
    except PeriodError as exc:
        messages.error(request, str(exc.message))
        period = Period.parse(default_period_key())
    board = selectors.dashboard_for(area_code=code, period=period)
    sort, children = _ranked(board, request.GET.get("sort", ""))
    visible = {row.key for row in children if selectors.may_see(user=request.user, code=row.key)}
    overdue, urged = selectors.cases_needing_attention_for(user=request.user, area_code=code)
    headline = [(board.figures[key], board.change(key), board.previous_figures[key]) for key in RATE_ORDER]
    chart = _chart(board, children, sort)
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


@login_required
def dashboard_xlsx(request, code: str):
    """The dashboard's tables as a workbook: the headline with the period before, the trends by month and by
    week, the areas below (those the user may open) and the service types; each rate with its counts."""
    from grassroots.cases import exports

    area = _area_for(request, code)
    try:
        period = Period.parse(request.GET.get("period") or default_period_key())
    except PeriodError:
        period = Period.parse(default_period_key())
    board = selectors.dashboard_for(area_code=code, period=period)
    template = board.figures
    keyed = (Column("code", "代码", "code", width=16), Column("name", "名称", "name", width=22))
    by_time = (Column("key", "周期", "period", width=12),)
    data = write_workbook(
        [
            exports.figures_sheet(
                "总览",
                [
                    ([period.key, area.name], board.figures),
                    ([board.previous.key, area.name], board.previous_figures),
                ],
                template,
                (Column("period", "周期", "period", width=22), Column("name", "名称", "name", width=22)),
            ),
            exports.figures_sheet("按月", [([p.key], p.figures) for p in board.months], template, by_time),
            exports.figures_sheet("按周", [([p.key], p.figures) for p in board.weeks], template, by_time),
            exports.figures_sheet("下级区域", exports.rows_with_labels(board.children), template, keyed),
            exports.figures_sheet("服务类型", exports.rows_with_labels(board.types), template, keyed),
            exports.definitions_sheet(
                template,
                [
                    (_("Department score (综合指标值)"), str(SCORE_DEFINITION)),
                    (str(_("Period")), f"{period.start.isoformat()} .. {period.last_day.isoformat()}"),
                ],
            ),
        ]
    )
    return attachment(data, f"{area.name}-{period.key}-驾驶舱.xlsx", XLSX_CONTENT_TYPE)


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
    area = _area_for(request, code)
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


# --- hotspots (未诉先办) ----------------------------------------------------------------------------------------


class HotspotForm(Form):
    """The parameters of the detection, each within :data:`selectors.HOTSPOT_LIMITS`."""

    radius_m = forms.IntegerField(
        label=gettext_lazy("Distance N (metres)"),
        min_value=selectors.HOTSPOT_LIMITS["radius_m"][0],
        max_value=selectors.HOTSPOT_LIMITS["radius_m"][1],
    )
    days = forms.IntegerField(
        label=gettext_lazy("Days M"),
        min_value=selectors.HOTSPOT_LIMITS["days"][0],
        max_value=selectors.HOTSPOT_LIMITS["days"][1],
    )
    min_reports = forms.IntegerField(
        label=gettext_lazy("Reports at least"),
        min_value=selectors.HOTSPOT_LIMITS["min_reports"][0],
        max_value=selectors.HOTSPOT_LIMITS["min_reports"][1],
    )
    norm_factor = forms.IntegerField(
        label=gettext_lazy("Times the norm"),
        min_value=selectors.HOTSPOT_LIMITS["norm_factor"][0],
        max_value=selectors.HOTSPOT_LIMITS["norm_factor"][1],
    )
    min_reopened = forms.IntegerField(
        label=gettext_lazy("Reopenings at least"),
        min_value=selectors.HOTSPOT_LIMITS["min_reopened"][0],
        max_value=selectors.HOTSPOT_LIMITS["min_reopened"][1],
    )


class HotspotActForm(Form):
    """What a hotspot's buttons send: the step, the hotspot (its kind, service type and cases) and the query
    of the list to go back to."""

    act = forms.ChoiceField(choices=[("case", "case"), ("patrol", "patrol")])
    kind = forms.ChoiceField(choices=[(k, k) for k in selectors.HotspotKind.ALL])
    category = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    cases = forms.RegexField(regex=r"^\d{1,10}(,\d{1,10}){0,1999}$", max_length=24_000)
    query = forms.CharField(required=False, max_length=500)

    def clean_cases(self) -> list[int]:
        return [int(i) for i in self.cleaned_data["cases"].split(",")]

    def clean_query(self) -> str:
        # the list's own parameters only, to go back to it
        from urllib.parse import parse_qsl, urlencode

        names = set(selectors.HOTSPOT_LIMITS)
        return urlencode(
            [(k, v) for k, v in parse_qsl(self.cleaned_data["query"]) if k in names and v.isdigit()]
        )


def hotspot_method_from(data) -> tuple[HotspotForm, selectors.HotspotMethod]:
    """The method asked for in a query string (the defaults for what is missing), and the form showing it."""
    defaults = selectors.HotspotMethod()
    values = {name: data.get(name) or getattr(defaults, name) for name in selectors.HOTSPOT_LIMITS}
    form = HotspotForm(values)
    if form.is_valid():
        return form, selectors.HotspotMethod(**form.cleaned_data)
    return form, defaults


@login_required
def hotspots(request, code: str):
    """Where reports recur in the area: the hotspots by each method, with the cases behind them, and for staff
    who may, one button each to open a proactive case or to send the grid's worker on a patrol."""
    from grassroots.cases.rules import can_enter_cases
    from grassroots.workforce.rules import can_set_patrol_tasks

    area = _area_for(request, code)
    form, method = hotspot_method_from(request.GET)
    found = selectors.hotspots_for(user=request.user, area_code=code, method=method, today=clock.today())
    start, last = method.window(clock.today())
    may_open = can_enter_cases(request.user)
    return render(
        request,
        "insights/hotspots.html",
        {
            "area": area,
            "form": form,
            "method": method,
            "start": start,
            "last": last,
            "base_start": start - dt.timedelta(days=method.days * method.norm_windows),
            "hotspots": [
                (h, may_open, can_set_patrol_tasks(request.user, h.area_code) and len(h.area_code) == 15)
                for h in found
            ],
            "query": request.GET.urlencode(),
            "kinds": selectors.HotspotKind,
        },
    )


@login_required
@require_POST
def hotspot_act(request, code: str):
    """Turn a hotspot into a proactive case (``act=case``) or a patrol task (``act=patrol``), in one step."""
    _area_for(request, code)
    form = HotspotActForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The hotspot could not be read; reload the page and try again."))
        return redirect("insights:hotspots", code=code)
    d = form.cleaned_data
    back = reverse("insights:hotspots", args=[code]) + "?" + d["query"]
    kind, act, category_id, case_ids = d["kind"], d["act"], d["category"], d["cases"]
    with refusals_into(request):
        if act == "case":
            case = services.hotspot_open_case(
                actor=request.user, area_code=code, kind=kind, category_id=category_id, case_ids=case_ids
            )
            if case.replayed:
                messages.info(
                    request,
                    _("This hotspot already has its proactive case %(ref)s.") % {"ref": case.reference},
                )
            else:
                messages.success(request, _("Proactive case %(ref)s opened.") % {"ref": case.reference})
            return redirect("cases:detail", pk=case.pk)
        if act == "patrol":
            task, created = services.hotspot_set_patrol_task(
                actor=request.user, area_code=code, kind=kind, category_id=category_id, case_ids=case_ids
            )
            text = (
                _("The worker of grid %(grid)s is asked to patrol there by %(day)s.")
                if created
                else _("This hotspot already has a patrol task for grid %(grid)s, due %(day)s.")
            )
            messages.success(request, text % {"grid": task.area_code, "day": task.due_on.isoformat()})
            return redirect(back)
    return redirect(back)
