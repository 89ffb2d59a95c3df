"""In the field without signal (issue 16): a resident writes a report with two photos with no signal, the phone
keeps it in its outbox across a reload, and it is made exactly once when the signal returns; a grid worker
handles a task with no signal and it syncs, while an action on a case someone else changed first is reported to
the worker in words and not applied."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from grassroots.cases import services as case_services
from grassroots.cases.models import Case, Category, State
from grassroots.cases.services import registry
from tests.e2e.test_case_journeys import SPOT, _context, _shot, town  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.e2e


def _photo(colour, size=(2400, 1800)) -> dict:
    """A camera-sized photo (noise, so that it does not compress to nothing)."""
    image = Image.effect_noise(size, 60).convert("RGB")
    image.paste(Image.new("RGB", (size[0] // 2, size[1] // 2), colour))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return {"name": f"photo-{colour[0]}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _controlled(page, url: str) -> None:
    """Open ``url`` until the service worker controls the page (and so has kept it for offline use)."""
    page.goto(url)
    for _ in range(50):
        if page.evaluate("() => Boolean(navigator.serviceWorker.controller)"):
            break
        page.wait_for_timeout(100)
        page.reload()
    page.reload()  # this load went through the worker, which kept the page


def _is_kept(page, url: str) -> bool:
    return page.evaluate(
        "u => caches.keys().then(ks => Promise.all(ks.map(k => caches.open(k).then(c => c.match(u)))))"
        ".then(hits => hits.some(Boolean))",
        url,
    )


def _kept(page, url: str, *, kept: bool = True) -> None:
    for _ in range(50):
        if _is_kept(page, url) == kept:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{url} was {'not ' if kept else ''}kept for offline use")


def test_a_report_written_offline_with_two_photos_is_made_once_after_the_signal_returns(
    live_server,
    browser,
    log_in,
    town,  # noqa: F811
    settings,
):
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"
    # given a resident whose phone has opened the report form once with a signal
    context, phone = _context(browser, phone=True, geolocation=SPOT)
    log_in(phone, live_server, username="jumin")
    _controlled(phone, f"{live_server.url}/cases/report/")
    # when the signal is gone and they write a report with two photos and send it
    context.set_offline(True)
    phone.reload()  # the form opens without signal, from the phone
    expect(phone.locator("input[name=lat]")).not_to_have_value("")  # the position from GPS, offline too
    phone.set_input_files("#id_photos", [_photo((200, 30, 30)), _photo((30, 30, 200))])
    phone.select_option("#id_category", "0101")
    phone.fill("#id_description", "草场围栏倒了一段")
    phone.click("button[data-submit]")
    # then it waits on the phone, said so, with its photos shrunk before they wait
    expect(phone.locator("[data-send-status]")).to_contain_text("没有网络")
    outbox = phone.locator("[data-outbox-list]")
    expect(outbox.locator("li[data-state=waiting]")).to_have_count(1)
    sizes = phone.evaluate(
        "() => GrassrootsOutbox.all().then(items => items[0].fields.filter(f => f.blob).map(f => f.blob.size))"
    )
    assert len(sizes) == 2 and all(size <= 400 * 1024 for size in sizes), sizes
    # and it is still there after the page is reloaded without signal; nothing was made
    phone.reload()
    expect(outbox.locator("li[data-state=waiting]")).to_have_count(1)
    expect(outbox).to_contain_text("等待信号")
    _shot(phone, "offline-report-waiting-phone")
    assert not Case.objects.filter(reporter=town["resident"]).exists()
    # when the signal returns
    context.set_offline(False)
    # then it is sent by itself, once, with both photos (a tap on "send now" and a reload change nothing)
    expect(outbox.locator("li[data-state=sent]")).to_have_count(1, timeout=15_000)
    phone.reload()
    expect(outbox.locator("li[data-state=sent] a")).to_be_visible()
    case = Case.objects.get(reporter=town["resident"])
    assert case.photos.count() == 2 and case.description == "草场围栏倒了一段"
    assert Case.objects.filter(reporter=town["resident"]).count() == 1
    context.close()


def test_a_worker_handles_a_task_offline_and_a_case_changed_first_is_reported_not_applied(
    live_server,
    browser,
    log_in,
    town,  # noqa: F811
    settings,
):
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"
    # given two tasks of the grid worker
    category = Category.objects.get(code="0101")
    tasks = []
    for text in ("路灯不亮", "水管漏水"):
        case = case_services.case_report(
            actor=town["resident"], category=category, description=text, lon=107.0047, lat=41.0052,
            crs="wgs84", accuracy_m=10, address="", photo_files=[], idempotency_key="",
        )  # fmt: skip
        tasks.append(case_services.case_take(actor=town["worker"], case=case, expected_version=case.version))
    first, second = tasks
    # and the worker opened "my tasks" with a signal (their cases are kept for the day)
    context, phone = _context(browser, phone=True, geolocation=SPOT)
    log_in(phone, live_server, username="wangge")
    _controlled(phone, f"{live_server.url}/cases/tasks/")
    for case in tasks:
        _kept(phone, f"{live_server.url}/cases/{case.pk}/")
    # when, without signal, they report both handled
    context.set_offline(True)
    for case in tasks:
        phone.goto(f"{live_server.url}/cases/{case.pk}/")
        handle = phone.locator("details.action-handle")
        if handle.get_attribute("open") is None:
            handle.locator("summary").click()
        handle.locator("textarea[name=note]").fill("已修好")
        handle.locator("input[type=file]").set_input_files([_photo((30, 160, 30), (1200, 900))])
        handle.locator("button[type=submit]").click()
        expect(handle.locator("[data-send-status]")).to_contain_text("没有网络")
    outbox = phone.locator("[data-outbox-list]")
    expect(outbox.locator("li[data-state=waiting]")).to_have_count(2)
    # and meanwhile the supervisor urges the second case (it changes before the worker's action arrives)
    registry.perform(
        "urge",
        actor=town["supervisor"],
        case=second,
        values=registry.ActionInput(expected_version=second.version),
    )
    # when the signal returns
    context.set_offline(False)
    # then the first is handled, once, with its photo; the second is refused, said in words, not applied
    expect(outbox.locator("li[data-state=refused]")).to_have_count(1, timeout=15_000)
    expect(outbox.locator(".outbox-message")).to_contain_text("其他人")
    _shot(phone, "offline-action-refused-phone")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == State.HANDLED and first.events.filter(action="handle").count() == 1
    assert second.state == State.DISPATCHED and not second.events.filter(action="handle").exists()
    # a reload sends nothing twice
    phone.reload()
    expect(outbox.locator("li[data-state=refused]")).to_have_count(1)
    assert first.events.filter(action="handle").count() == 1
    # and at logout the pages kept for the worker are forgotten
    phone.click("details.menu summary")  # on a phone the header's links are behind its menu
    with phone.expect_navigation():
        phone.click("form[data-logout] button")
    _kept(phone, f"{live_server.url}/cases/{second.pk}/", kept=False)
    context.close()
