"""The full transition table: every (state, action) by every actor, allowed or refused, written out here
independently of ``workflow.TRANSITIONS`` so that a change to the table must be made twice on purpose."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.utils import translation

from grassroots import clock
from grassroots.cases import services, workflow
from grassroots.cases.models import AssigneeKind, Case, CaseEvent, CloseReason, HotlineOrder, State
from grassroots.cases.services import callbacks
from grassroots.cases.workflow import ActionNotAllowed
from grassroots.errors import NotPermitted
from grassroots.workforce.models import GridWorker

from .conftest import COUNTY, G1, TOWNSHIP, VILLAGE

ACTORS = (
    "reporter", "other_resident", "grid_worker", "other_grid_worker", "village", "township", "county",
    "supervisor", "leader", "department", "assignee", "outsider",
)  # fmt: skip
DESK = {"village", "township", "county", "supervisor"}
INTAKE = DESK | {"grid_worker"}
OVERSIGHT = DESK | {"leader"}
HANDLERS = {"grid_worker", "village", "township", "county"}

# (state, action) → who may take it on a grid-level case in grid G1 dispatched to "assignee".
EXPECTED: dict[tuple[str, str], set[str]] = {
    ("reported", "accept"): INTAKE,
    ("reported", "cancel"): DESK | {"reporter"},
    ("reported", "shelve"): DESK,
    ("reported", "urge"): OVERSIGHT,
    ("reported", "merge"): INTAKE,
    ("reported", "return_to_hotline"): DESK,  # a 12345 work order (take() makes the case one)
    ("accepted", "cancel"): DESK,
    ("accepted", "dispatch"): INTAKE,
    ("accepted", "escalate"): INTAKE,
    ("accepted", "shelve"): DESK,
    ("accepted", "urge"): OVERSIGHT,
    ("accepted", "merge"): INTAKE,
    ("accepted", "return_to_hotline"): DESK,
    ("dispatched", "return"): DESK | {"assignee"},
    ("dispatched", "escalate"): INTAKE | {"assignee"},
    ("dispatched", "handle"): HANDLERS | {"assignee"},
    ("dispatched", "shelve"): DESK,
    ("dispatched", "request_extension"): HANDLERS | {"assignee"},
    ("dispatched", "urge"): OVERSIGHT,
    ("pending_extension", "approve_extension"): DESK,
    ("pending_extension", "reject_extension"): DESK,
    ("handled", "verify_pass"): DESK,
    ("handled", "verify_fail"): DESK,
    ("handled", "urge"): OVERSIGHT,
    ("closed", "reopen"): DESK,
    ("closed", "rate"): {"reporter"},
    ("closed", "callback"): DESK,
    ("shelved", "unshelve"): DESK,
    ("shelved", "urge"): OVERSIGHT,
}
# With an extension request pending, everything of "dispatched" still works except asking again.
EXPECTED.update(
    {
        ("pending_extension", action): who
        for (state, action), who in list(EXPECTED.items())
        if state == "dispatched" and action != "request_extension"
    }
)
# Who cannot even see a grid-level case in G1 (refused with 404, as if it did not exist).
BLIND = {"other_resident", "other_grid_worker", "department", "outsider"}
# The assignee sees the case only while it is assigned to them.
UNASSIGNED_STATES = {"reported", "accepted", "cancelled"}

STATES = (
    "reported",
    "accepted",
    "dispatched",
    "pending_extension",
    "handled",
    "closed",
    "cancelled",
    "shelved",
)
ACTIONS = (
    "accept", "cancel", "dispatch", "return", "escalate", "handle", "verify_pass", "verify_fail", "shelve",
    "unshelve", "request_extension", "approve_extension", "reject_extension", "urge", "merge", "reopen", "rate",
    "callback", "return_to_hotline",
)  # fmt: skip


def exists(state: str, action: str) -> bool:
    """Whether the action is in the table for the case's stored state (a guard may still refuse it)."""
    same = {"dispatched", "pending_extension"} if state in ("dispatched", "pending_extension") else {state}
    return any((s, action) in EXPECTED for s in same)


def actors(city) -> dict:
    return {
        "reporter": city.resident,
        "other_resident": city.other_resident,
        "grid_worker": city.grid_worker,
        "other_grid_worker": city.other_grid_worker,
        "village": city.village,
        "township": city.township,
        "county": city.county,
        "supervisor": city.supervisor,
        "leader": city.leader,
        "department": city.department,
        "assignee": city.assignee,
        "outsider": city.outsider,
    }


