"""Every event that puts work on someone tells exactly them (cases/alerts.py::RECIPIENTS): a matrix of
(event × role), each cell driven through the services as the people would, the notifications read back.

The reporter's own-report notices (what happened to their report) are left out here; test_workflow covers them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from grassroots import clock
from grassroots.areas.models import Area
from grassroots.cases import alerts, services
from grassroots.cases.models import EventAction
from grassroots.notifications.models import Notification, Topic

from .conftest import G1, INSIDE_G1

ROLES = (
    "resident", "other_resident", "grid_worker", "other_grid_worker", "village", "township", "county",
    "supervisor", "leader", "department", "outsider",
)  # fmt: skip


def _at(day, hour=10):
    return timezone.make_aware(dt.datetime(2026, 3, day, hour))


def _reported(city):
    with clock.frozen(_at(2)):
        return services.case_report(
            actor=city.resident, category="0101", description="垃圾", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
        )


def _dispatched(city):
    case = _reported(city)
    with clock.frozen(_at(2, 11)):
        case = services.case_accept(actor=city.village, case=case, expected_version=case.version)
        target = services.dispatch_target_for_worker(city.worker_record)
        return services.case_dispatch(
            actor=city.village, case=case, expected_version=case.version, target=target
        )


def _handled(city):
    case = _dispatched(city)
    with clock.frozen(_at(2, 12)):
        return services.case_handle(
            actor=city.grid_worker, case=case, expected_version=case.version, note="清理了"
        )


def _asked(city):
    case = _dispatched(city)
    with clock.frozen(_at(2, 12)):
        return services.case_extension_request(
            actor=city.grid_worker, case=case, expected_version=case.version, amount=2, reason="要等车"
        )


def _closed(city):
    case = _handled(city)
    with clock.frozen(_at(2, 13)):
        return services.case_verify(actor=city.village, case=case, expected_version=case.version, passed=True)


def _called_in_and_closed(city):
    """A phone call entered at the desk, handled by the grid's worker and verified by the village: always due a
    callback (回访), whose callers are told; the village verifier acted, so the nearest other desk hears."""
    with clock.frozen(_at(2)):
        case = services.case_enter(
            actor=city.village, source="phone", category="0101", description="路灯坏了",
            lon=INSIDE_G1[0], lat=INSIDE_G1[1], reporter_phone="13812345678",
        )  # fmt: skip
    with clock.frozen(_at(2, 11)):
        case = services.case_accept(actor=city.village, case=case, expected_version=case.version)
        target = services.dispatch_target_for_worker(city.worker_record)
        case = services.case_dispatch(
            actor=city.village, case=case, expected_version=case.version, target=target
        )
        case = services.case_handle(
            actor=city.grid_worker, case=case, expected_version=case.version, note="换了"
        )
    with clock.frozen(_at(2, 13)):
        return services.case_verify(actor=city.village, case=case, expected_version=case.version, passed=True)


def _returned_to_hotline(city):
    """A 12345 work order taken in by the village desk and returned to the hotline: not its matter."""
    from grassroots.cases.models import HotlineSheetLayout
    from grassroots.cases.services import hotline

    HotlineSheetLayout.objects.create(city_code="1508", default_category="0101")
    with clock.frozen(_at(2)):
        taken = hotline.order_take(
            actor=city.village, city_code="1508",
            order=hotline.OrderInput(
                number="2026030200001", received_at=_at(2, 9), description="小区物业费纠纷", hotline_type="",
                caller_phone="13812345678", lon=INSIDE_G1[0], lat=INSIDE_G1[1],
            ),
        )  # fmt: skip
    case = taken.order.case
    with clock.frozen(_at(2, 11)):
        return services.case_return_to_hotline(
            actor=city.village, case=case, expected_version=case.version, reason="属住建部门职责"
        )


# event → (how to get there from a fresh city: returns the case and the step's actor; who must be told)
STEPS = {
    EventAction.REPORT: (lambda c: (_reported(c), c.resident), {"grid_worker"}),
    EventAction.DISPATCH: (lambda c: (_dispatched(c), c.village), {"grid_worker"}),
    EventAction.RETURN: (
        lambda c: (
            services.case_return(actor=c.grid_worker, case=(x := _dispatched(c)), expected_version=x.version, reason="不归我"),
            c.grid_worker,
        ),
        {"village"},
    ),
    EventAction.ESCALATE: (
        lambda c: (
            services.case_escalate(actor=c.village, case=(x := _dispatched(c)), expected_version=x.version, reason="村里解决不了"),
            c.village,
        ),
        {"township"},
    ),
    EventAction.HANDLE: (lambda c: (_handled(c), c.grid_worker), {"village"}),
    # the supervision axis checks every return: a return must not be a way of shirking a matter
    EventAction.RETURN_TO_HOTLINE: (lambda c: (_returned_to_hotline(c), c.village), {"supervisor"}),
    EventAction.VERIFY_FAIL: (
        lambda c: (
            services.case_verify(actor=c.village, case=(x := _handled(c)), expected_version=x.version, passed=False, note="还没清完"),
            c.village,
        ),
        {"grid_worker"},
    ),
    EventAction.REQUEST_EXTENSION: (lambda c: (_asked(c), c.grid_worker), {"village"}),
    EventAction.APPROVE_EXTENSION: (
        lambda c: (
            services.case_extension_decide(actor=c.village, case=(x := _asked(c)), expected_version=x.version, approve=True),
            c.village,
        ),
        {"grid_worker"},
    ),
    EventAction.REJECT_EXTENSION: (
        lambda c: (
            services.case_extension_decide(actor=c.village, case=(x := _asked(c)), expected_version=x.version, approve=False),
            c.village,
        ),
        {"grid_worker"},
    ),
    EventAction.URGE: (
        lambda c: (
            services.case_urge(actor=c.leader, case=(x := _dispatched(c)), expected_version=x.version, card="yellow"),
            c.leader,
        ),
        {"grid_worker", "supervisor"},
    ),
    EventAction.UNSHELVE: (
        lambda c: (
            services.case_unshelve(
                actor=c.village,
                case=(y := services.case_shelve(actor=c.village, case=(x := _dispatched(c)), expected_version=x.version, reason="等天晴")),
                expected_version=y.version,
            ),
            c.village,
        ),
        {"grid_worker"},
    ),
    EventAction.VERIFY_PASS: (lambda c: (_called_in_and_closed(c), c.village), {"township"}),
    EventAction.REOPEN: (
        lambda c: (
            services.case_reopen(actor=c.village, case=(x := _closed(c)), expected_version=x.version, reason="又堆上了"),
            c.village,
        ),
        {"grid_worker"},
    ),
    # the scan acts as the system: the case is set up, then the scan runs when it is late
    EventAction.RESPONSE_OVERDUE: (lambda c: (_reported(c), services.deadlines_scan(now=_at(9))), {"grid_worker", "supervisor"}),
    EventAction.HANDLING_OVERDUE: (lambda c: (_dispatched(c), services.deadlines_scan(now=_at(28))), {"grid_worker", "supervisor"}),
}  # fmt: skip


def test_every_event_that_puts_work_on_someone_is_in_the_matrix():
    assert set(alerts.RECIPIENTS) - {EventAction.HANDLING_WARNING} == set(STEPS)


def _told_by(city, event) -> set[str]:
    rows = Notification.objects.exclude(topic=Topic.OWN_REPORT)
    told = set()
    for role in ROLES:
        user = getattr(city, role)
        if rows.filter(recipient=user, title__startswith=str(alerts.RECIPIENTS[event][0])).exists():
            told.add(role)
    return told


@pytest.mark.parametrize("event", list(STEPS), ids=str)
def test_who_is_told_of_each_event(city, event):
    drive, expected = STEPS[event]
    drive(city)
    assert _told_by(city, event) == expected


def test_the_actor_is_never_told_of_their_own_step_and_titles_are_words(city):
    Area.objects.filter(code=G1).update(name="幸福里一网格")
    case = _dispatched(city)
    assert not Notification.objects.filter(recipient=city.village).exclude(topic=Topic.OWN_REPORT).exists()
    title = Notification.objects.filter(recipient=city.grid_worker).latest("pk").title
    assert "乱扔垃圾" in title and "幸福里一网格" in title and case.area_code not in title
