"""Browser journeys of the closed loop.

1. A resident on a phone reports litter with a photo and their GPS position and sees it routed to the grid's
   worker; the worker accepts it, takes it on and reports it handled with an after-photo; the supervisor
   verifies it; the resident rates it.
2. A case the grid cannot solve is escalated from the grid to the village and on to the township, which
   handles it; it closes at township level.

Set SCREENSHOTS_DIR to keep a screenshot of each page the journeys pass through.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from grassroots.accounts.models import Role
from grassroots.areas.codes import Level
from grassroots.cases.models import Case, State
from tests import world
from tests.factories import UserFactory, user_with

pytestmark = pytest.mark.e2e

G1 = world.G1  # lon 107.00–107.01, lat 41.00–41.01
VILLAGE = world.VILLAGE
TOWNSHIP = world.TOWNSHIP
COUNTY = world.COUNTY
SPOT = {"latitude": 41.0052, "longitude": 107.0047, "accuracy": 15}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _jpeg(colour) -> dict:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "JPEG")
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


@pytest.fixture
def town(transactional_db, settings, tmp_path):
    """A grid with its worker, the village, township and county staff, a supervisor and a resident."""
    settings.MEDIA_ROOT = tmp_path
    world.seed_case_reference(years=())  # a transactional test starts from an emptied database
    world.place(G1, name="一网格")
    world.place(world.G2)
    worker, record = world.grid_worker(G1, name="网格员甲", username="wangge")
    return {
        "resident": UserFactory(username="jumin", display_name="张居民"),
        "worker": worker,
        "worker_record": record,
        "village": user_with(Role.VILLAGE_STAFF, VILLAGE, username="cun", display_name="村干部"),
        "township": user_with(Role.TOWNSHIP_STAFF, TOWNSHIP, username="zhen", display_name="镇干部"),
        "supervisor": user_with(Role.SUPERVISOR, COUNTY, username="jiandu", display_name="监督员"),
    }


def _context(browser, *, phone=False, geolocation=None, service_workers="allow"):
    options = {
        "locale": "zh-CN",
        "viewport": {"width": 1280, "height": 860},
        "service_workers": service_workers,
    }
    if phone:
        options.update(PHONE)
    if geolocation:
        options.update(geolocation=geolocation, permissions=["geolocation"])
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return context, page


def _open_action(page, name: str):
    """Open an action's form on the case page (its <details>) and return the form."""
    details = page.locator(f"details.action-{name}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details.locator("form")


def _submit(page, form):
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_resident_reports_worker_handles_supervisor_verifies_resident_rates(
    live_server, browser, log_in, town
):
    # given a litter report a few metres away from yesterday's walk of a neighbour
    from grassroots.cases import services

    neighbour = UserFactory(username="linju")
    services.case_report(
        actor=neighbour,
        category="0101",
        description="门口垃圾",
        lon=SPOT["longitude"] + 0.0002,
        lat=SPOT["latitude"],
    )
    # --- the resident, on a phone, with the position allowed ---
    context, phone = _context(browser, phone=True, geolocation=SPOT)
    log_in(phone, live_server, username="jumin")
    phone.goto(f"{live_server.url}/cases/report/")
    _shot(phone, "01-report-empty-phone")
    # the position arrives by itself, with its accuracy, and the pin is on the map
    expect(phone.locator("input[name=lat]")).to_have_value(re.compile(r"^41\.0052"))
    expect(phone.locator("input[name=accuracy_m]")).to_have_value("15")
    expect(phone.locator(".case-pin")).to_have_count(1)
    expect(phone.locator("[data-place-status]")).to_contain_text("15")
    phone.set_input_files("#id_photos", [_jpeg((180, 60, 40))])
    expect(phone.locator(".photo-previews img")).to_have_count(1)
    phone.select_option("#id_category", "0101")
    # the neighbour's report is suggested as a possible duplicate (same type, about 17 m away)
    expect(phone.locator("#duplicates .dupes-box")).to_be_visible()
    expect(phone.locator("#duplicates .dupes-box")).to_contain_text("17")
    phone.fill("#id_description", "小区东门垃圾堆了三天没人清")
    _shot(phone, "02-report-filled-phone")
    with phone.expect_navigation():
        phone.click("button[data-submit]")
    # then the case page says where it went and who answers for it
    case = Case.objects.get(reporter=town["resident"])
    assert re.search(rf"/cases/{case.pk}/$", phone.url)
    assert case.area_code == G1 and case.assignee_user == town["worker"] and case.photos.count() == 1
    assert case.accuracy_m == 15 and abs(case.lat - 41.0052) < 1e-6
    expect(phone.locator(".facts")).to_contain_text("网格员甲")
    expect(phone.locator(".timeline")).to_contain_text("您的诉求已收到，并已转至一网格。")
    _shot(phone, "03-case-reported-phone")
    assert phone.js_errors == []

    # --- the grid worker, on a phone: my tasks → accept → take it → handle with an after-photo ---
    wcontext, worker = _context(browser, phone=True)
    log_in(worker, live_server, username="wangge")
    worker.goto(f"{live_server.url}/cases/tasks/")
    expect(worker.locator(".case-card")).to_have_count(2)  # the neighbour's and this one
    expect(worker.locator(".case-card .light")).to_have_count(2)
    _shot(worker, "04-tasks-phone")
    with worker.expect_navigation():
        worker.locator(f".case-card a[href='/cases/{case.pk}/']").click()
    _submit(worker, _open_action(worker, "accept"))
    form = _open_action(worker, "dispatch")
    form.locator("select[name=target]").select_option(f"grid_worker:{town['worker_record'].pk}")
    _submit(worker, form)
    form = _open_action(worker, "handle")
    form.locator("textarea[name=note]").fill("已联系保洁清理干净")
    form.locator("input[name=photos]").set_input_files([_jpeg((40, 160, 60))])
    _shot(worker, "05-handle-phone")
    _submit(worker, form)
    case.refresh_from_db()
    assert case.state == State.HANDLED and case.photos.filter(stage="after").count() == 1
    expect(worker.locator(".case-badges .state")).to_have_class(re.compile("state-handled"))
    assert worker.js_errors == []

    # --- the supervisor, at a desk: the queue → the case → verified ---
    scontext, desk = _context(browser)
    log_in(desk, live_server, username="jiandu")
    desk.goto(f"{live_server.url}/cases/queue/?state=handled")
    expect(desk.locator("table.queue tbody tr")).to_have_count(1)
    _shot(desk, "06-queue-desk")
    with desk.expect_navigation():
        desk.locator("table.queue a.code").click()
    expect(desk.locator(".photo-group")).to_have_count(2)  # before and after
    _shot(desk, "07-case-desk")
    _submit(desk, _open_action(desk, "verify_pass"))
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.closing_level == Level.GRID
    assert desk.js_errors == []

    # --- the resident is told (their home page says so), opens it from there and rates it ---
    phone.goto(f"{live_server.url}/")
    expect(phone.locator(".inbox-link")).to_have_attribute("data-unread", re.compile(r"[1-9]"))
    with phone.expect_navigation():
        phone.locator("[data-waiting='cases-rate'] .waiting-items a").first.click()
    expect(phone.locator(".inbox-link")).to_have_attribute("data-unread", "0")  # opening it read its news
    phone.check("input[name=rating][value=satisfied]")
    phone.check("input[name=really_solved][value=yes]")
    _shot(phone, "08-rate-phone")
    with phone.expect_navigation():
        phone.click(".rate-form button[type=submit]")
    case.refresh_from_db()
    assert case.rating == "satisfied" and case.really_solved is True and case.state == State.CLOSED
    expect(phone.locator(".rating-line")).to_be_visible()
    _shot(phone, "09-rated-phone")
    assert phone.js_errors == []
    for c in (context, wcontext, scontext):
        c.close()


def test_case_escalates_from_grid_to_village_to_township_and_closes_there(live_server, browser, log_in, town):
    from grassroots.cases import services

    case = services.case_report(
        actor=town["resident"], category="0901", description="两户因院墙纠纷多次争吵", lon=107.005, lat=41.005
    )
    # the grid worker accepts it and sends it up: the grid cannot solve it
    context, page = _context(browser)
    log_in(page, live_server, username="wangge")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    _submit(page, _open_action(page, "accept"))
    form = _open_action(page, "escalate")
    form.locator("textarea[name=note]").fill("双方不接受网格调解")
    _submit(page, form)
    case.refresh_from_db()
    assert (case.level, case.area_code, case.state) == (Level.VILLAGE, VILLAGE, State.ACCEPTED)
    context.close()

    # the village sees it in its queue and sends it on to the township
    context, page = _context(browser)
    log_in(page, live_server, username="cun")
    page.goto(f"{live_server.url}/cases/queue/?level=5")
    expect(page.locator("table.queue tbody tr")).to_have_count(1)
    with page.expect_navigation():
        page.locator("table.queue a.code").click()
    form = _open_action(page, "escalate")
    form.locator("textarea[name=note]").fill("涉及宅基地确权，需镇司法所")
    _submit(page, form)
    case.refresh_from_db()
    assert (case.level, case.area_code) == (Level.TOWNSHIP, TOWNSHIP)
    context.close()

    # the township takes it on itself, handles it, and the supervisor verifies: closed at township level
    context, page = _context(browser)
    log_in(page, live_server, username="zhen")
    page.goto(f"{live_server.url}/cases/queue/")
    with page.expect_navigation():
        page.locator("table.queue a.code").first.click()
    form = _open_action(page, "dispatch")
    form.locator("select[name=target]").select_option(f"user:{town['township'].pk}")
    _submit(page, form)
    form = _open_action(page, "handle")
    form.locator("textarea[name=note]").fill("司法所现场调解，双方签订协议")
    _submit(page, form)
    _shot(page, "10-escalated-handled-desk")
    context.close()

    context, page = _context(browser)
    log_in(page, live_server, username="jiandu")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    _submit(page, _open_action(page, "verify_pass"))
    case.refresh_from_db()
    assert case.state == State.CLOSED
    assert case.closing_level == Level.TOWNSHIP and case.closing_code == TOWNSHIP
    actions = list(case.events.values_list("action", flat=True))
    assert actions == ["report", "accept", "escalate", "escalate", "dispatch", "handle", "verify_pass"]
    assert page.js_errors == []
    context.close()


def _filled_report(browser, live_server, log_in, description: str, service_workers="allow"):
    # (Playwright's routing does not see what a service worker fetches: the test that routes blocks it.)
    context, phone = _context(browser, phone=True, geolocation=SPOT, service_workers=service_workers)
    log_in(phone, live_server, username="jumin")
    phone.goto(f"{live_server.url}/cases/report/")
    expect(phone.locator("input[name=lat]")).to_have_value(re.compile(r"^41\.0052"))
    phone.set_input_files("#id_photos", [_jpeg((40, 120, 60))])
    phone.select_option("#id_category", "0101")
    phone.fill("#id_description", description)
    return context, phone


def test_a_report_sent_without_signal_stays_on_the_page_and_goes_when_the_signal_returns(
    live_server, browser, log_in, town
):
    # given a resident in a pastoral village whose phone loses the signal just as they send
    context, phone = _filled_report(browser, live_server, log_in, "牧道边的警示牌倒了")
    context.set_offline(True)
    phone.click("button[data-submit]")
    # then the page says nothing is lost and keeps the report, photo included, and nothing was made
    expect(phone.locator("[data-send-status]")).to_contain_text("没有网络")
    expect(phone.locator("[data-send-status]")).to_contain_text("第 1 次")
    expect(phone.locator("[data-send-now]")).to_be_visible()
    expect(phone.locator("#id_description")).to_have_value("牧道边的警示牌倒了")
    expect(phone.locator(".photo-previews img")).to_have_count(1)
    _shot(phone, "04-report-no-signal-phone")
    assert not Case.objects.filter(reporter=town["resident"]).exists()
    # when the signal returns, it is sent by itself (the browser says it is online again)
    with phone.expect_navigation():
        context.set_offline(False)
    # then the report was made once, with its photo, and the thank-you message is on the case page
    case = Case.objects.get(reporter=town["resident"])
    assert phone.url.endswith(f"/cases/{case.pk}/") and case.photos.count() == 1
    expect(phone.locator("ul.messages")).to_contain_text(case.reference)
    assert phone.js_errors == []
    context.close()


def test_a_matter_resolved_on_the_spot_sent_without_signal_goes_by_itself_when_the_signal_returns(
    live_server, browser, log_in, town
):
    # given a grid worker who fixed a small matter in their grid, whose phone loses the signal as they send it
    context, phone = _context(browser, phone=True, geolocation=SPOT)
    log_in(phone, live_server, username="wangge")
    phone.goto(f"{live_server.url}/cases/on-the-spot/")
    expect(phone.locator("input[name=lat]")).to_have_value(re.compile(r"^41\.0052"))
    phone.set_input_files("#id_before_photos", [_jpeg((120, 40, 40))])
    phone.set_input_files("#id_after_photos", [_jpeg((40, 120, 40))])
    phone.select_option("#id_category", "0101")
    phone.fill("#id_description", "路灯杆上贴了小广告")
    phone.fill("#id_note", "已清理干净")
    context.set_offline(True)
    phone.click("button[data-submit]")
    # then the page keeps it and says so, the button waits, and nothing was made
    expect(phone.locator("[data-send-status]")).to_contain_text("没有网络")
    expect(phone.locator("[data-send-status]")).to_contain_text("第 1 次")
    expect(phone.locator("[data-send-now]")).to_be_visible()
    expect(phone.locator("button[data-submit]")).to_be_disabled()
    assert not Case.objects.filter(close_reason="on_the_spot").exists()
    # when the signal returns, it is sent by itself (the browser says it is online again), once
    with phone.expect_navigation():
        context.set_offline(False)
    case = Case.objects.get(close_reason="on_the_spot")
    assert case.state == State.CLOSED and phone.url.endswith(f"/cases/{case.pk}/")
    assert phone.js_errors == []
    context.close()


def test_a_report_whose_answer_is_lost_on_the_way_back_is_not_made_twice(live_server, browser, log_in, town):
    # given a report that reaches the server but whose answer the weak signal loses
    context, phone = _filled_report(browser, live_server, log_in, "水井的盖子坏了", service_workers="block")
    lost = []

    def lose_the_first_answer(route):
        if not lost:
            route.fetch()  # the server receives the report and makes the case
            lost.append(True)
            route.abort("connectionreset")
        else:
            route.continue_()

    phone.route(f"{live_server.url}/cases/report/", lose_the_first_answer)
    phone.click("button[data-submit]")
    expect(phone.locator("[data-send-status]")).to_contain_text("没有网络")
    assert Case.objects.filter(reporter=town["resident"]).count() == 1
    # when the person taps "send again now"
    with phone.expect_navigation():
        phone.click("[data-send-now]")
    # then the same report comes back (its idempotency key): one case, and its page
    case = Case.objects.get(reporter=town["resident"])
    assert phone.url.endswith(f"/cases/{case.pk}/") and case.photos.count() == 1
    assert phone.js_errors == []
    context.close()


def test_a_report_with_a_mistake_is_shown_by_the_server_as_before(live_server, browser, log_in, town):
    # given a report without a service type
    context, phone = _context(browser, phone=True, geolocation=SPOT)
    log_in(phone, live_server, username="jumin")
    phone.goto(f"{live_server.url}/cases/report/")
    expect(phone.locator("input[name=lat]")).to_have_value(re.compile(r"^41\.0052"))
    phone.fill("#id_description", "路灯不亮")
    with phone.expect_navigation():
        phone.click("button[data-submit]")
    # then the server's page names the missing field and nothing was made
    expect(phone.locator("#id_category")).to_be_visible()
    expect(phone.locator("main")).to_contain_text("必填")
    assert not Case.objects.filter(reporter=town["resident"]).exists()
    assert phone.js_errors == []
    context.close()