def make_case(city, state: str, *, area_code: str = G1) -> Case:
    """A case put straight into ``state`` (the table test checks moves, not how the case got there)."""
    now = clock.now()
    fields = {
        "source": "mobile_web",
        "category": city.litter,
        "description": "垃圾",
        "reporter": city.resident,
        "origin_code": G1,
        "area_code": area_code,
        "level": {15: 6, 12: 5, 9: 4, 6: 3}[len(area_code)],
        "reported_at": now,
        "response_due_at": now,
    }
    if state in ("accepted", "dispatched", "pending_extension", "handled", "closed", "shelved"):
        fields["accepted_at"] = now
    if state in ("dispatched", "pending_extension", "handled", "closed", "shelved"):
        fields.update(
            assignee_kind=AssigneeKind.DEPARTMENT,
            assignee_ref="7",
            assignee_name="住建局",
            assignee_user=city.assignee,
            dispatched_at=now,
            handling_started_at=now,
            handling_due_at=now,
        )
    if state == "pending_extension":
        fields["extension_request"] = {"amount": 2, "unit": "days", "reason": "材料", "by": city.assignee.pk}
    if state == "closed":
        fields.update(closed_at=now, closing_level=6, closing_code=G1, close_reason=CloseReason.VERIFIED)
    if state == "cancelled":
        fields.update(cancelled_at=now, cancel_reason="重复")
    if state == "shelved":
        fields.update(previous_state=State.DISPATCHED, shelved_at=now)
    real = "dispatched" if state == "pending_extension" else state
    return Case.objects.create(state=real, **fields)


def take(action: str, case: Case, actor, *, master: Case):
    v = case.version
    common = {"actor": actor, "case": case, "expected_version": v}
    # the grid's worker, whom the table's dispatchers are offered for a case in G1
    target = services.dispatch_target_for_worker(GridWorker.objects.get(name="网格员甲"))
    calls = {
        "accept": lambda: services.case_accept(**common),
        "cancel": lambda: services.case_cancel(**common, reason="不属于受理范围"),
        "dispatch": lambda: services.case_dispatch(**common, target=target),
        "return": lambda: services.case_return(**common, reason="不归我们管"),
        "escalate": lambda: services.case_escalate(**common, reason="需要上级协调"),
        "handle": lambda: services.case_handle(**common, note="已处理"),
        "verify_pass": lambda: services.case_verify(**common, passed=True),
        "verify_fail": lambda: services.case_verify(**common, passed=False, note="还有垃圾"),
        "shelve": lambda: services.case_shelve(**common, reason="等待资金"),
        "unshelve": lambda: services.case_unshelve(**common),
        "request_extension": lambda: services.case_extension_request(**common, amount=2, reason="材料未齐"),
        "approve_extension": lambda: services.case_extension_decide(**common, approve=True),
        "reject_extension": lambda: services.case_extension_decide(**common, approve=False),
        "urge": lambda: services.case_urge(**common, card="yellow"),
        "merge": lambda: services.case_merge(**common, master=master),
        "reopen": lambda: services.case_reopen(**common, reason="复发"),
        "rate": lambda: services.case_rate(**common, rating="satisfied", really_solved=True),
        "callback": lambda: callbacks.callback_record(**common, reached=False, note="无人接听"),
        "return_to_hotline": lambda: services.case_return_to_hotline(**common, reason="不属于本平台职责"),
    }
    if action == "return_to_hotline":
        _as_hotline_order(case)
    return calls[action]()


