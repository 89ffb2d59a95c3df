"""No public rendering — page, print, chat text, loudspeaker script, API — shows more of a roster than the
public rule allows, for every roster kind and every name style."""

import json

import pytest
from django.test import Client

from grassroots import clock
from grassroots.disclosure import display, services
from grassroots.disclosure.models import Notice, NoticeKind
from grassroots.masking import NameStyle
from tests.planted_numbers import PLANTED, REASON_SPELLINGS, TEXT, leaks, masked_forms

from .conftest import at

SECRETS = {
    "id_number": "11010519491231002X",
    "phone": "13812345678",
    "bank_account": "6222020200112233445",
    "income": "38000.00",
    "health": "尿毒症透析",
}
ROWS = {
    NoticeKind.SUBSIDY: {"name": "张小明", "village_group": "一组", "household_size": 3, "amount": "300.00"},
    NoticeKind.RELIEF: {"name": "张小明", "village_group": "一组", "household_size": 3, "amount": "2000.00"},
    NoticeKind.ALLOWANCE: {
        "name": "张小明", "village_group": "一组", "household_size": 3, "change": "调整", "amount": "1300.00",
        "previous_amount": "1260.00", "reason": "人口增加",
    },
    NoticeKind.WATER_FEE: {"name": "张小明", "village_group": "一组", "due": "120.00", "paid": "60.00"},
}  # fmt: skip


