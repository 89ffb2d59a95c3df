"""Browser journey of the callback survey (回访): a call taken by the village desk is closed; a staff member
of the village opens the site's home, follows the header's link to the callback list, sees the reporter's
phone masked, records a call that did not reach the reporter and then one that did, with the reporter's
rating and answer, after which the case has left the list and its rating counts as a callback."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from grassroots.accounts.models import Role
from grassroots.cases import services
from grassroots.cases.models import (
    CallbackAttempt,
    CaseRating,
    RatingChannel,
    Source,
    State,
)
from tests import world
from tests.factories import user_with

pytestmark = pytest.mark.e2e

G1 = world.G1
VILLAGE = world.VILLAGE
INSIDE_G1 = world.inside(G1)


@pytest.fixture
def closed_call(transactional_db):
    """A call taken by the village desk, handled by the grid's worker, verified by another village staff."""
    world.seed_case_reference(years=())  # a transactional test starts from an emptied database
    world.place(G1, name="一网格")
    worker, record = world.grid_worker(G1, name="网格员甲", username="wangge")
    desk = user_with(Role.VILLAGE_STAFF, VILLAGE, username="cun", display_name="村干部")
    verifier = user_with(Role.VILLAGE_STAFF, VILLAGE, username="cun2", display_name="村干部乙")
    case = services.case_enter(
        actor=desk, source=Source.PHONE, category="0101", description="路灯坏了",
        lon=INSIDE_G1[0], lat=INSIDE_G1[1], reporter_name="张三", reporter_phone="13812345678",
    )  # fmt: skip
    case = services.case_accept(actor=worker, case=case, expected_version=case.version)
    case = services.case_dispatch(
        actor=worker, case=case, expected_version=case.version,
        target=services.dispatch_target_for_worker(record),
    )  # fmt: skip
    case = services.case_handle(actor=worker, case=case, expected_version=case.version, note="换了灯泡")
    case = services.case_verify(actor=verifier, case=case, expected_version=case.version, passed=True)
    assert case.state == State.CLOSED
    return case


def test_staff_open_the_callback_list_from_home_and_record_calls(live_server, page, log_in, closed_call):
    case = closed_call
    log_in(page, live_server, username="cun")
    page.goto(f"{live_server.url}/")
    # the header links to the callback list
    page.click("nav a[data-nav=callbacks]")
    expect(page).to_have_url(f"{live_server.url}/cases/callbacks/")
    row = page.locator(f"[data-callback='{case.pk}']")
    expect(row).to_be_visible()
    expect(row.locator("[data-phone]")).to_have_text("138****5678")
    assert "13812345678" not in page.content()

    # a call that found no one
    row.locator("input[name=reached][value=no]").check()
    row.locator("textarea[name=note]").fill("无人接听")
    with page.expect_navigation():
        row.locator("button[type=submit].primary").click()
    row = page.locator(f"[data-callback='{case.pk}']")
    expect(row.locator("[data-call=not_reached]")).to_have_count(1)

    # then the reporter answers
    row.locator("input[name=reached][value=yes]").check()
    row.locator("select[name=rating]").select_option("basically")
    row.locator("select[name=really_solved]").select_option("yes")
    row.locator("textarea[name=note]").fill("灯亮了，就是修得慢")
    with page.expect_navigation():
        row.locator("button[type=submit].primary").click()
    expect(page.locator("[data-callbacks-empty]")).to_be_visible()
    assert page.js_errors == []

    assert list(CallbackAttempt.objects.filter(case=case).values_list("outcome", flat=True)) == [
        "not_reached",
        "reached",
    ]
    rating = CaseRating.objects.get(case=case)
    assert (rating.channel, rating.rating, rating.really_solved, rating.comment) == (
        RatingChannel.CALLBACK,
        "basically",
        True,
        "灯亮了，就是修得慢",
    )
