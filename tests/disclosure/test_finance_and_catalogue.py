import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots import clock
from grassroots.disclosure import catalogue, selectors, services
from grassroots.disclosure.content import ContentInvalid, check_statement, money
from grassroots.disclosure.models import Frequency, NoticeKind

from .conftest import at

STATEMENT = {
    "period": "2026年3月",
    "opening_balance": "10000.00",
    "lines": [
        {"no": "1", "kind": "income", "item": "上级转移支付", "amount": "20000.00"},
        {"no": "2", "kind": "income", "item": "集体资产租金", "amount": "5000.50"},
        {"no": "3", "kind": "expense", "item": "办公经费", "amount": "3000.00"},
        {"no": "3.1", "kind": "expense", "item": "水电费", "amount": "1200.00", "parent": "3"},
        {"no": "3.2", "kind": "expense", "item": "办公用品", "amount": "1800.00", "parent": "3"},
        {"no": "4", "kind": "expense", "item": "道路维修", "amount": "7000.25"},
    ],
    "income_total": "25000.50",
    "expense_total": "10000.25",
    "closing_balance": "25000.25",
}


def test_a_statement_that_adds_up_is_kept_in_fen():
    checked = check_statement(STATEMENT)
    assert checked["closing_balance"] == "25000.25"
    assert checked["lines"][3]["amount"] == "1200.00"


@pytest.mark.parametrize(
    ("change", "wrong_line"),
    [
        (lambda s: s["lines"][4].update(amount="1700.00"), "3"),  # items no longer add up to line 3
        (lambda s: s.update(income_total="25000.00"), "income_total"),
        (lambda s: s.update(expense_total="10000.26"), "expense_total"),
        (lambda s: s.update(closing_balance="25000.00"), "closing_balance"),
        (lambda s: s["lines"][1].update(amount="5000.505"), "2"),
        (lambda s: s["lines"][0].update(amount="-1"), "1"),
        (lambda s: s["lines"][3].update(kind="income"), "3.1"),
    ],
)
def test_a_statement_that_does_not_add_up_is_refused_naming_the_line(change, wrong_line):
    statement = {**STATEMENT, "lines": [dict(line) for line in STATEMENT["lines"]]}
    change(statement)
    with pytest.raises(ContentInvalid) as exc:
        check_statement(statement)
    assert exc.value.detail["line"] == wrong_line


def test_the_service_refuses_a_wrong_statement_and_stores_nothing(town):
    from grassroots.disclosure.models import Notice

    statement = {**STATEMENT, "income_total": "1.00"}
    with pytest.raises(ContentInvalid) as exc:
        services.notice_create(
            actor=town.staff, board=town.board, kind=NoticeKind.FINANCE, title="3月收支", statement=statement
        )
    assert "income" in str(exc.value.message).lower() or "收入" in str(exc.value.message)
    assert not Notice.objects.exists()


@settings(deadline=None)  # a pure function; the deadline only measures a busy machine
@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=20))
def test_fen_amounts_sum_exactly(cents):
    lines = [
        {"no": str(i + 1), "kind": "income", "item": f"项{i}", "amount": str(Decimal(c) / 100)}
        for i, c in enumerate(cents)
    ]
    total = sum((Decimal(c) / 100 for c in cents), Decimal(0))
    checked = check_statement(
        {"period": "Q1", "lines": lines, "income_total": str(total), "expense_total": "0"}
    )
    assert Decimal(checked["closing_balance"]) == total


def test_money_refuses_sub_fen_and_junk():
    assert money("1,234.5元") == Decimal("1234.50")
    for bad in ("1.001", "abc", "NaN"):
        with pytest.raises(ValueError):
            money(bad)


D = dt.date