def _as_hotline_order(case: Case) -> None:
    """Only a 12345 work order goes back to the hotline: the table's case becomes one."""
    Case.objects.filter(pk=case.pk).update(source="hotline")
    HotlineOrder.objects.create(
        city_code=case.origin_code[:4], number=f"T{case.pk}", case=case, area_code=case.origin_code,
        channel="api", received_at=case.reported_at, fingerprint="-",
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _every_self_report_called_back(settings):
    """The closed case of the table was reported by its reporter: in the callback sample at this share."""
    settings.CASES_CALLBACK_SAMPLE_SHARE = "1"


@pytest.fixture
def table_city(city):
    from grassroots.accounts.models import Role
    from tests.factories import user_with

    city.assignee = user_with(Role.DEPARTMENT_HANDLER, COUNTY)
    return city


@pytest.mark.parametrize("state", STATES)
def test_every_move_from_each_state_by_every_actor(table_city, state):
    city = table_city
    people = actors(city)
    master = make_case(city, "accepted")
    for action in ACTIONS:
        allowed = EXPECTED.get((state, action), set())
        for name, actor in people.items():
            case = make_case(city, state)
            events_before = CaseEvent.objects.filter(case=case).count()
            try:
                updated = take(action, case, actor, master=master)
            except Http404:
                outcome = "404"
            except ActionNotAllowed:
                outcome = "409"
            except NotPermitted:
                outcome = "403"
            else:
                outcome = "ok"
            where = f"{state} --{action}--> by {name}"
            if name in allowed:
                assert outcome == "ok", where
                assert updated.version == case.version + 1, where
                assert CaseEvent.objects.filter(case=case).count() == events_before + 1, where
            else:
                blind = name in BLIND or (name == "assignee" and state in UNASSIGNED_STATES)
                expected = "404" if blind else ("403" if exists(state, action) else "409")
                assert outcome == expected, f"{where}: {outcome}, expected {expected}"
                fresh = Case.objects.get(pk=case.pk)
                assert fresh.version == case.version and fresh.state == case.state, where
                assert CaseEvent.objects.filter(case=case).count() == events_before, where


def test_the_table_in_the_code_has_exactly_the_moves_written_here():
    coded = {(s, a) for (s, a) in workflow.TRANSITIONS}
    written = {("dispatched" if s == "pending_extension" else s, a) for (s, a) in EXPECTED}
    assert coded == written


@pytest.mark.parametrize(
    ("level_code", "who", "outcome"),
    [
        (G1, "grid_worker", "ok"),
        (VILLAGE, "village", "ok"),
        (TOWNSHIP, "township", "ok"),
        (COUNTY, "county", "403"),  # nothing above the county
        (VILLAGE, "grid_worker", "403"),  # out of the grid worker's hands once it left the grid
        (TOWNSHIP, "village", "403"),
    ],
)
def test_escalation_by_level(table_city, level_code, who, outcome):
    city = table_city
    case = make_case(city, "accepted", area_code=level_code)
    try:
        updated = services.case_escalate(
            actor=actors(city)[who], case=case, expected_version=case.version, reason="需要上级"
        )
    except NotPermitted:
        assert outcome == "403"
        assert Case.objects.get(pk=case.pk).area_code == level_code
    else:
        assert outcome == "ok"
        assert updated.area_code == level_code[: {15: 12, 12: 9, 9: 6}[len(level_code)]]
        assert updated.level == case.level - 1
        assert updated.state == State.ACCEPTED and updated.assignee_user is None


def test_grid_worker_dispatches_only_at_grid_level(table_city):
    city = table_city
    at_village = make_case(city, "accepted", area_code=VILLAGE)
    target = services.dispatch_target_for_worker(city.worker_record)
    with pytest.raises(NotPermitted):
        services.case_dispatch(actor=city.grid_worker, case=at_village, expected_version=1, target=target)
    at_grid = make_case(city, "accepted")
    done = services.case_dispatch(actor=city.grid_worker, case=at_grid, expected_version=1, target=target)
    assert done.state == State.DISPATCHED and done.assignee_user == city.grid_worker


def test_reporter_reopens_only_after_saying_it_was_not_solved(table_city):
    city = table_city
    case = make_case(city, "closed")
    with (
        translation.override("en"),
        pytest.raises(NotPermitted) as caught,
    ):  # the test reads the English wording
        services.case_reopen(actor=city.resident, case=case, expected_version=1, reason="没解决")
    with translation.override("en"):
        assert "not really solved" in str(caught.value)
    rated = services.case_rate(
        actor=city.resident, case=case, expected_version=1, rating="unsatisfied", really_solved=False
    )
    reopened = services.case_reopen(
        actor=city.resident, case=rated, expected_version=rated.version, reason="没解决"
    )
    assert reopened.state == State.ACCEPTED and reopened.reopen_count == 1 and reopened.closing_level is None


def test_extension_is_decided_by_someone_else(table_city):
    city = table_city
    case = make_case(city, "dispatched")
    asked = services.case_extension_request(
        actor=city.village, case=case, expected_version=1, amount=3, unit="days", reason="材料未齐"
    )
    with pytest.raises(NotPermitted):
        services.case_extension_decide(
            actor=city.village, case=asked, expected_version=asked.version, approve=True
        )
    due_before = asked.handling_due_at
    approved = services.case_extension_decide(
        actor=city.township, case=asked, expected_version=asked.version, approve=True
    )
    assert approved.extension_request is None and approved.handling_due_at > due_before


def test_every_action_of_the_table_has_one_registry_row_serving_page_and_api_alike():
    """A case action is one row of the transition table plus one row of the registry (and its service): the
    pages and the API offer exactly the table's actions, no more."""
    from grassroots.cases.services.registry import ACTIONS

    in_table = {action for (_state, action) in workflow.TRANSITIONS}
    assert set(ACTIONS) == in_table
    assert set(ACTIONS) <= set(workflow.EFFECTS)
    for name, spec in ACTIONS.items():
        assert str(spec.label) and spec.summary, name


def test_the_reporter_withdraws_a_report_where_the_desk_declines_one(city, client):
    """The same action, told in the words of who takes it: a reporter withdraws, a desk does not take it up."""
    case = services.case_report(
        actor=city.resident, category=city.litter, description="路灯坏了", lon=107.005, lat=41.005
    )
    client.force_login(city.resident)
    with translation.override("en"):
        page = client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Withdraw my report" in page and "do not take it up" not in page
    client.force_login(city.village)
    page = client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Cancel: do not take it up" in page and "Withdraw my report" not in page
