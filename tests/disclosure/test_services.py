import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import translation

from grassroots import clock
from grassroots.accounts.scoping import OutOfScope
from grassroots.cases.models import Case
from grassroots.disclosure import selectors, services
from grassroots.disclosure.content import ContentInvalid
from grassroots.disclosure.models import Notice, NoticeKind, NoticeState, NoticeVersion, Objection
from grassroots.notifications.models import Notification

from .conftest import ALLOWANCE_HEADER, ALLOWANCE_ROWS, ALLOWANCE_SHEET_ROWS, VILLAGE, at, sheet


def _published(town, rows=ALLOWANCE_ROWS, day="2026-03-02"):
    with clock.frozen(at(day)):
        notice = services.notice_create(
            actor=town.staff, board=town.board, kind=NoticeKind.ALLOWANCE, title="3月低保调整", rows=rows
        )
        return services.notice_publish(actor=town.staff, notice=notice)


def test_import_keeps_public_columns_and_drops_private_ones(town):
    # given a sheet with ID, phone, bank, income and health columns
    upload = sheet(ALLOWANCE_HEADER, ALLOWANCE_SHEET_ROWS)
    # when village staff import it
    imported = services.roster_import(
        actor=town.staff, board=town.board, kind=NoticeKind.ALLOWANCE, title="低保", file=upload
    )
    # then the rows keep only public fields and the private columns are named
    rows = imported.notice.draft["rows"]
    assert rows[0] == {
        "name": "张小明", "village_group": "一组", "household_size": 3, "amount": "1260.00", "change": "added",
        "starts_on": "2026-03-01",
    }  # fmt: skip
    assert rows[1]["previous_amount"] == "520.50"
    assert set(imported.dropped_columns) == {"身份证号", "联系电话", "银行账号", "家庭收入", "健康状况"}
    stored = str(Notice.objects.get().draft)
    for secret in ("11010519491231002X", "13812345678", "6222020200112233445", "慢性病", "8000"):
        assert secret not in stored


def test_import_refuses_wrong_rows_naming_row_and_column(town):
    # given a sheet with a title in row 1, the header in row 2, and 李四 in row 4 with two wrong cells
    upload = sheet(
        ["姓名", "村民小组", "家庭人口", "变动类型", "月保障金额"],
        [["张小明", "一组", 3, "新增", 1260], ["李四", "九组", 2, "新增", "12.345"]],
    )
    with translation.override("zh-hans"), pytest.raises(ContentInvalid) as exc:
        services.roster_import(
            actor=town.staff, board=town.board, kind=NoticeKind.ALLOWANCE, title="x", file=upload
        )
    # then both are named by the row Excel shows and the column's Chinese header
    problems = exc.value.detail["rows"]
    assert {(p["row"], p["column"], p["header"]) for p in problems} == {
        (4, "village_group", "村民小组"),
        (4, "amount", "金额"),
    }
    assert str(exc.value.message).startswith("第4行“村民小组”列：不是本村的村民小组。")
    assert not Notice.objects.exists()


def test_removal_without_reason_is_refused(town):
    rows = [{"name": "李四", "village_group": "一组", "household_size": 1, "change": "停保", "amount": "0"}]
    with pytest.raises(ContentInvalid) as exc:
        services.notice_create(
            actor=town.staff, board=town.board, kind=NoticeKind.ALLOWANCE, title="x", rows=rows
        )
    assert exc.value.detail["rows"][0]["column"] == "reason"


def test_water_fee_rows_compute_unpaid_and_refuse_overpayment(town):
    notice = services.notice_create(
        actor=town.staff,
        board=town.board,
        kind=NoticeKind.WATER_FEE,
        title="水费",
        rows=[{"name": "张三", "village_group": "一组", "due": "120.50", "paid": "100"}],
    )
    assert notice.draft["rows"][0]["unpaid"] == "20.50"
    with pytest.raises(ContentInvalid):
        services.notice_create(
            actor=town.staff,
            board=town.board,
            kind=NoticeKind.WATER_FEE,
            title="水费",
            rows=[{"name": "张三", "village_group": "一组", "due": "100", "paid": "100.01"}],
        )


def test_publish_opens_a_seven_working_day_window_and_tells_residents(town):
    # given a draft allowance roster, published on Monday 2 March 2026
    notice = _published(town)
    # then the window ends 7 working days later (Wednesday 11 March) and residents are told
    assert notice.state == NoticeState.PUBLISHED
    assert notice.window_starts_on == dt.date(2026, 3, 2)
    assert notice.window_ends_on == dt.date(2026, 3, 11)
    assert Notification.objects.filter(recipient=town.resident, target_id=str(notice.pk)).count() == 1
    assert selectors.verify_notice(notice).ok


