"""A resident's journey in Mongolian (traditional script, written top to bottom), on a phone: report with a photo,
follow the case to its rating, read a public topic's timeline and a bilingual roster notice. And the script
renders as it should in Chromium: the platform's own font is loaded, letters join (a joined word is not the sum
of its letters' isolated forms), and the subset renders exactly as the full Noto Sans Mongolian does.

Set SCREENSHOTS_DIR to keep a screenshot of each page the journey passes through.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from grassroots.accounts.models import Role
from grassroots.cases.models import Case, State
from grassroots.cases.seed_names import NAMES
from tests import world
from tests.factories import UserFactory, user_with

pytestmark = pytest.mark.e2e

G1 = world.G1
VILLAGE = world.VILLAGE
COUNTY = world.COUNTY
SPOT = {"latitude": 41.0052, "longitude": 107.0047, "accuracy": 15}
MONGOLIAN = re.compile("[\u1820-\u1878]")
REPORT = "ᠭᠤᠷᠪᠠᠨ ᠡᠳᠦᠷ ᠬᠣᠭ ᠵᠠᠭᠠᠰᠤ ᠴᠡᠪᠡᠷᠯᠡᠭᠰᠡᠨ ᠦᠭᠡᠢ᠂ ᠤᠲᠠᠰᠤ 13812345678"  # rubbish not cleared for three days
WORD = "ᠮᠣᠩᠭᠣᠯ"  # mongγol: six letters that join into one word


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def _jpeg(colour) -> dict:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "JPEG")
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


@pytest.fixture
def town(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"
    world.seed_case_reference(years=())  # a transactional test starts from an emptied database
    world.place(G1, name="一网格")
    worker, record = world.grid_worker(G1, name="网格员甲", username="wangge")
    return {
        "resident": UserFactory(username="bayar", display_name="巴雅尔"),
        "worker": worker,
        "record": record,
        "supervisor": user_with(Role.SUPERVISOR, COUNTY, username="jiandu"),
    }


def _phone(browser):
    context = browser.new_context(
        locale="mn-Mong-CN",
        extra_http_headers={"Accept-Language": "mn-Mong"},
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation=SPOT,
        permissions=["geolocation"],
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return context, page


def _vertical(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("e => getComputedStyle(e).writingMode")


def _staff_close(case, town):
    """The grid worker accepts, takes and handles it; the supervisor verifies it (their pages are Chinese and
    have their own journeys)."""
    from grassroots.cases import services
    from grassroots.cases.services.actions import dispatch_target_for_worker

    case = services.case_accept(actor=town["worker"], case=case, expected_version=case.version)
    case = services.case_dispatch(
        actor=town["worker"],
        case=case,
        expected_version=case.version,
        target=dispatch_target_for_worker(town["record"]),
    )
    case = services.case_handle(actor=town["worker"], case=case, expected_version=case.version, note="已清理")
    return services.case_verify(
        actor=town["supervisor"], case=case, expected_version=case.version, passed=True
    )


def test_a_resident_reports_follows_rates_and_reads_the_public_pages_in_mongolian(
    live_server, browser, log_in, town
):
    context, phone = _phone(browser)
    log_in(phone, live_server, username="bayar")
    # the page is Mongolian, written top to bottom, in the platform's own font
    phone.goto(f"{live_server.url}/cases/report/")
    expect(phone.locator("html")).to_have_attribute("lang", "mn-mong")
    expect(phone.locator("main h1")).to_contain_text("ᠠᠰᠠᠭᠤᠳᠠᠯ")  # asaγudal medegülkü: report a problem
    assert _vertical(phone, "main") == "vertical-lr" and _vertical(phone, ".topbar nav a") == "vertical-lr"
    # inputs and the map stay horizontal
    assert (
        _vertical(phone, "#id_description") == "horizontal-tb" and _vertical(phone, ".map") == "horizontal-tb"
    )
    # the service types are named in Mongolian
    expect(phone.locator("#id_category option[value='0101']")).to_have_text(NAMES["0101"][1])
    _shot(phone, "mn-01-report-phone")

    # --- a report with a photo, typed in Mongolian ---
    expect(phone.locator("input[name=lat]")).to_have_value(re.compile(r"^41\.0052"))
    phone.set_input_files("#id_photos", [_jpeg((180, 60, 40))])
    expect(phone.locator(".photo-previews img")).to_have_count(1)
    phone.select_option("#id_category", "0101")
    phone.fill("#id_description", REPORT)
    with phone.expect_navigation():
        phone.click("button[data-submit]")
    case = Case.objects.get(reporter=town["resident"])
    assert case.description == REPORT and case.photos.count() == 1 and case.area_code == G1
    expect(phone.locator("main h1")).to_contain_text(NAMES["0101"][1])
    expect(phone.locator(".timeline")).to_contain_text("一网格")  # the grid by its name
    _shot(phone, "mn-02-case-reported-phone")

    # --- followed to its rating ---
    _staff_close(case, town)
    phone.goto(f"{live_server.url}/cases/mine/")
    with phone.expect_navigation():
        phone.locator(f"a[href='/cases/{case.pk}/']").first.click()
    timeline = phone.locator(".timeline").inner_text()
    assert MONGOLIAN.search(timeline) and "Your report" not in timeline  # the reporter is told in Mongolian
    phone.check("input[name=rating][value=satisfied]")
    phone.check("input[name=really_solved][value=yes]")
    _shot(phone, "mn-03-rate-phone")
    with phone.expect_navigation():
        phone.click(".rate-form button[type=submit]")
    case.refresh_from_db()
    assert case.rating == "satisfied" and case.really_solved is True and case.state == State.CLOSED
    expect(phone.locator(".rating-line")).to_be_visible()

    # --- the script renders: no tofu, letters join, the subset matches the full font ---
    _check_rendering(phone)

    # --- a public topic's timeline ---
    topic = _public_topic()
    phone.goto(f"{live_server.url}/deliberation/topics/{topic.pk}/")
    expect(phone.locator("#topic-title")).to_be_visible()
    assert MONGOLIAN.search(phone.locator("main").inner_text())
    expect(phone.locator("html")).to_have_attribute("lang", "mn-mong")
    _shot(phone, "mn-04-topic-phone")

    # --- a bilingual roster notice: the Mongolian column beside the Chinese, masked alike ---
    notice = _bilingual_roster()
    phone.goto(f"{live_server.url}/disclosure/notices/{notice.pk}/")
    column = phone.locator(".bilingual > .mn-column")
    expect(column).to_contain_text("ᠲᠡᠳᠬᠦᠯᠭᠡ")
    expect(column).to_contain_text("张*明")
    expect(phone.locator(".bilingual > .zh-column")).to_contain_text("张*明")
    assert "张小明" not in phone.content()
    assert _vertical(phone, ".bilingual > .mn-column") == "vertical-lr"
    assert _vertical(phone, ".bilingual > .zh-column") == "horizontal-tb"
    _shot(phone, "mn-05-bilingual-notice-phone")
    assert phone.js_errors == []
    context.close()


def _check_rendering(page) -> None:
    """Measured in the page itself (its CSP allows no inline script, so the probes are built through the DOM)."""
    page.evaluate("() => document.fonts.ready")
    faces = page.evaluate(
        "() => Array.from(document.fonts).filter(f => f.family.includes('Grassroots Mongolian')).map(f => f.status)"
    )
    assert "loaded" in faces, faces
    lengths = page.evaluate(
        """([word, families]) => {
            const probe = (text, family) => {
                const span = document.createElement('span');
                span.textContent = text;
                span.style.fontFamily = family;
                span.style.fontSize = '40px';
                span.style.writingMode = 'vertical-lr';
                span.style.position = 'absolute';
                document.body.appendChild(span);
                const length = span.getBoundingClientRect().height;
                span.remove();
                return length;
            };
            const out = {};
            for (const [name, family] of Object.entries(families)) {
                out[name] = {
                    joined: probe(word, family),
                    // each letter alone (a zero-width non-joiner between them stops the joining)
                    isolated: probe(Array.from(word).join('\\u200c'), family),
                    sentence: probe(document.querySelector('main h1').textContent.trim(), family),
                };
            }
            return out;
        }""",
        [WORD, {"subset": '"Grassroots Mongolian"', "full": '"Noto Sans Mongolian"'}],
    )
    subset = lengths["subset"]
    assert subset["joined"] > 0 and abs(subset["joined"] - subset["isolated"]) > 5, subset
    if _system_font_installed():  # the known-good rendering: Debian's full font (fonts-noto-core)
        full = lengths["full"]
        for key in ("joined", "isolated", "sentence"):
            assert abs(subset[key] - full[key]) < 0.5, (key, subset, full)
    elif os.environ.get("CI"):
        pytest.fail("fonts-noto-core (Noto Sans Mongolian) is needed to compare the subset under CI")


def _system_font_installed() -> bool:
    try:
        found = subprocess.run(["fc-list", ":family=Noto Sans Mongolian"], capture_output=True, text=True)  # noqa: S607
    except OSError:
        return False
    return bool(found.stdout.strip())


def _public_topic():
    from tests.deliberation.factories import five_person_group, five_person_to, propose

    group = five_person_group()
    topic = propose(group.committee)
    return five_person_to(topic, group.members, "publish")


def _bilingual_roster():
    from grassroots.areas.models import Area, VillageGroup
    from grassroots.disclosure import services
    from grassroots.disclosure.models import NoticeKind
    from tests.factories import area

    village = Area.objects.filter(code=VILLAGE).first() or area(VILLAGE, "塞上嘎查")
    VillageGroup.objects.get_or_create(village=village, number=1, defaults={"name": "一组"})
    clerk = user_with(Role.VILLAGE_STAFF, VILLAGE, username="clerk")
    board = services.board_create(actor=clerk, village=village, name="塞上嘎查村务公开栏")
    services.board_languages_set(actor=clerk, board=board, bilingual=True, name_mn="ᠰᠠᠮᠪᠤᠷᠢ")
    notice = services.notice_create(
        actor=clerk,
        board=board,
        kind=NoticeKind.SUBSIDY,
        title="草原生态补奖发放公示",
        title_mn="ᠲᠡᠳᠬᠦᠯᠭᠡ ᠣᠯᠭᠣᠬᠤ ᠢᠯᠡ ᠲᠣᠳᠣᠳᠬᠠᠯ",
        rows=[{"name": "张小明", "village_group": "一组", "household_size": 3, "amount": "300.00"}],
    )
    services.notice_publish(actor=clerk, notice=notice)
    return notice
