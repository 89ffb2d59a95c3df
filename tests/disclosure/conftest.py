"""A village (民主村) with two groups, a board, its staff, a resident, staff of another village, and the case
categories (objections become cases): the shared world's 民主村 (tests/world.py)."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.utils import timezone

from grassroots.accounts.models import Role
from tests import world
from tests.factories import user_with

VILLAGE = world.MINZHU
OTHER_VILLAGE = world.XINHUA
GRID = world.MINZHU_G1


@pytest.fixture
def categories(db):
    world.seed_case_reference(years=(2026,))


def at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day).replace(hour=hour))


@pytest.fixture
def town(db, categories):
    village = world.place(VILLAGE)
    world.place(OTHER_VILLAGE)
    g = world.place(GRID)
    one, two = world.village_groups(village, ("一组", "二组"))
    g.village_groups.add(one)
    staff = world.role_user("village_staff", GRID, username="staff")
    other_staff = user_with(Role.VILLAGE_STAFF, OTHER_VILLAGE, username="other")
    township = world.role_user("township_staff", GRID, username="township")
    resident = world.role_user("resident", GRID, username="resident")
    board = world.village_board(village, staff, opened=at("2026-03-02"))
    return SimpleNamespace(
        village=village,
        groups=(one, two),
        staff=staff,
        other_staff=other_staff,
        township=township,
        resident=resident,
        board=board,
    )


ALLOWANCE_ROWS = [
    {"name": "张小明", "village_group": "一组", "household_size": 3, "change": "新增", "amount": "1260.00",
     "starts_on": "2026-03-01"},
    {"name": "李四", "village_group": "2", "household_size": 1, "change": "停保", "amount": "0",
     "previous_amount": "520.50", "reason": "家庭收入超过标准", "starts_on": "2026-03-01"},
    {"name": "王大锤", "village_group": "一组", "household_size": 4, "change": "调整", "amount": "1680.00",
     "previous_amount": "1260.00", "reason": "家庭人口增加", "starts_on": "2026-03-01"},
]  # fmt: skip


def sheet(header: list[str], rows: list[list]) -> io.BytesIO:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.append(["民主村2026年3月低保调整公示"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "roster.xlsx"
    return out


ALLOWANCE_HEADER = ["姓名", "身份证号", "联系电话", "村民小组", "家庭人口", "变动类型", "原金额", "月保障金额",
                    "变动原因", "起始日期", "银行账号", "家庭收入", "健康状况"]  # fmt: skip
ALLOWANCE_SHEET_ROWS = [
    ["张小明", "11010519491231002X", "13812345678", "一组", 3, "新增", None, 1260, None, "2026-03-01",
     "6222020200112233445", "8000", "慢性病"],
    ["李四", "440524188001010014", "13987654321", "二组", 1, "停保", 520.5, 0, "家庭收入超过标准", "2026-03-01",
     "6222020200112233446", "30000", "健康"],
]  # fmt: skip
