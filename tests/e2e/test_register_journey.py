"""Browser journey of the register on a phone: a grid worker finds an elderly resident by pinyin initials,
shows the ID number in full with a reason, and records a visit to the household with a need found."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from grassroots import clock
from grassroots.accounts.models import AuditLog, Role
from grassroots.people import services
from grassroots.people.codes import Attention, KeyGroup, Relation
from grassroots.people.models import Visit
from tests.factories import user_with
from tests.people.factories import GRID, household, resident, synthetic_id

pytestmark = pytest.mark.e2e


def test_grid_worker_finds_a_person_shows_the_id_and_records_a_visit(live_server, phone_page, log_in):
    number = synthetic_id(order=951)
    hh = household(GRID, address="塞上社区幸福路8号")
    person = resident(hh, name="王秀英", id_number=number, relation=Relation.HEAD)
    worker = user_with(Role.GRID_WORKER, GRID, username="wanggrid")
    services.label_set(actor=worker, resident=person, kind=KeyGroup.ELDERLY_ALONE, attention=Attention.CLOSE)
    page = phone_page
    log_in(page, live_server, username="wanggrid", next_url="/people/")

    # due today: the household is on "my visits due"
    page.goto(f"{live_server.url}/people/visits/due/")
    expect(page.locator("main")).to_contain_text("塞上社区幸福路8号")

    # find her by pinyin initials; the list shows the masked ID only
    page.goto(f"{live_server.url}/people/search/")
    page.fill("input[name=q]", "wxy")
    page.click("main form button[type=submit]")
    expect(page.locator(".rows")).to_contain_text("王秀英")
    expect(page.locator("main")).not_to_contain_text(number)
    page.click("text=王秀英")

    # show in full, with a reason
    page.click("main summary")  # not the header's menu
    page.fill("#reveal-reason", "核对高龄津贴")
    page.click("main details form button[type=submit]")
    expect(page.locator(".revealed").first).to_have_text(number)
    assert AuditLog.objects.filter(action="people.reveal", reason="核对高龄津贴").count() == 1

    # record a visit with a need
    page.goto(f"{live_server.url}/people/households/{hh.pk}/visits/new/")
    page.fill("#id_found", "老人身体尚可，独自在家")
    page.fill("#id_need", "冬季取暖煤不足")
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("冬季取暖煤不足")
    assert Visit.objects.get(household=hh).need == "冬季取暖煤不足"
    # closely followed: the next visit is due in a week
    page.goto(f"{live_server.url}/people/visits/due/")
    next_due = clock.today() + dt.timedelta(days=7)
    expect(page.locator("main")).to_contain_text(next_due.isoformat())