def _api(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return json.dumps(response.json(), ensure_ascii=False)


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _renderings(client, notice) -> dict[str, str]:
    pk = notice.pk
    return {
        "page": _page(client, f"/disclosure/notices/{pk}/"),
        "board": _page(client, f"/disclosure/boards/{notice.board_id}/"),
        "print": _page(client, f"/disclosure/notices/{pk}/print/"),
        "chat": _page(client, f"/disclosure/notices/{pk}/chat.txt"),
        "loudspeaker": _page(client, f"/disclosure/notices/{pk}/loudspeaker.txt"),
        "api": _api(client, f"/api/v1/disclosure/notices/{pk}"),
        "api_board": _api(client, f"/api/v1/disclosure/boards/{notice.board_id}/notices"),
        "api_chat": _api(client, f"/api/v1/disclosure/notices/{pk}/chat-text"),
        "api_loudspeaker": _api(client, f"/api/v1/disclosure/notices/{pk}/loudspeaker"),
    }


@pytest.mark.parametrize("kind", list(ROWS))
@pytest.mark.parametrize("style", [NameStyle.MIDDLE, NameStyle.SURNAME])
def test_public_renderings_show_only_the_public_fields(town, kind, style):
    # given a roster whose stored row carries private fields (as if they had slipped past the import)
    town.board.name_style = style
    town.board.save()
    with clock.frozen(at("2026-03-02")):
        notice = services.notice_create(
            actor=town.staff, board=town.board, kind=kind, title="公示名单", rows=[ROWS[kind]]
        )
        draft = notice.draft
        draft["rows"][0].update(SECRETS)
        draft["rows"][0]["reason"] = "核查：身份证11010519491231002X，电话13812345678"
        Notice.objects.filter(pk=notice.pk).update(draft=draft)
        notice.refresh_from_db()
        services.notice_publish(actor=town.staff, notice=notice)
    # when anyone (no login) opens every public rendering
    client = Client()
    with clock.frozen(at("2026-03-03")):
        renderings = _renderings(client, notice)
    masked = "张*明" if style == NameStyle.MIDDLE else "张**"
    for channel, text in renderings.items():
        # then none shows the whole name or any private value
        assert "张小明" not in text, channel
        for key, secret in SECRETS.items():
            assert secret not in text, (channel, key)
        assert "0112233445" not in text, channel
    for channel in ("page", "print", "chat", "api", "api_board", "api_chat"):
        assert masked in renderings[channel], channel
    assert masked in renderings["loudspeaker"]


def test_whole_names_only_where_the_board_says_so(town):
    town.board.name_style = NameStyle.FULL
    town.board.save()
    notice = services.notice_create(
        actor=town.staff,
        board=town.board,
        kind=NoticeKind.SUBSIDY,
        title="补贴",
        rows=[ROWS[NoticeKind.SUBSIDY]],
    )
    services.notice_publish(actor=town.staff, notice=notice)
    assert "张小明" in Client().get(f"/disclosure/notices/{notice.pk}/").content.decode()


def test_drafts_are_not_public(town):
    notice = services.notice_create(
        actor=town.staff,
        board=town.board,
        kind=NoticeKind.SUBSIDY,
        title="补贴",
        rows=[ROWS[NoticeKind.SUBSIDY]],
    )
    client = Client()
    for url in (
        f"/disclosure/notices/{notice.pk}/",
        f"/disclosure/notices/{notice.pk}/print/",
        f"/disclosure/notices/{notice.pk}/chat.txt",
        f"/disclosure/notices/{notice.pk}/qr.svg",
        f"/api/v1/disclosure/notices/{notice.pk}",
    ):
        assert client.get(url).status_code == 404, url


def test_numbers_in_every_spelling_come_back_masked_on_every_channel(town):
    # given a published text notice whose title and text carry numbers in every spelling people type, an
    # allowance roster whose reasons carry them too, and an objection and its answer that do
    with clock.frozen(at("2026-03-02")):
        text = services.notice_create(
            actor=town.staff,
            board=town.board,
            kind=NoticeKind.TEXT,
            section="village",
            title="联系人 138-1234-0008",
            body=TEXT,
        )
        services.notice_publish(actor=town.staff, notice=text)
        rows = [
            {**ROWS[NoticeKind.ALLOWANCE], "reason": f"核实：{spelling}"} for spelling in REASON_SPELLINGS
        ]
        roster = services.notice_create(
            actor=town.staff, board=town.board, kind=NoticeKind.ALLOWANCE, title="低保名单", rows=rows
        )
        assert len(display.masking_warnings(roster.draft)) == len(REASON_SPELLINGS)  # told before publishing
        services.notice_publish(actor=town.staff, notice=roster, window_days=7)
    with clock.frozen(at("2026-03-03")):
        objection = services.objection_raise(actor=town.resident, notice=roster, text=TEXT)
        services.objection_answer(actor=town.staff, objection=objection, answer="请致电 +86 138 1234 0002")
        # when anyone opens every public rendering of both
        client = Client()
        renderings = {f"text {k}": v for k, v in _renderings(client, text).items()}
        renderings |= {f"roster {k}": v for k, v in _renderings(client, roster).items()}
    # then no number comes back whole, and the texts show each in its masked form
    for channel, rendered in renderings.items():
        assert not leaks(rendered), (channel, leaks(rendered))
    for channel in ("page", "print", "api"):
        assert len(masked_forms(renderings[f"text {channel}"])) == len(PLANTED), channel
    assert "138-****-0008" in renderings["text chat"] and "138-****-0008" in renderings["text loudspeaker"]
    for channel in ("page", "print", "chat", "api", "api_board", "api_chat"):
        for masked in ("+86 138 **** 0002", "138.****.0007", "150825 ******** 1234"):
            assert masked in renderings[f"roster {channel}"], (channel, masked)
    assert len(masked_forms(renderings["roster page"])) == len(PLANTED)  # the objection, on the page
    # and what was written is stored as written
    text.refresh_from_db()
    assert text.versions.get().content["body"] == TEXT


def test_the_writer_of_a_draft_is_told_before_publishing(town):
    client = Client()
    client.force_login(town.staff)
    response = client.post(
        f"/disclosure/boards/{town.board.pk}/notices/new/",
        {"kind": "text", "section": "village", "title": "通知", "body": "联系 138 1234 0006"},
        follow=True,
    )
    page = response.content.decode()
    assert "138 **** 0006" in page and "13812340006" not in page.replace(" ", "")
    draft = Notice.objects.get(board=town.board, state="draft")
    assert draft.draft["body"] == "联系 138 1234 0006"  # stored as written
    api = client.get(f"/api/v1/disclosure/notices/{draft.pk}/draft").json()
    assert len(api["warnings"]) == 1 and "138 **** 0006" in api["warnings"][0]
