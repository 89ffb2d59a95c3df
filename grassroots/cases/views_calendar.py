"""The working calendar's pages, for administrators: which years have their official holidays entered, and
a year's State Council holiday notice entered as a few lines — checked and shown day by day, then saved.

The chinese-calendar package knows the years up to its last release; each later year's notice (published
around November) is entered here. Until then every staff page warns (:func:`calendar_warning`, ``cases/_calendar_warning.html``)
and deadlines crossing the year say that they count weekends only there.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from grassroots import clock
from grassroots.accounts.scoping import STAFF_ROLES, has_role
from grassroots.pages import refusals_into
from grassroots.worktime import calendar

from . import rules, selectors, services
from .forms import HolidayLineFormSet, holiday_line_initial

FIRST_YEAR = 2004  # the first year of the chinese-calendar package
YEARS_AHEAD = 5


def _allowed_or_404(user) -> None:
    if not rules.can_enter_calendar(user):
        raise Http404


def calendar_warning(request):
    """The warning every staff page loads after itself (``base.html``): the years whose holidays are not
    entered (``calendar.years_to_warn``), with the link to enter them for administrators. Empty for anyone
    else, or when every year is entered. Loaded apart so that no page pays a query for it."""
    user = request.user
    years = (
        calendar.years_to_warn(clock.today()) if user.is_authenticated and has_role(user, STAFF_ROLES) else []
    )
    if not years:
        return HttpResponse("")
    return render(
        request,
        "cases/_calendar_warning.html",
        {"years": years, "may_enter": rules.can_enter_calendar(user)},
    )


@login_required
def calendar_years(request):
    """The years: entered (from the package or a notice, by whom, when) or not, and a way to enter one."""
    _allowed_or_404(request.user)
    today = clock.today()
    wanted = request.GET.get("year", "")
    if wanted.isdigit() and FIRST_YEAR <= int(wanted) <= today.year + YEARS_AHEAD:
        return redirect("cases:calendar_year", year=int(wanted))
    return render(
        request,
        "cases/calendar_years.html",
        {
            "rows": selectors.calendar_years_overview(today=today),
            "first_year": FIRST_YEAR,
            "last_year": today.year + YEARS_AHEAD,
            "warned": calendar.years_to_warn(today),
        },
    )


@login_required
def calendar_year(request, year: int):
    """One year's notice: the lines as entered (or the seven holidays by name), "check" shows what would be
    written day by day with every problem on its line, "save" writes it when the check finds none."""
    _allowed_or_404(request.user)
    if not FIRST_YEAR <= year <= clock.today().year + YEARS_AHEAD:
        raise Http404
    check = None
    notice_errors: list[str] = []
    if request.method == "POST":
        formset = HolidayLineFormSet(request.POST, year=year, prefix="line")
        if formset.is_valid():
            entered = formset.entered()
            check = calendar.check_notice(year, [line for _form, line in entered])
            for index, message in check.errors:
                if index is None:
                    notice_errors.append(message)
                else:
                    entered[index][0].add_error(None, message)
            if check.ok and "save" in request.POST:
                with refusals_into(notice_errors):
                    services.calendar_notice_enter(
                        actor=request.user,
                        year=year,
                        lines=[line for _form, line in entered],
                        request=request,
                    )
                    messages.success(
                        request,
                        _(
                            "The holidays of %(year)s are entered: deadlines and publication windows count them."
                        )
                        % {"year": year},
                    )
                    return redirect("cases:calendar")
    else:
        formset = HolidayLineFormSet(
            initial=holiday_line_initial(calendar.notice_lines_of(year)), year=year, prefix="line"
        )
    return render(
        request,
        "cases/calendar_year.html",
        {
            "year": year,
            "entry": selectors.calendar_year_get(year),
            "formset": formset,
            "check": check,
            "notice_errors": notice_errors,
        },
    )
