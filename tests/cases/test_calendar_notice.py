"""A year's State Council holiday notice entered by an administrator (issue 20, item 7): the check (no
overlaps, make-up days on weekends, every day in the year), the entry (local overrides kept, the year marked
entered, deadlines counting it at once), the warning on staff pages until the coming year is entered, and
deadlines that cross into a year not entered saying so — on the case page and in the API.

The 2027 notice below has the shape of the State Council's notices; its dates are made up for the test."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from grassroots import clock
from grassroots.accounts.models import AuditLog, Role
from grassroots.cases import services
from grassroots.cases.models import CalendarSource, CalendarYear, WorkingDay
from grassroots.errors import NotPermitted
from grassroots.worktime import calendar
from grassroots.worktime.calendar import HolidayLine
from tests.factories import UserFactory, user_with

from .conftest import COUNTY, G1, INSIDE_G1, VILLAGE, ensure_seed

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat

NOTICE_2027 = [
    HolidayLine("元旦", D("2027-01-01"), D("2027-01-03")),
    HolidayLine("春节", D("2027-02-06"), D("2027-02-14"), (D("2027-01-31"), D("2027-02-20"))),
    HolidayLine("清明节", D("2027-04-03"), D("2027-04-05")),
    HolidayLine("劳动节", D("2027-05-01"), D("2027-05-05"), (D("2027-04-25"), D("2027-05-08"))),
    HolidayLine("端午节", D("2027-06-09"), D("2027-06-09")),
    HolidayLine("中秋节", D("2027-09-15"), D("2027-09-15")),
    HolidayLine("国庆节", D("2027-10-01"), D("2027-10-07"), (D("2027-09-26"), D("2027-10-09"))),
]


@pytest.fixture(autouse=True)
def _seeded(db):
    ensure_seed()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):  # the tests read the English wording
        yield


@pytest.fixture
def admin_user():
    return user_with(Role.ADMINISTRATOR, COUNTY, display_name="管理员")


def at(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


# --- the check ------------------------------------------------------------------------------------------------


def test_a_well_formed_notice_checks_clean_and_lists_every_day_with_weekends_flagged():
    check = calendar.check_notice(2027, NOTICE_2027)
    assert check.ok, check.errors
    # 3 + 9 + 3 + 5 + 1 + 1 + 7 days off, 6 make-up working days
    assert check.days_off == 29 and check.make_up_days == 6
    by_date = {d.date: d for d in check.days}
    assert by_date[D("2027-01-02")].is_weekend and not by_date[D("2027-01-02")].is_working
    assert not by_date[D("2027-01-01")].is_weekend  # a Friday made a day off
    assert by_date[D("2027-02-20")].is_working and by_date[D("2027-02-20")].is_weekend
    weekend_days_off = sum(1 for d in check.days if not d.is_working and d.is_weekend)
    assert check.weekdays_off == 29 - weekend_days_off == 17
    assert [d.date for d in check.days] == sorted(by_date)


@pytest.mark.parametrize(
    ("lines", "line_index", "words"),
    [
        # two holidays overlapping
        (
            [HolidayLine("中秋节", D("2027-09-30"), D("2027-10-02")), NOTICE_2027[6]],
            1,
            "overlap",
        ),
        # a make-up working day on a weekday
        (
            [HolidayLine("春节", D("2027-02-06"), D("2027-02-14"), (D("2027-02-19"),))],
            0,
            "Saturdays or Sundays",
        ),
        # a make-up working day inside another holiday's days off
        (
            [NOTICE_2027[0], HolidayLine("春节", D("2027-02-06"), D("2027-02-14"), (D("2027-01-02"),))],
            1,
            "is a day off in line 1",
        ),
        # the same make-up day twice
        (
            [
                HolidayLine("春节", D("2027-02-06"), D("2027-02-14"), (D("2027-02-20"),)),
                HolidayLine("清明节", D("2027-04-03"), D("2027-04-05"), (D("2027-02-20"),)),
            ],
            1,
            "listed twice",
        ),
        # a day of another year
        ([HolidayLine("元旦", D("2026-12-31"), D("2027-01-02"))], 0, "is not in 2027"),
        # last before first
        ([HolidayLine("国庆节", D("2027-10-07"), D("2027-10-01"))], 0, "comes before"),
        # a typo making a holiday months long
        ([HolidayLine("国庆节", D("2027-10-01"), D("2027-12-07"))], 0, "no holiday is longer"),
    ],
)
def test_a_bad_notice_names_the_line_and_the_problem(lines, line_index, words):
    check = calendar.check_notice(2027, lines)
    assert not check.ok
    assert any(index == line_index and words in message for index, message in check.errors), check.errors


def test_an_empty_notice_is_refused():
    check = calendar.check_notice(2027, [])
    assert check.errors == [(None, "Enter at least one holiday.")]


def test_dates_are_read_in_the_ways_people_write_them():
    days, bad = calendar.parse_days("2-14, 2027-02-20、2月21日；２０２７年３月６日 9/26 abc 2-30", 2027)
    assert days == [D("2027-02-14"), D("2027-02-20"), D("2027-02-21"), D("2027-03-06"), D("2027-09-26")]
    assert bad == ["abc", "2-30"]


# a year's lines: up to six holidays that do not overlap, each with make-up days on its weekends after it
@st.composite
def notices(draw):
    year = draw(st.integers(2027, 2040))
    starts = sorted(draw(st.sets(st.integers(0, 340), min_size=1, max_size=6)))
    lines = []
    used_until = -1
    for n, start in enumerate(starts):
        if start <= used_until:
            continue
        length = draw(st.integers(1, 9))
        first = dt.date(year, 1, 1) + dt.timedelta(days=start)
        last = min(first + dt.timedelta(days=length - 1), dt.date(year, 12, 31))
        used_until = (last - dt.date(year, 1, 1)).days
        lines.append((f"节日{n}", first, last))
    taken = {lo + dt.timedelta(days=i) for _n, lo, hi in lines for i in range((hi - lo).days + 1)}
    weekends = [
        dt.date(year, 1, 1) + dt.timedelta(days=i)
        for i in range(365)
        if (dt.date(year, 1, 1) + dt.timedelta(days=i)).weekday() >= 5
        and dt.date(year, 1, 1) + dt.timedelta(days=i) not in taken
    ]
    make_up = draw(st.lists(st.sampled_from(weekends), unique=True, max_size=4))
    out = []
    for index, (name, first, last) in enumerate(lines):
        mine = tuple(sorted(d for k, d in enumerate(make_up) if k % len(lines) == index))
        out.append(HolidayLine(name, first, last, mine))
    return year, out


@hyp_settings(max_examples=40, deadline=None)
@given(notices())
def test_property_an_entered_notice_decides_every_day_of_its_year(notice):
    year, lines = notice
    check = calendar.check_notice(year, lines)
    assert check.ok, check.errors
    calendar.enter_notice(year=year, lines=lines)
    off = {
        line.first + dt.timedelta(days=i) for line in lines for i in range((line.last - line.first).days + 1)
    }
    worked = {d for line in lines for d in line.make_up}
    day = dt.date(year, 1, 1)
    cal = calendar.Calendar()
    while day.year == year:
        expected = day in worked or (day not in off and day.weekday() < 5)
        assert cal.is_working_day(day) is expected, day
        day += dt.timedelta(days=1)
    assert calendar.years_without_schedule([year]) == []


@hyp_settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(dt.date(2027, 1, 1), dt.date(2027, 12, 31)),
            st.integers(0, 20),
            st.lists(st.dates(dt.date(2026, 12, 1), dt.date(2028, 1, 31)), max_size=3),
        ),
        max_size=6,
    )
)
def test_property_whatever_is_typed_a_clean_check_never_gives_a_day_twice_or_a_weekday_worked(raw):
    lines = [HolidayLine("x", first, first + dt.timedelta(days=n), tuple(m)) for first, n, m in raw]
    check = calendar.check_notice(2027, lines)
    if check.ok:
        dates = [d.date for d in check.days]
        assert len(dates) == len(set(dates))
        assert all(d.date.year == 2027 for d in check.days)
        assert all(d.is_weekend for d in check.days if d.is_working)


# --- entering it ----------------------------------------------------------------------------------------------


def test_entering_2027_makes_its_holidays_count_and_keeps_local_overrides(admin_user):
    local = WorkingDay.objects.create(date=D("2027-03-08"), is_working=False, note="本地", is_local=True)
    assert calendar.is_working_day(D("2027-10-04"))  # a Monday, weekends only so far
    # reported on Thursday 30 September 2027 with 2 working days: weekends only → Monday 4 October
    assert calendar.add_working_days(at(2027, 9, 30, 10, 0), 2) == at(2027, 10, 4, 17, 30)

    entry = services.calendar_notice_enter(actor=admin_user, year=2027, lines=NOTICE_2027)

    assert entry.source == CalendarSource.NOTICE and entry.entered_by == admin_user
    assert calendar.years_without_schedule([2026, 2027]) == []
    assert not calendar.is_working_day(D("2027-10-04"))
    assert calendar.is_working_day(D("2027-10-09"))  # Saturday, worked instead
    # Thursday 30 September → Sunday 26 is behind; 1 October–7 October off; Friday 8, Saturday 9 (make-up)
    assert calendar.add_working_days(at(2027, 9, 30, 10, 0), 2) == at(2027, 10, 9, 17, 30)
    assert WorkingDay.objects.filter(pk=local.pk, is_local=True).exists()
    assert not calendar.is_working_day(D("2027-03-08"))
    log = AuditLog.objects.get(action="calendar.notice_enter")
    assert log.actor == admin_user and log.detail["lines"][6]["make_up"] == ["2027-09-26", "2027-10-09"]


def test_entering_a_year_again_replaces_its_days(admin_user):
    services.calendar_notice_enter(actor=admin_user, year=2027, lines=NOTICE_2027)
    services.calendar_notice_enter(actor=admin_user, year=2027, lines=NOTICE_2027[:1])
    assert set(WorkingDay.objects.filter(date__year=2027).values_list("date", flat=True)) == {
        D("2027-01-01"),
        D("2027-01-02"),
        D("2027-01-03"),
    }
    assert calendar.is_working_day(D("2027-10-04"))
    assert CalendarYear.objects.filter(year=2027).count() == 1


def test_a_bad_notice_writes_nothing(admin_user):
    bad = [NOTICE_2027[6], HolidayLine("中秋节", D("2027-10-01"), D("2027-10-02"))]
    with pytest.raises(calendar.CalendarNoticeInvalid) as raised:
        services.calendar_notice_enter(actor=admin_user, year=2027, lines=bad)
    assert raised.value.status == 422 and "overlap" in str(raised.value)
    assert not WorkingDay.objects.filter(date__year=2027).exists()
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMINISTRATOR, True),
        (Role.COUNTY_STAFF, False),
        (Role.VILLAGE_STAFF, False),
        (Role.SUPERVISOR, False),
        (Role.LEADER, False),
        (Role.GRID_WORKER, False),
        (None, False),
    ],
)
def test_only_administrators_enter_a_notice(role, allowed):
    actor = user_with(role, VILLAGE if role == Role.VILLAGE_STAFF else COUNTY) if role else UserFactory()
    client = client_for(actor)
    page = client.get(reverse("cases:calendar_year", args=[2027]))
    assert page.status_code == (200 if allowed else 404)
    if allowed:
        services.calendar_notice_enter(actor=actor, year=2027, lines=NOTICE_2027)
        assert CalendarYear.objects.filter(year=2027).exists()
        return
    with pytest.raises(NotPermitted):
        services.calendar_notice_enter(actor=actor, year=2027, lines=NOTICE_2027)
    response = client.post(reverse("cases:calendar_year", args=[2027]), _post(NOTICE_2027, save=True))
    assert response.status_code == 404
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not WorkingDay.objects.filter(date__year=2027).exists()


# --- the page -------------------------------------------------------------------------------------------------


def _post(lines, *, save=False, blank=2) -> dict:
    data = {
        "line-TOTAL_FORMS": str(len(lines) + blank),
        "line-INITIAL_FORMS": "0",
        "line-MIN_NUM_FORMS": "0",
        "line-MAX_NUM_FORMS": "20",
    }
    for i, line in enumerate(lines):
        data[f"line-{i}-name"] = line.name
        data[f"line-{i}-first"] = line.first.isoformat()
        data[f"line-{i}-last"] = line.last.isoformat()
        data[f"line-{i}-make_up"] = "、".join(f"{d.month}月{d.day}日" for d in line.make_up)
    for i in range(len(lines), len(lines) + blank):
        data[f"line-{i}-name"] = "另一节日"  # a name alone is a blank line
    data["save" if save else "check"] = "1"
    return data


def test_the_page_offers_the_seven_holidays_checks_and_saves(admin_user):
    client = client_for(admin_user)
    with clock.frozen(at(2026, 12, 7, 9, 0)):
        years = client.get(reverse("cases:calendar"))
        assert years.status_code == 200
        html = years.content.decode()
        assert 'data-year="2027" class="calendar-missing"' in html
        assert 'data-year="2026"' in html and "the chinese-calendar package" in html
        blank = client.get(reverse("cases:calendar_year", args=[2027])).content.decode()
        for name in ("New Year&#x27;s Day", "Spring Festival", "Qingming Festival", "National Day"):
            assert name in blank

        checked = client.post(reverse("cases:calendar_year", args=[2027]), _post(NOTICE_2027))
        html = checked.content.decode()
        assert checked.status_code == 200 and 'name="save"' in html
        assert 'data-date="2027-10-09"' in html and "weekend-flag" in html
        assert not CalendarYear.objects.filter(year=2027).exists()

        saved = client.post(reverse("cases:calendar_year", args=[2027]), _post(NOTICE_2027, save=True))
        assert saved.status_code == 302 and saved["Location"] == reverse("cases:calendar")
    assert CalendarYear.objects.get(year=2027).source == CalendarSource.NOTICE
    assert WorkingDay.objects.filter(date__year=2027, is_working=True).count() == 6
    # opened again, the lines are those entered
    again = client.get(reverse("cases:calendar_year", args=[2027])).content.decode()
    assert 'value="国庆节"' in again and 'value="2027-09-26, 2027-10-09"' in again


def test_the_page_puts_each_problem_on_its_line_and_writes_nothing(admin_user):
    client = client_for(admin_user)
    lines = [NOTICE_2027[6], HolidayLine("中秋节", D("2027-10-01"), D("2027-10-02"), (D("2027-10-04"),))]
    response = client.post(reverse("cases:calendar_year", args=[2027]), _post(lines, save=True))
    html = response.content.decode()
    assert response.status_code == 200 and 'name="save"' not in html
    assert "Line 2: 2027-10-01 is already in line 1. Holidays may not overlap." in html
    assert not CalendarYear.objects.filter(year=2027).exists()
    bad_date = _post(NOTICE_2027[:1])
    bad_date["line-0-make_up"] = "二月三十"
    html = client.post(reverse("cases:calendar_year", args=[2027]), bad_date).content.decode()
    assert "Not a date: 二月三十" in html


def test_every_year_the_package_knows_reads_back_as_lines_that_pass_the_check_with_the_same_days():
    for year in range(2004, 2027):
        schedule = calendar.official_schedule(year)
        lines = calendar._lines_from((day, working, name) for day, (working, name) in schedule.items())
        check = calendar.check_notice(year, lines)
        assert check.ok, (year, check.errors)
        assert {d.date: d.is_working for d in check.days} == {day: w for day, (w, _n) in schedule.items()}
    # 2025: the Mid-Autumn Festival fell inside the National Day holiday: one line names both
    lines = calendar._lines_from((d, w, n) for d, (w, n) in calendar.official_schedule(2025).items())
    assert lines[-1] == HolidayLine(
        "National Day、Mid-Autumn Festival",
        D("2025-10-01"),
        D("2025-10-08"),
        (D("2025-09-28"), D("2025-10-11")),
    )


def test_a_year_the_package_knows_opens_with_its_lines(admin_user):
    CalendarYear.objects.filter(year=2025).delete()
    html = client_for(admin_user).get(reverse("cases:calendar_year", args=[2025])).content.decode()
    assert 'value="Spring Festival"' in html and 'value="2025-01-28"' in html  # 除夕 2025
    assert "2025-01-26, 2025-02-08" in html  # its make-up Sunday and Saturday


# --- the warning and the deadlines that cross into a year not entered ------------------------------------------


def test_years_to_warn_this_year_always_and_the_coming_year_from_october(settings):
    assert calendar.years_to_warn(D("2026-09-30")) == []
    assert calendar.years_to_warn(D("2026-10-01")) == [2027]
    assert calendar.years_to_warn(D("2027-03-01")) == [2027]
    settings.CASES_CALENDAR_WARN_FROM_MONTH = 12
    assert calendar.years_to_warn(D("2026-11-30")) == []


def test_every_staff_page_warns_until_the_coming_year_is_entered(city, admin_user):
    warning_url = reverse("cases:calendar_warning")
    placeholder = f'data-fragment="{warning_url}"'
    with clock.frozen(at(2026, 12, 7, 9, 0)):
        # every staff page loads the warning after itself (so that no page pays a query for it)
        for user, url in [
            (city.village, reverse("cases:queue")),
            (city.grid_worker, reverse("cases:tasks")),
            (city.county, reverse("workforce:home")),
            (admin_user, reverse("cases:calendar")),
        ]:
            assert placeholder in client_for(user).get(url, follow=True).content.decode(), (user, url)
        assert placeholder not in client_for(city.resident).get(reverse("cases:mine")).content.decode()
        warning = client_for(city.village).get(warning_url).content.decode()
        assert 'class="calendar-warning"' in warning and "2027" in warning
        assert reverse("cases:calendar") not in warning  # only administrators get the link
        assert (
            f'href="{reverse("cases:calendar")}"' in client_for(admin_user).get(warning_url).content.decode()
        )
        assert client_for(city.resident).get(warning_url).content == b""

        services.calendar_notice_enter(actor=admin_user, year=2027, lines=NOTICE_2027)
        assert client_for(city.village).get(warning_url).content == b""


def test_the_warning_adds_no_query_to_a_staff_page(city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(city.village)
    with clock.frozen(at(2026, 12, 7, 9, 0)), CaptureQueriesContext(connection) as page:
        client.get(reverse("cases:queue"))
    assert not any("cases_calendaryear" in q["sql"] for q in page.captured_queries)


def test_a_deadline_crossing_into_a_year_not_entered_says_so(city, admin_user):
    with clock.frozen(at(2026, 12, 31, 10, 0)):
        case = services.case_report(
            actor=city.resident, category="0101", description="路灯坏了", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
        )
        case = services.case_accept(actor=city.village, case=case, expected_version=case.version)
        case = services.case_dispatch(
            actor=city.village, case=case, expected_version=case.version,
            target=services.dispatch_target_for_worker(city.worker_record),
        )  # fmt: skip
        assert case.handling_due_at.year == 2027 and case.area_code == G1
        page = client_for(city.village).get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert "calendar-unentered" in page and "the holidays of 2027 have not been entered" in page
        api = client_for(city.village).get(f"/api/v1/cases/{case.pk}").json()
        assert api["deadline_years_unentered"] == [2027]

        services.calendar_notice_enter(actor=admin_user, year=2027, lines=NOTICE_2027)
        page = client_for(city.village).get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert "calendar-unentered" not in page
        assert (
            client_for(city.village).get(f"/api/v1/cases/{case.pk}").json()["deadline_years_unentered"] == []
        )