def test_objection_becomes_a_case_at_the_village_and_is_answered(town):
    notice = _published(town)
    with clock.frozen(at("2026-03-05")):
        objection = services.objection_raise(
            actor=town.resident, notice=notice, text="王大锤家有车，不符合条件"
        )
    case = Case.objects.get()
    assert objection.case == case
    assert case.area_code == VILLAGE and case.source == services.OBJECTION_SOURCE
    assert case.reporter == town.resident and "王大锤家有车" in case.description
    assert Notification.objects.filter(recipient=town.staff, target_id=str(case.pk)).exists()
    # when staff answer it, the answer is stored for the public page
    services.objection_answer(
        actor=town.staff, objection=objection, answer="经核查，车辆为营运用途，符合条件。"
    )
    assert Objection.objects.get().answer.startswith("经核查")


def test_objection_after_the_window_is_refused(town):
    notice = _published(town)
    with clock.frozen(at("2026-03-12")), pytest.raises(services.WrongState):
        services.objection_raise(actor=town.resident, notice=notice, text="太晚了")
    assert not Case.objects.exists()


def test_confirm_only_after_the_window_and_with_every_objection_answered(town):
    notice = _published(town)
    with clock.frozen(at("2026-03-05")):
        objection = services.objection_raise(actor=town.resident, notice=notice, text="有问题")
    with clock.frozen(at("2026-03-11", 16)), pytest.raises(services.WrongState):
        services.notice_confirm(actor=town.staff, notice=notice)
    with clock.frozen(at("2026-03-12")):
        with pytest.raises(services.WrongState):
            services.notice_confirm(actor=town.staff, notice=notice)
        services.objection_answer(actor=town.staff, objection=objection, answer="已核实")
        services.notice_confirm(actor=town.staff, notice=notice)
    notice.refresh_from_db()
    assert notice.state == NoticeState.CONFIRMED and notice.long_term


def test_correction_is_a_new_version_with_reason_and_the_chain_holds(town):
    notice = _published(town)
    rows = [dict(r) for r in ALLOWANCE_ROWS]
    rows[0]["amount"] = "1300.00"
    version = services.notice_correct(actor=town.staff, notice=notice, reason="金额计算有误", rows=rows)
    assert version.number == 2 and version.previous_hash == notice.versions.get(number=1).content_hash
    assert NoticeVersion.objects.get(number=1).content["rows"][0]["amount"] == "1260.00"
    assert selectors.changes_between(notice.versions.get(number=1).content, version.content) == ["row 1"]
    assert selectors.verify_notice(notice).ok


def test_chain_detects_a_row_edited_in_the_database(town, capsys):
    # given a published and corrected notice
    notice = _published(town)
    rows = [dict(r) for r in ALLOWANCE_ROWS]
    rows[1]["reason"] = "外出务工收入超标"
    services.notice_correct(actor=town.staff, notice=notice, reason="原因写得不清楚", rows=rows)
    call_command("disclosure_verify")
    assert "0 broken" in capsys.readouterr().out
    # when somebody changes an amount of version 1 directly in the database
    first = NoticeVersion.objects.get(notice=notice, number=1)
    content = first.content
    content["rows"][0]["amount"] = "9999.00"
    NoticeVersion.objects.filter(pk=first.pk).update(content=content)
    # then the page's check and the command both find it
    report = selectors.verify_notice(notice)
    assert not report.ok and len(report.problems) == 1 and "1" in report.problems[0]
    with pytest.raises(SystemExit):
        call_command("disclosure_verify")
    assert f"notice {notice.pk}" in capsys.readouterr().out


def test_chain_detects_a_deleted_version(town):
    notice = _published(town)
    services.notice_correct(actor=town.staff, notice=notice, reason="更正", title="更正后的标题")
    services.notice_correct(actor=town.staff, notice=notice, reason="再次更正", title="再次更正后的标题")
    NoticeVersion.objects.filter(notice=notice, number=2).delete()
    assert not selectors.verify_notice(notice).ok


@pytest.mark.parametrize("who", ["other_staff", "resident", "township_out"])
def test_staff_actions_outside_scope_are_not_found_and_change_nothing(town, who):
    from grassroots.accounts.models import Role
    from tests.factories import user_with

    actor = (
        user_with(Role.TOWNSHIP_STAFF, "150802102", username="far")
        if who == "township_out"
        else getattr(town, who)
    )
    notice = services.notice_create(
        actor=town.staff, board=town.board, kind=NoticeKind.ALLOWANCE, title="低保", rows=ALLOWANCE_ROWS
    )
    before = NoticeVersion.objects.count(), Notice.objects.get().state
    with pytest.raises(OutOfScope):
        services.notice_publish(actor=actor, notice=notice)
    with pytest.raises(OutOfScope):
        services.notice_create(actor=actor, board=town.board, kind=NoticeKind.TEXT, title="x", body="y")
    assert (NoticeVersion.objects.count(), Notice.objects.get().state) == before
    assert Notice.objects.count() == 1


def test_township_staff_above_the_village_may_publish(town):
    notice = services.notice_create(
        actor=town.township, board=town.board, kind=NoticeKind.TEXT, title="通知", body="明天开会"
    )
    services.notice_publish(actor=town.township, notice=notice)
    assert Notice.objects.get().state == NoticeState.PUBLISHED
