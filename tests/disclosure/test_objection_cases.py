"""Answering an objection handles its case through the case workflow, in the same transaction, at the
case's level; someone else verifies it (verification is independent of handling); the objector is told in
words and the timeline shows every step."""

from __future__ import annotations

import pytest

from grassroots import clock
from grassroots.accounts.scoping import OutOfScope
from grassroots.cases import services as cases
from grassroots.cases.models import Case, CaseEvent, CloseReason, State
from grassroots.disclosure import services
from grassroots.disclosure.models import NoticeKind, Objection
from grassroots.errors import NotPermitted
from grassroots.notifications.models import Notification

from .conftest import ALLOWANCE_ROWS, VILLAGE, at

ANSWER = "经入户核查，王大锤家车辆为营运用途，符合条件。"


@pytest.fixture
def objection(town):
    with clock.frozen(at("2026-03-02")):
        notice = services.notice_create(
            actor=town.staff,
            board=town.board,
            kind=NoticeKind.ALLOWANCE,
            title="3月低保调整",
            rows=ALLOWANCE_ROWS,
        )
        notice = services.notice_publish(actor=town.staff, notice=notice)
    with clock.frozen(at("2026-03-05")):
        return services.objection_raise(actor=town.resident, notice=notice, text="王大锤家有车，不符合条件")


def _timeline(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("action", flat=True))


def test_the_answer_handles_the_case_with_the_answer_as_the_handling_note(town, objection):
    # when village staff answer the objection
    heard_before = Notification.objects.filter(recipient=town.resident).count()
    with clock.frozen(at("2026-03-06")):
        services.objection_answer(actor=town.staff, objection=objection, answer=ANSWER)
    # then its case went through the one transition table to handled, at the village
    case = Case.objects.get(pk=objection.case_id)
    assert case.state == State.HANDLED and case.handled_by == town.staff
    assert case.assignee_user == town.staff
    assert _timeline(case) == ["report", "accept", "dispatch", "handle"]
    handle = case.events.get(action="handle")
    assert handle.note == ANSWER and handle.actor == town.staff and ANSWER in handle.message
    assert all(e.actor == town.staff for e in case.events.exclude(action="report"))
    # and the objector heard once, of the answer, where it is published: not of each of the case's steps
    told = Notification.objects.filter(recipient=town.resident).order_by("id")[heard_before:]
    assert [(n.target_type, n.target_id, n.body) for n in told] == [
        ("disclosure.notice", str(objection.notice_id), ANSWER)
    ]
    assert Objection.objects.get().answer == ANSWER


def test_a_case_already_dispatched_or_shelved_is_taken_from_where_it_stands(town, objection):
    case = Case.objects.get(pk=objection.case_id)
    case = cases.case_accept(actor=town.staff, case=case, expected_version=case.version)
    case = cases.case_shelve(
        actor=town.staff, case=case, expected_version=case.version, reason="等民政所核对"
    )
    services.objection_answer(actor=town.staff, objection=objection, answer=ANSWER)
    case.refresh_from_db()
    assert case.state == State.HANDLED
    assert _timeline(case) == ["report", "accept", "shelve", "unshelve", "dispatch", "handle"]


def test_a_case_closed_before_the_answer_is_left_alone_and_the_objector_still_hears(town, objection):
    case = Case.objects.get(pk=objection.case_id)
    case = cases.case_cancel(actor=town.staff, case=case, expected_version=case.version, reason="重复提出")
    version = case.version
    services.objection_answer(actor=town.staff, objection=objection, answer=ANSWER)
    case.refresh_from_db()
    assert case.state == State.CANCELLED and case.version == version
    assert Notification.objects.filter(
        recipient=town.resident, body=ANSWER, target_type="disclosure.notice"
    ).exists()


def test_township_staff_answer_and_the_case_is_handled_at_its_village(town, objection):
    services.objection_answer(actor=town.township, objection=objection, answer=ANSWER)
    case = Case.objects.get(pk=objection.case_id)
    assert case.state == State.HANDLED and case.area_code == VILLAGE
    assert case.events.get(action="handle").actor == town.township


def test_whoever_answered_may_not_verify_the_case_and_someone_else_closes_it(town, objection):
    services.objection_answer(actor=town.staff, objection=objection, answer=ANSWER)
    case = Case.objects.get(pk=objection.case_id)
    with pytest.raises(NotPermitted) as refused:
        cases.case_verify(actor=town.staff, case=case, expected_version=case.version, passed=True)
    assert "independent" in str(refused.value.message) or "独立" in str(refused.value.message)
    closed = cases.case_verify(actor=town.township, case=case, expected_version=case.version, passed=True)
    assert closed.state == State.CLOSED and closed.close_reason == CloseReason.VERIFIED
    assert closed.closing_code == VILLAGE and closed.verified_by == town.township


@pytest.mark.parametrize(("who", "error"), [("other_staff", OutOfScope), ("resident", OutOfScope)])
def test_only_staff_over_the_board_answer_and_a_refusal_changes_nothing(town, objection, who, error):
    case = Case.objects.get(pk=objection.case_id)
    with pytest.raises(error):
        services.objection_answer(actor=getattr(town, who), objection=objection, answer=ANSWER)
    assert Objection.objects.get().answered_at is None
    case.refresh_from_db()
    assert case.state == State.REPORTED and _timeline(case) == ["report"]


def test_a_case_gone_up_to_the_township_is_out_of_the_village_staffs_reach_and_nothing_is_written(
    town, objection
):
    case = Case.objects.get(pk=objection.case_id)
    case = cases.case_accept(actor=town.staff, case=case, expected_version=case.version)
    case = cases.case_escalate(
        actor=town.staff, case=case, expected_version=case.version, reason="涉及乡镇民政"
    )
    with pytest.raises(NotPermitted) as refused:
        services.objection_answer(actor=town.staff, objection=objection, answer=ANSWER)
    assert refused.value.code == "objection_case_out_of_reach"
    assert case.reference in str(refused.value.message) and "乡" in str(refused.value.message)
    # one transaction: neither the answer nor any case step was kept
    assert Objection.objects.get().answered_at is None
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and _timeline(case) == ["report", "accept", "escalate"]
    # the township, where the case now is, answers it and handles it there
    services.objection_answer(actor=town.township, objection=objection, answer=ANSWER)
    case.refresh_from_db()
    assert case.state == State.HANDLED and case.area_code == VILLAGE[:9]


def test_the_api_answer_handles_the_case_and_a_refusal_is_a_clear_error(client, town, objection):
    client.force_login(town.other_staff)
    url = f"/api/v1/disclosure/objections/{objection.pk}/answer"
    assert client.post(url, {"answer": ANSWER}, content_type="application/json").status_code == 404
    assert Case.objects.get(pk=objection.case_id).state == State.REPORTED
    client.force_login(town.staff)
    response = client.post(url, {"answer": ANSWER}, content_type="application/json")
    assert response.status_code == 200 and response.json()["answer"] == ANSWER
    assert Case.objects.get(pk=objection.case_id).state == State.HANDLED