@pytest.mark.parametrize(
    ("frequency", "since", "last", "today", "status", "due_on"),
    [
        (Frequency.MONTHLY, D(2026, 1, 1), D(2026, 3, 15), D(2026, 3, 20), "ok", D(2026, 4, 30)),
        (Frequency.MONTHLY, D(2026, 1, 1), D(2026, 3, 15), D(2026, 4, 10), "due", D(2026, 4, 30)),
        (Frequency.MONTHLY, D(2026, 1, 1), D(2026, 3, 15), D(2026, 5, 1), "overdue", D(2026, 4, 30)),
        (Frequency.MONTHLY, D(2026, 1, 10), None, D(2026, 1, 20), "due", D(2026, 1, 31)),
        (Frequency.MONTHLY, D(2026, 1, 10), None, D(2026, 2, 1), "overdue", D(2026, 1, 31)),
        (Frequency.MONTHLY, D(2026, 11, 1), D(2026, 12, 5), D(2027, 1, 31), "due", D(2027, 1, 31)),
        (Frequency.QUARTERLY, D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 31), "ok", D(2026, 6, 30)),
        (Frequency.QUARTERLY, D(2026, 1, 1), D(2026, 2, 1), D(2026, 4, 1), "due", D(2026, 6, 30)),
        (Frequency.QUARTERLY, D(2026, 1, 1), D(2026, 2, 1), D(2026, 7, 1), "overdue", D(2026, 6, 30)),
        (Frequency.AT_ONCE, D(2026, 1, 1), None, D(2027, 7, 1), "on_event", None),
    ],
)
def test_due_status(frequency, since, last, today, status, due_on):
    due = catalogue.due_status(frequency=frequency, since=since, last_published_on=last, today=today)
    assert (due.status, due.due_on) == (status, due_on)


@settings(deadline=None)
@given(st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 1)), st.integers(min_value=0, max_value=400))
def test_a_publication_today_is_never_due_today(day, later):
    for frequency in (Frequency.MONTHLY, Frequency.QUARTERLY):
        due = catalogue.due_status(frequency=frequency, since=D(2020, 1, 1), last_published_on=day, today=day)
        assert due.status == "ok"
        after = catalogue.due_status(
            frequency=frequency,
            since=D(2020, 1, 1),
            last_published_on=day,
            today=day + dt.timedelta(days=later),
        )
        assert (after.status == "overdue") == (day + dt.timedelta(days=later) > after.due_on)


def test_catalogue_rolls_up_due_and_overdue_to_the_township(town, django_assert_num_queries):
    # given a board created in March 2026 whose finance item is monthly and nothing published
    finance = town.board.catalogue.get(frequency=Frequency.MONTHLY)
    with clock.frozen(at("2026-04-10")):
        notice = services.notice_create(
            actor=town.staff, board=town.board, kind=NoticeKind.FINANCE, title="3月收支", statement=STATEMENT,
            catalogue_item=finance,
        )  # fmt: skip
        services.notice_publish(actor=town.staff, notice=notice)
    # when the township looks in May
    with clock.frozen(at("2026-05-02")), django_assert_num_queries(2):
        rows = selectors.catalogue_status_for(user=town.township)
    statuses = {r["item"].title: r["status"] for r in rows}
    assert statuses[finance.title] == "due"  # April's publication covers April; May's is due
    assert list(statuses.values()).count("overdue") == 2  # the quarterly items: Q1 passed without any
    rollup = selectors.catalogue_rollup(rows, level_digits=9)
    assert rollup[0]["code"] == town.village.code[:9] and rollup[0]["overdue"] == 2 and rollup[0]["due"] == 1
    # and staff of another village see none of it
    assert selectors.catalogue_status_for(user=town.other_staff) == []


def test_the_staff_form_refuses_a_statement_with_the_wrong_line_and_keeps_a_right_one(town):
    from django.test import Client

    from grassroots.disclosure.models import Notice

    client = Client()
    client.force_login(town.staff)
    form = {
        "kind": "finance",
        "title": "3月收支",
        "period": "2026年3月",
        "opening_balance": "100.00",
        "lines": "1,收入,上级转移支付,200.00\n2,支出,办公经费,50.00\n2.1,支出,水电费,20.00,2\n2.2\t支出\t办公用品\t31.00\t2",
        "income_total": "200.00",
        "expense_total": "50.00",
    }
    page = client.post(f"/disclosure/boards/{town.board.pk}/notices/new/", form, follow=True)
    assert "2" in page.content.decode() and "51.00" in page.content.decode()
    assert not Notice.objects.exists()
    form["lines"] = form["lines"].replace("31.00", "30.00")
    client.post(f"/disclosure/boards/{town.board.pk}/notices/new/", form)
    assert Notice.objects.get().draft["statement"]["closing_balance"] == "250.00"
