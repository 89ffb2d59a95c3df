"""A bilingual board: Mongolian (traditional script) beside the Chinese on the public page and the A4 sheet, the
chat text and loudspeaker script in the language asked for, and the same masking in both languages."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from grassroots import clock
from grassroots.accounts.scoping import OutOfScope
from grassroots.disclosure import display, services
from grassroots.disclosure.models import Board, NoticeKind, Section
from grassroots.masking import NameStyle

from .conftest import at

MONGOLIAN = re.compile("[\u1820-\u1878]")
# tedkülge olγoqu ile tododqal (subsidy notice) with a phone number; a text with one in Mongolian digits
TITLE_MN = "ᠲᠡᠳᠬᠦᠯᠭᠡ ᠣᠯᠭᠣᠬᠤ ᠢᠯᠡ ᠲᠣᠳᠣᠳᠬᠠᠯ 13812345678"
BODY_MN = "ᠬᠣᠯᠪᠤᠭ᠎ᠠ ᠪᠠᠷᠢᠬᠤ ᠤᠲᠠᠰᠤ ᠑᠓᠙᠐᠐᠐᠐᠑᠑᠑᠑ ᠪᠣᠯᠤᠨ᠎ᠠ᠃"
ROW = {"name": "张小明", "village_group": "一组", "household_size": 3, "amount": "300.00"}


def _published(town, **extra):
    with clock.frozen(at("2026-03-02")):
        notice = services.notice_create(
            actor=town.staff,
            board=town.board,
            kind=NoticeKind.SUBSIDY,
            title="耕地补贴发放公示 联系电话13812345678",
            body="有疑问请联系 139 0000 1111。",
            rows=[ROW],
            **extra,
        )
        services.notice_publish(actor=town.staff, notice=notice)
    return notice


def _bilingual(town, style=NameStyle.MIDDLE):
    board = services.board_languages_set(
        actor=town.staff, board=town.board, bilingual=True, name_mn="ᠲᠣᠰᠬᠠᠨ\u202fᠤ ᠰᠠᠮᠪᠤᠷᠢ"
    )
    Board.objects.filter(pk=board.pk).update(name_style=style)
    return board


def test_only_a_manager_of_the_village_sets_a_board_bilingual_and_a_refusal_changes_nothing(town):
    for outsider in (town.other_staff, town.resident):
        with pytest.raises((services.DisclosureError, OutOfScope)):
            services.board_languages_set(actor=outsider, board=town.board, bilingual=True, name_mn="ᠬ")
        town.board.refresh_from_db()
        assert (town.board.bilingual, town.board.name_mn) == (False, "")
    board = services.board_languages_set(actor=town.staff, board=town.board, bilingual=True, name_mn=" ᠬ ")
    assert (board.bilingual, board.name_mn) == (True, "ᠬ")


def test_the_mongolian_title_and_text_are_part_of_the_hashed_content(town):
    _bilingual(town)
    notice = _published(town, title_mn=TITLE_MN, body_mn=BODY_MN)
    version = notice.versions.get()
    assert version.content["title_mn"] == TITLE_MN and version.content["body_mn"] == BODY_MN
    with clock.frozen(at("2026-03-03")):
        corrected = services.notice_correct(
            actor=town.staff, notice=notice, reason="蒙古文标题有误", title_mn="ᠲᠡᠳᠬᠦᠯᠭᠡ"
        )
    assert corrected.content["title_mn"] == "ᠲᠡᠳᠬᠦᠯᠭᠡ" and corrected.content["body_mn"] == BODY_MN
    assert corrected.previous_hash == version.content_hash


@pytest.mark.parametrize("url", ["/disclosure/notices/{pk}/", "/disclosure/notices/{pk}/print/"])
@pytest.mark.parametrize("style", [NameStyle.MIDDLE, NameStyle.SURNAME])
def test_page_and_print_show_a_mongolian_column_beside_the_chinese_masked_alike(town, url, style):
    # given a bilingual board's published roster with numbers in its Chinese and Mongolian texts
    _bilingual(town, style)
    notice = _published(town, title_mn=TITLE_MN, body_mn=BODY_MN)
    # when anyone opens the public page or the A4 sheet (in Chinese, the default)
    with clock.frozen(at("2026-03-03")):
        html = Client().get(url.format(pk=notice.pk)).content.decode()
    # then a vertical Mongolian column stands before (left of) the Chinese one, with the font loaded
    assert re.search(r'class="[^"]*\bbilingual\b', html) and "grassroots/mongolian.css" in html
    mn_at, zh_at = (
        html.index('class="mn-column" lang="mn-mong"'),
        html.index('class="zh-column" lang="zh-hans"'),
    )
    assert mn_at < zh_at
    mongolian, chinese = html[mn_at:zh_at], html[zh_at:]
    with translation.override("mn-mong"):
        household_size, name = display.column_labels()["household_size"], display.column_labels()["name"]
    assert household_size in mongolian and name in mongolian and MONGOLIAN.search(household_size)
    assert "ᠲᠡᠳᠬᠦᠯᠭᠡ ᠣᠯᠭᠣᠬᠤ ᠢᠯᠡ ᠲᠣᠳᠣᠳᠬᠠᠯ" in mongolian
    assert "家庭人口" in chinese and "耕地补贴发放公示" in chinese
    # and the same numbers and names are hidden in both columns
    masked_name = "张*明" if style == NameStyle.MIDDLE else "张**"
    for column in (mongolian, chinese):
        assert masked_name in column and "张小明" not in column
    assert "13812345678" not in html and "138****5678" in mongolian and "138****5678" in chinese
    assert "᠑᠓᠙᠐᠐᠐᠐᠑᠑᠑᠑" not in html
    if "print" not in url:
        assert "᠑᠓᠙****᠑᠑᠑᠑" in mongolian and "139 **** 1111" in chinese


def test_a_board_that_is_not_bilingual_shows_no_mongolian_column_and_loads_no_font(town):
    notice = _published(town, title_mn=TITLE_MN)
    with clock.frozen(at("2026-03-03")):
        html = Client().get(f"/disclosure/notices/{notice.pk}/").content.decode()
    assert "mn-column" not in html and "mongolian.css" not in html and TITLE_MN[:10] not in html


def test_the_board_page_names_the_board_and_its_sections_in_both_languages(town):
    _bilingual(town)
    _published(town, title_mn=TITLE_MN)
    html = Client().get(f"/disclosure/boards/{town.board.pk}/").content.decode()
    with translation.override("mn-mong"):
        finance = str(Section.FINANCE.label)
    assert "ᠲᠣᠰᠬᠠᠨ\u202fᠤ ᠰᠠᠮᠪᠤᠷᠢ" in html and "民主村村务公开栏" in html
    assert finance in html and MONGOLIAN.search(finance)
    assert "ᠲᠡᠳᠬᠦᠯᠭᠡ ᠣᠯᠭᠣᠬᠤ ᠢᠯᠡ ᠲᠣᠳᠣᠳᠬᠠᠯ 138****5678" in html


@pytest.mark.parametrize("channel", ["chat.txt", "loudspeaker.txt"])
def test_chat_text_and_loudspeaker_script_come_in_the_language_asked_for_masked_alike(town, channel):
    _bilingual(town)
    notice = _published(town, title_mn=TITLE_MN, body_mn=BODY_MN)
    client = Client()
    with clock.frozen(at("2026-03-03")):
        mongolian = client.get(f"/disclosure/notices/{notice.pk}/{channel}?language=mn-mong").content.decode()
        chinese = client.get(f"/disclosure/notices/{notice.pk}/{channel}?language=zh-hans").content.decode()
        unknown = client.get(f"/disclosure/notices/{notice.pk}/{channel}?language=xx").content.decode()
    assert MONGOLIAN.search(mongolian) and "ᠲᠡᠳᠬᠦᠯᠭᠡ ᠣᠯᠭᠣᠬᠤ" in mongolian
    assert not MONGOLIAN.search(chinese) and "耕地补贴发放公示" in chinese
    assert unknown == chinese  # an unknown language: the reader's (Chinese by default)
    for text in (mongolian, chinese):
        assert "13812345678" not in text and "138****5678" in text
        assert "张小明" not in text and "张*明" in text
    if channel == "loudspeaker.txt":
        assert "ᠲᠣᠰᠬᠠᠨ\u202fᠤ ᠰᠠᠮᠪᠤᠷᠢ" in mongolian  # the board's Mongolian name is read out
    else:
        assert "᠑᠓᠙****᠑᠑᠑᠑" in mongolian  # the Mongolian text's number, in Mongolian digits, masked


def test_the_writer_is_warned_of_numbers_in_the_mongolian_texts_too(town):
    warnings = display.masking_warnings({"title": "公示", "title_mn": TITLE_MN, "body_mn": BODY_MN})
    assert len(warnings) == 2 and all("****" in w or "138" in w or "139" in w for w in warnings)


def test_the_manage_page_sets_the_languages(town):
    client = Client()
    client.force_login(town.staff)
    response = client.post(
        f"/disclosure/boards/{town.board.pk}/languages/", {"bilingual": "on", "name_mn": "ᠰᠠᠮᠪᠤᠷᠢ"}
    )
    assert response.status_code == 302
    town.board.refresh_from_db()
    assert town.board.bilingual and town.board.name_mn == "ᠰᠠᠮᠪᠤᠷᠢ"
    page = client.get(f"/disclosure/boards/{town.board.pk}/manage/?add=text").content.decode()
    assert 'name="title_mn"' in page and 'name="body_mn"' in page
    outsider = Client()
    outsider.force_login(town.other_staff)
    assert outsider.post(f"/disclosure/boards/{town.board.pk}/languages/", {}).status_code == 404
    town.board.refresh_from_db()
    assert town.board.bilingual


def test_the_api_gives_the_mongolian_title_and_texts_masked_and_in_the_language_asked_for(town):
    _bilingual(town)
    notice = _published(town, title_mn=TITLE_MN, body_mn=BODY_MN)
    client = Client()
    with clock.frozen(at("2026-03-03")):
        body = client.get(f"/api/v1/disclosure/notices/{notice.pk}").json()
        chat = client.get(f"/api/v1/disclosure/notices/{notice.pk}/chat-text?language=mn-mong").json()["text"]
        script = client.get(f"/api/v1/disclosure/notices/{notice.pk}/loudspeaker?language=mn-mong").json()[
            "text"
        ]
    assert body["title_mn"] == "ᠲᠡᠳᠬᠦᠯᠭᠡ ᠣᠯᠭᠣᠬᠤ ᠢᠯᠡ ᠲᠣᠳᠣᠳᠬᠠᠯ 138****5678"
    assert "᠑᠓᠙****᠑᠑᠑᠑" in body["body_mn"]
    assert MONGOLIAN.search(chat) and "138****5678" in chat and "13812345678" not in chat
    assert "ᠲᠣᠰᠬᠠᠨ\u202fᠤ ᠰᠠᠮᠪᠤᠷᠢ" in script and "张*明" in script
    staff = Client()
    staff.force_login(town.staff)
    boards = staff.get("/api/v1/disclosure/boards").json()
    assert [(b["bilingual"], b["name_mn"]) for b in boards] == [(True, "ᠲᠣᠰᠬᠠᠨ\u202fᠤ ᠰᠠᠮᠪᠤᠷᠢ")]
