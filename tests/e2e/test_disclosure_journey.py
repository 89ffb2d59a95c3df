"""Sunshine disclosure in the browser: village staff import a minimum-allowance roster from Excel and publish
it with a 7-working-day window; a resident opens the public page from the QR code's address on a phone and
objects; the objection arrives as a case; the staff's answer appears beside the notice; after the window the
notice is confirmed. The clock is moved with ``grassroots.clock.frozen`` (the live server shares it)."""

from __future__ import annotations

import io
import tempfile

import pytest
from playwright.sync_api import expect

from grassroots import clock
from grassroots.cases.models import Case
from grassroots.disclosure.models import Notice, NoticeState
from tests.disclosure.conftest import ALLOWANCE_HEADER, ALLOWANCE_SHEET_ROWS, at, categories, sheet, town  # noqa: F401 - fixtures used by name

pytestmark = pytest.mark.e2e


def _qr_svg(url: str) -> bytes:
    import qrcode
    import qrcode.image.svg

    out = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10).save(out)
    return out.getvalue()


def test_allowance_roster_from_excel_to_confirmation(live_server, page, phone_page, log_in, town):  # noqa: F811
    # given village staff on the board's desk page
    log_in(page, live_server, username="staff")
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as upload:
        upload.write(sheet(ALLOWANCE_HEADER, ALLOWANCE_SHEET_ROWS).getvalue())
        upload.flush()
        with clock.frozen(at("2026-03-02", 9)):
            page.goto(f"{live_server.url}/disclosure/boards/{town.board.pk}/manage/")
            # when they import the minimum-allowance roster from Excel
            page.select_option("#id_kind", "allowance")
            page.fill("#id_rtitle", "民主村2026年3月低保调整公示")
            page.set_input_files("#id_sheet", upload.name)
            with page.expect_navigation():
                page.click("#roster-form button[type=submit]")
            # then private columns are named as not imported, and the draft has its two rows
            expect(page.locator(".messages")).to_contain_text("身份证号")
            notice = Notice.objects.get()
            assert len(notice.draft["rows"]) == 2
            # when they publish it with a 7-working-day window
            page.fill(f"#w{notice.pk}", "7")
            with page.expect_navigation():
                page.click(f"tr[data-notice='{notice.pk}'] button[name=publish]")
    notice.refresh_from_db()
    assert notice.state == NoticeState.PUBLISHED and str(notice.window_ends_on) == "2026-03-11"

    # the printed sheet carries a QR code of the online address
    with clock.frozen(at("2026-03-04")):
        page.goto(f"{live_server.url}/disclosure/notices/{notice.pk}/print/")
        qr_src = page.locator("img.qr").get_attribute("src")
        served = page.request.get(f"{live_server.url}{qr_src}").body()
        online = f"{live_server.url}/disclosure/notices/{notice.pk}/"
        assert served == _qr_svg(online)

        # when a resident opens that address on a phone and objects (logging in on the way)
        phone = phone_page
        phone.goto(online)
        expect(phone.locator("table.roster")).to_contain_text("张*明")
        expect(phone.locator("body")).not_to_contain_text("11010519491231002X")
        expect(phone.locator("#chain")).to_have_class("chain-ok")
        with phone.expect_navigation():
            phone.locator("#objections a").focus()
            phone.keyboard.press("Enter")
        phone.fill("#id_username", "resident")
        phone.fill("#id_password", "Grassroots-pass-1")
        with phone.expect_navigation():
            phone.click("main form button[type=submit]")
        assert phone.url == online
        phone.fill("#id_objection", "李四家收入已经下降，不应停保，请重新核查。")
        send = phone.locator("#objections button[type=submit]")
        send.scroll_into_view_if_needed()
        with phone.expect_navigation():
            send.focus()
            phone.keyboard.press("Enter")
        expect(phone.locator("#objections")).to_contain_text("李四家收入已经下降")

    # then it arrived as a case at the village, routed to the village staff
    case = Case.objects.get()
    assert case.area_code == town.village.code and case.source == "disclosure"
    assert case.reporter == town.resident

    # when the staff answer it, the answer appears beside the notice
    with clock.frozen(at("2026-03-06")):
        page.goto(f"{live_server.url}/disclosure/boards/{town.board.pk}/manage/")
        page.locator("textarea[name=answer]").fill(
            "经入户核查，李四家2025年人均收入高于当地低保标准，维持停保。"
        )
        with page.expect_navigation():
            page.click("button[name=answer_objection]")
        phone.reload()
        expect(phone.locator("#objections .answer")).to_contain_text("维持停保")
    # and its case went through the workflow to handled, with the answer as the handling note; someone else
    # verifies it (verification is independent of handling)
    case.refresh_from_db()
    assert case.state == "handled" and "维持停保" in case.events.get(action="handle").note

    # and a confirmation inside the window is refused, after it accepted
    with clock.frozen(at("2026-03-11", 15)):
        page.goto(f"{live_server.url}/disclosure/boards/{town.board.pk}/manage/")
        with page.expect_navigation():
            page.click("button[name=confirm]")
        expect(page.locator(".messages")).to_contain_text("2026-03-11")
    notice.refresh_from_db()
    assert notice.state == NoticeState.PUBLISHED
    with clock.frozen(at("2026-03-12", 9)):
        with page.expect_navigation():
            page.click("button[name=confirm]")
        notice.refresh_from_db()
        assert notice.state == NoticeState.CONFIRMED and notice.long_term
        phone.reload()
        expect(phone.locator("article .notice-meta strong")).to_be_visible()
    assert not page.js_errors
