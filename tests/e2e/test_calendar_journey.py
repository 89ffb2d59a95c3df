"""Browser journey of the coming year's calendar (issue 20, item 7).

In December 2026 an administrator sees on a staff page that the holidays of 2027 are not entered, follows
the warning to the working calendar, opens 2027, types the State Council's notice as a few lines, is told
which line overlaps which, corrects it, sees every day that will change with the weekends flagged, and saves:
the warning is gone from every staff page, and the village's staff never had the link to the page.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grassroots import clock
from grassroots.accounts.models import Role
from grassroots.cases.models import CalendarSource, CalendarYear, WorkingDay
from tests import world
from tests.factories import user_with

pytestmark = pytest.mark.e2e

COUNTY = world.COUNTY
VILLAGE = world.VILLAGE


@pytest.fixture
def people(transactional_db):
    world.seed_case_reference(years=(2026,))  # a transactional test starts from an emptied database
    return {
        "admin": user_with(Role.ADMINISTRATOR, COUNTY, username="guanli", display_name="管理员"),
        "village": user_with(Role.VILLAGE_STAFF, VILLAGE, username="cun", display_name="村干部"),
    }


def test_an_administrator_enters_next_years_notice_and_the_warning_goes(live_server, page, log_in, people):
    with clock.frozen(timezone.make_aware(dt.datetime(2026, 12, 7, 9, 0))):
        log_in(page, live_server, username="cun", next_url="/cases/queue/")
        warning = page.locator(".calendar-warning")
        expect(warning).to_contain_text("2027")
        expect(warning).to_contain_text("请系统管理员")  # village staff are told whom to ask
        expect(warning.locator("a")).to_have_count(0)
        expect(page.locator("header nav")).not_to_contain_text("工作日历")
        page.context.clear_cookies()

        log_in(page, live_server, username="guanli", next_url="/cases/queue/")
        expect(page.locator(".calendar-warning")).to_contain_text("2027")
        page.click(".calendar-warning a")
        expect(page.locator("h1")).to_have_text("工作日历")
        expect(page.locator('tr[data-year="2027"]')).to_contain_text("未录入")
        page.click('tr[data-year="2027"] a')
        expect(page.locator("h1")).to_have_text("2027年节假日")
        expect(page.locator("#id_line-0-name")).to_have_value("元旦")
        expect(page.locator("#id_line-6-name")).to_have_value("国庆节")

        page.fill("#id_line-0-first", "2027-01-01")
        page.fill("#id_line-0-last", "2027-01-03")
        page.fill("#id_line-1-first", "2027-02-06")
        page.fill("#id_line-1-last", "2027-02-14")
        page.fill("#id_line-1-make_up", "1月31日、2月20日")
        page.fill("#id_line-5-first", "2027-10-01")  # the Mid-Autumn Festival typed over National Day
        page.fill("#id_line-6-first", "2027-10-01")
        page.fill("#id_line-6-last", "2027-10-07")
        page.fill("#id_line-6-make_up", "9-26, 10-9")
        page.click("button[name=check]")
        expect(page.locator(".notice-line-errors")).to_contain_text("第 7 行：2027-10-01 已在第 6 行中")
        expect(page.locator("button[name=save]")).to_have_count(0)

        page.fill("#id_line-5-first", "2027-09-15")
        page.click("button[name=check]")
        preview = page.locator(".notice-preview")
        expect(preview).to_contain_text("放假 20 天")
        expect(preview).to_contain_text("调休上班 4 天")
        expect(page.locator('tr[data-date="2027-01-02"] .weekend-flag')).to_be_visible()
        expect(page.locator('tr[data-date="2027-10-09"]')).to_contain_text("上班")
        expect(page.locator('tr[data-date="2027-01-01"] .weekend-flag')).to_have_count(0)  # a Friday
        assert not CalendarYear.objects.filter(year=2027).exists()

        page.click("button[name=save]")
        expect(page.locator(".messages")).to_contain_text("2027年的节假日已录入")
        expect(page.locator('tr[data-year="2027"]')).to_contain_text("管理员录入的国务院放假通知")
        expect(page.locator(".calendar-warning")).to_have_count(0)
        page.context.clear_cookies()

        log_in(page, live_server, username="cun", next_url="/cases/queue/")
        expect(page.locator("main")).to_be_visible()
        expect(page.locator(".calendar-warning")).to_have_count(0)

    entry = CalendarYear.objects.get(year=2027)
    assert entry.source == CalendarSource.NOTICE and entry.entered_by == people["admin"]
    assert WorkingDay.objects.get(date=dt.date(2027, 10, 9)).is_working
    assert not WorkingDay.objects.get(date=dt.date(2027, 9, 15)).is_working
