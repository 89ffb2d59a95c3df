"""A roster sent as JSON through the API keeps only its public columns, as a sheet does, and the answer names
the private columns it removed (``dropped_columns``): it used to answer ``[]`` although it had dropped them."""

import pytest
from django.test import Client

from grassroots import clock
from grassroots.disclosure import services
from grassroots.disclosure.models import Notice, NoticeKind, NoticeVersion

from .conftest import ALLOWANCE_ROWS, at

pytestmark = pytest.mark.django_db

PRIVATE = {"身份证号": "11010519491231002X", "phone": "13812345678", "bank_account": "6222020200112233445"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _with_private(rows):
    return [{**row, **PRIVATE} for row in rows]


def test_a_roster_created_as_json_names_the_private_columns_it_dropped(town):
    response = _client(town.staff).post(
        f"/api/v1/disclosure/boards/{town.board.pk}/notices",
        {"kind": NoticeKind.ALLOWANCE, "title": "三月低保调整", "rows": _with_private(ALLOWANCE_ROWS)},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["dropped_columns"] == ["身份证号", "phone", "bank_account"]
    stored = str(Notice.objects.get().draft)
    assert not any(secret in stored for secret in PRIVATE.values())


def test_a_roster_without_private_columns_and_a_text_notice_drop_nothing(town):
    client = _client(town.staff)
    clean = client.post(
        f"/api/v1/disclosure/boards/{town.board.pk}/notices",
        {"kind": NoticeKind.ALLOWANCE, "title": "三月低保调整", "rows": ALLOWANCE_ROWS},
        content_type="application/json",
    )
    text = client.post(
        f"/api/v1/disclosure/boards/{town.board.pk}/notices",
        {"kind": NoticeKind.TEXT, "title": "春耕", "body": "三月十日开始春耕。"},
        content_type="application/json",
    )
    assert (clean.status_code, text.status_code) == (201, 201)
    assert clean.json()["dropped_columns"] == [] and text.json()["dropped_columns"] == []


def test_a_correction_sent_as_json_names_the_private_columns_it_dropped(town):
    with clock.frozen(at("2026-03-02")):
        notice = services.notice_create(
            actor=town.staff, board=town.board, kind=NoticeKind.ALLOWANCE, title="低保", rows=ALLOWANCE_ROWS
        )
        services.notice_publish(actor=town.staff, notice=notice)
    rows = _with_private(ALLOWANCE_ROWS)
    rows[0]["amount"] = "1300.00"
    response = _client(town.staff).post(
        f"/api/v1/disclosure/notices/{notice.pk}/corrections",
        {"reason": "金额核算有误", "rows": rows},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["dropped_columns"] == ["身份证号", "phone", "bank_account"]
    version = NoticeVersion.objects.get(notice=notice, number=2)
    assert not any(secret in str(version.content) for secret in PRIVATE.values())
