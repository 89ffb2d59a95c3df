"""The home page answers "what do I do next": each person sees what waits for them, one tap from its action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grassroots.cases import services
from grassroots.cases.models import Case, State
from grassroots.home import selectors
from tests.cases.conftest import INSIDE_G1

pytestmark = pytest.mark.django_db


def _report(city):
    return services.case_report(
        actor=city.resident, category="0101", description="楼下垃圾", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
    )


def _groups(user) -> dict[str, int]:
    return {w.key: w.count for w in selectors.today_for(user=user).waiting}


def test_anonymous_visitors_are_asked_to_log_in(client):
    response = client.get("/")
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_new_report_waits_for_the_grids_worker_who_takes_it_in_one_tap(city, client):
    case = _report(city)
    assert _groups(city.grid_worker) == {"cases-accept": 1}
    assert _groups(city.other_grid_worker) == {}
    client.force_login(city.grid_worker)
    page = client.get("/").content.decode()
    take = reverse("cases:take", kwargs={"pk": case.pk})
    assert 'data-waiting="cases-accept"' in page and take in page
    response = client.post(take, {"expected_version": case.version})
    assert response.status_code == 302
    taken = Case.objects.get(pk=case.pk)
    assert taken.state == State.DISPATCHED and taken.assignee_user == city.grid_worker
    # now it waits for them as a task, and no longer to be taken up
    assert _groups(city.grid_worker) == {"cases-handle": 1}


def test_handled_work_waits_for_the_verifier_and_a_closed_report_for_its_rating(city, settings):
    # a self-reported case is called back only when sampled (by its id): none here
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"
    case = _report(city)
    case = services.case_take(actor=city.grid_worker, case=case, expected_version=case.version)
    case = services.case_handle(
        actor=city.grid_worker, case=case, expected_version=case.version, note="清理了"
    )
    assert _groups(city.village) == {"cases-verify_pass": 1}
    assert "cases-verify_pass" not in _groups(city.grid_worker)  # nobody verifies their own work
    services.case_verify(actor=city.village, case=case, expected_version=case.version, passed=True)
    assert _groups(city.resident) == {"cases-rate": 1}
    assert _groups(city.village) == {}


def test_a_worker_not_serving_the_grid_cannot_take_its_report(city, client):
    case = _report(city)
    client.force_login(city.other_grid_worker)
    response = client.post(reverse("cases:take", kwargs={"pk": case.pk}), {"expected_version": case.version})
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).state == State.REPORTED


@pytest.mark.parametrize(
    "role", ["resident", "grid_worker", "village", "township", "county", "supervisor", "leader", "department"]
)
def test_every_role_has_a_home_page_with_what_it_may_start(city, client, role):
    client.force_login(getattr(city, role))
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert reverse("cases:mine") in response.content.decode()


def test_a_closed_phone_report_waits_for_its_callback_on_the_desks_home(city):
    case = services.case_enter(
        actor=city.village, source="phone", category="0101", description="来电：路灯坏了",
        lon=INSIDE_G1[0], lat=INSIDE_G1[1], reporter_name="王大爷", reporter_phone="13812345678",
    )  # fmt: skip
    case = services.case_take(actor=city.grid_worker, case=case, expected_version=case.version)
    case = services.case_handle(
        actor=city.grid_worker, case=case, expected_version=case.version, note="修好了"
    )
    services.case_verify(actor=city.village, case=case, expected_version=case.version, passed=True)
    assert _groups(city.village).get("callbacks") == 1


def _closed(city):
    case = _report(city)
    case = services.case_take(actor=city.grid_worker, case=case, expected_version=case.version)
    case = services.case_handle(
        actor=city.grid_worker, case=case, expected_version=case.version, note="清理了"
    )
    return services.case_verify(actor=city.village, case=case, expected_version=case.version, passed=True)


def test_what_waits_costs_the_same_queries_however_many_closed_cases_the_desk_was_told_of(city):
    # given a desk told of one closed case (it was asked to verify it), then of four
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grassroots.cases.selectors import work_waiting_for

    _closed(city)
    with CaptureQueriesContext(connection) as one:
        work_waiting_for(user=city.village)
    for _ in range(3):
        _closed(city)
    # when it asks what waits for it
    with CaptureQueriesContext(connection) as four:
        waiting = work_waiting_for(user=city.village)
    # then the same queries read it: no per-case question about callbacks (the load test found the home page
    # of a busy desk asking once per closed case), and the closed cases wait for nothing of the desk's
    assert len(four) == len(one)
    assert not any(waiting.values())


def test_a_resident_reaches_their_grid_worker_from_home(client, city):
    from tests.factories import user_with

    neighbour = user_with("resident", city.worker_record.area_code, display_name="邻居")
    client.force_login(neighbour)
    page = client.get("/").content.decode()
    assert "网格员甲" in page
