"""Browser journeys of the workforce.

1. A red grid worker's line: an in-service party member asks to check in to the branch of the grid where
   they live, the branch (village staff) confirms, the member logs service hours on the phone, and the
   hours appear in the grid's figures.
2. A patrol: the grid worker starts it on the phone, positions are posted as the phone would post them
   (simulated), a case found on the way is reported through the link to the report page, the patrol ends;
   the supervisor sees the track, another worker of the same grid does not.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from grassroots.workforce.models import CheckIn, Patrol, PatrolPoint
from tests.workforce.conftest import G1, build_world

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(transactional_db):
    return build_world()


def test_member_checks_in_branch_confirms_hours_reach_the_grid(live_server, page, phone_page, log_in, world):
    # the member, on the phone, asks to check in
    log_in(phone_page, live_server, username=world.member_user.username)
    phone_page.goto(f"{live_server.url}/grids/check-in/")
    phone_page.fill("#id_pledge", "周末为老人代购")
    phone_page.click("#check-in-form button[type=submit]")
    expect(phone_page.locator(".check-in[data-status=requested]")).to_be_visible()
    # the branch confirms
    log_in(page, live_server, username=world.village_staff.username)
    page.goto(f"{live_server.url}/grids/check-ins/")
    row = page.locator(f"tr[data-check-in='{CheckIn.objects.get().pk}']")
    expect(row).to_contain_text("周末为老人代购")
    expect(row.locator("form[action$='/confirm/'] button")).to_have_text("确认")
    row.locator("form[action$='/confirm/'] button").click()
    expect(page.locator(".messages")).to_be_visible()
    assert CheckIn.objects.get().status == "confirmed"
    # the member logs hours
    phone_page.reload()
    form = phone_page.locator(".check-in[data-status=confirmed] .service-form")
    form.locator("input[name=hours]").fill("2.5")
    form.locator("input[name=description]").fill("代购米面")
    form.locator("button[type=submit]").click()
    expect(phone_page.locator(".total-hours")).to_have_text("2.5")
    # the grid's figures show them
    page.goto(f"{live_server.url}/grids/{G1}/")
    expect(page.locator("#grid-figures .service-hours")).to_have_text("2.5")
    expect(page.locator("#grid-figures .checked-in-members")).to_have_text("1")


def _csrf(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")


def test_patrol_start_move_report_end_and_who_sees_the_track(live_server, browser, phone_page, log_in, world):
    log_in(phone_page, live_server, username=world.worker_user.username)
    phone_page.goto(f"{live_server.url}/grids/patrols/")
    phone_page.click("#patrol-start button")
    expect(phone_page.locator("#patrol-open")).to_be_visible()
    patrol = Patrol.objects.get()
    # move: the phone posts its positions in a batch (simulated, twenty seconds apart)
    start = patrol.started_at
    positions = [
        {
            "recorded_at": (start + dt.timedelta(seconds=20 * i)).isoformat(),
            "lon": 111.0 + i / 1000,
            "lat": 40.0,
        }
        for i in range(3)
    ]
    actions = phone_page.locator("#patrol-actions")
    url = live_server.url + actions.get_attribute("data-positions-url")
    response = phone_page.request.post(
        url, data={"positions": positions}, headers={"X-CSRFToken": _csrf(phone_page.context)}
    )
    assert response.ok, response.text()
    # report a case on the way: the link opens the report page told which patrol it came from
    link = phone_page.locator("#report-case")
    assert link.get_attribute("href").endswith(f"?patrol={patrol.pk}")
    link.click()
    phone_page.wait_for_url(f"**?patrol={patrol.pk}")
    phone_page.go_back()
    phone_page.fill("#id_finding", "井盖缺失")
    phone_page.locator("#patrol-actions form").first.locator("button").click()
    # the finding is sent (through the phone's outbox) and the page shows it before the patrol ends
    expect(phone_page.locator("main li", has_text="井盖缺失")).to_have_count(1)
    # end
    phone_page.click("#patrol-end button")
    expect(phone_page.locator("#patrol-open")).to_have_count(0)
    assert Patrol.objects.get().ended_at is not None
    assert PatrolPoint.objects.filter(patrol=patrol).count() == 3
    # the supervisor sees the track; another worker of the same grid gets not found
    supervisor = browser.new_context(locale="zh-CN").new_page()
    log_in(supervisor, live_server, username=world.township_staff.username)
    supervisor.goto(f"{live_server.url}/grids/patrols/{patrol.pk}/")
    expect(supervisor.locator("#track .track-points li")).to_have_count(3)
    expect(supervisor.get_by_text("井盖缺失")).to_be_visible()
    other = browser.new_context(locale="zh-CN").new_page()
    log_in(other, live_server, username=world.other_worker_user.username)
    response = other.goto(f"{live_server.url}/grids/patrols/{patrol.pk}/")
    assert response.status == 404
    assert other.request.get(f"{live_server.url}/api/v1/workforce/patrols/{patrol.pk}/track").status == 404
    supervisor.context.close()
    other.context.close()
