"""Action inputs of cases that name another object — the handler a case is dispatched to, the case a duplicate
is merged into, the patrol a report is made on — each looked up in the actor's scope (or among the candidates
the service computes for the case and actor), by the API and the pages alike.

Matrix: for each input, a value in scope works; a foreign value (another county's worker or case, a resident,
a login that exists but is not offered, someone else's patrol, a number that names nothing) is refused with
400 ``{code, message, detail.field}`` on the API and a message on the page, and nothing changes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.accounts.models import Role
from grassroots.accounts.scoping import UnknownReference
from grassroots.cases import selectors, services
from grassroots.cases.models import AssigneeKind, Case, CaseEvent, State
from grassroots.cases.workflow import DispatchTarget
from grassroots.people.models import Place
from grassroots.workforce.models import AssignmentRole, Patrol
from tests.factories import UserFactory, area, grid, user_with
from tests.workforce.factories import GridWorkerFactory, assignment

from .conftest import G1, INSIDE_G1, OTHER_COUNTY_GRID, VILLAGE, reload


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def accepted_case(city) -> Case:
    case = services.case_report(
        actor=city.resident, category="0101", description="垃圾", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
    )
    return services.case_accept(actor=city.village, case=case, expected_version=case.version)


@pytest.fixture
def foreign(city):
    """Handlers that exist but are not for a case in G1: another county's grid worker (with a login), a
    resident, a staff login of another county, a unit of another county."""
    other_grid = grid(OTHER_COUNTY_GRID)
    login = user_with(Role.GRID_WORKER, OTHER_COUNTY_GRID, display_name="外县网格员")
    worker = GridWorkerFactory(name="外县网格员", user=login, area_code=OTHER_COUNTY_GRID)
    assignment(worker, other_grid, AssignmentRole.WORKER, dt.date(2020, 1, 1))
    unit = Place.objects.create(
        kind="enterprise",
        name="外县物业",
        area=area(OTHER_COUNTY_GRID[:12]),
        area_code=OTHER_COUNTY_GRID[:12],
        accepts_cases=True,
    )
    return {
        "worker": f"grid_worker:{worker.pk}",
        "resident": f"user:{city.resident.pk}",
        "resident_as_worker": f"grid_worker:{city.resident.pk}",
        "staff_of_another_county": f"user:{city.outsider.pk}",
        "unit_of_another_county": f"unit:{unit.pk}",
        "nothing": "user:999999",
        "free_text": "department:住建局",
    }


FOREIGN = (
    "worker",
    "resident",
    "resident_as_worker",
    "staff_of_another_county",
    "unit_of_another_county",
    "nothing",
    "free_text",
)


def _unchanged(case: Case) -> None:
    fresh = reload(case)
    assert fresh.state == State.ACCEPTED and fresh.version == case.version
    assert (fresh.assignee_kind, fresh.assignee_ref, fresh.assignee_name) == (
        case.assignee_kind,
        case.assignee_ref,
        case.assignee_name,
    )
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 0


# --- dispatch target -------------------------------------------------------------------------------------------


def test_the_candidates_are_the_grids_workers_staff_of_the_area_and_above_within_reach_departments_units(
    city,
):
    unit = Place.objects.create(
        kind="enterprise", name="物业公司", area=area(VILLAGE), area_code=VILLAGE, accepts_cases=True
    )
    case = accepted_case(city)
    as_village = {t.key for t in selectors.dispatch_targets_for(case=case, actor=city.village)}
    assert as_village == {
        f"grid_worker:{city.worker_record.pk}",
        f"user:{city.village.pk}",  # on the case's village, which is the dispatcher's own
        f"department:{city.department.pk}",
        f"unit:{unit.pk}",
    }
    # the township desk may also take it itself; the village may not send it up to the township
    as_township = {t.key for t in selectors.dispatch_targets_for(case=case, actor=city.township)}
    assert as_township == as_village | {f"user:{city.township.pk}"}
    # who may not dispatch it is shown no names at all
    for nobody in (city.resident, city.department, city.outsider, city.leader):
        assert selectors.dispatch_targets_for(case=case, actor=nobody) == []


def test_api_lists_exactly_the_candidates_the_page_offers(city):
    case = accepted_case(city)
    village = client_for(city.village)
    listed = village.get(f"/api/v1/cases/{case.pk}/dispatch-targets")
    assert listed.status_code == 200
    keys = [t["key"] for t in listed.json()]
    assert keys == [t.key for t in selectors.dispatch_targets_for(case=case, actor=city.village)]
    html = village.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert all(f'value="{k}"' in html for k in keys)
    # the reporter may see the case but not whom it could go to; an outsider does not see the case
    assert client_for(city.resident).get(f"/api/v1/cases/{case.pk}/dispatch-targets").json() == []
    assert client_for(city.outsider).get(f"/api/v1/cases/{case.pk}/dispatch-targets").status_code == 404


def test_api_dispatch_to_an_offered_handler_records_the_registers_name_not_the_callers(city):
    case = accepted_case(city)
    response = client_for(city.village).post(
        f"/api/v1/cases/{case.pk}/actions/dispatch",
        {
            "expected_version": case.version,
            "target": {"kind": "grid_worker", "ref": str(city.worker_record.pk), "name": "编造的处置人"},
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    case = reload(case)
    assert case.state == State.DISPATCHED and case.assignee_user == city.grid_worker
    assert case.assignee_name == "网格员甲" and response.json()["assignee_name"] == "网格员甲"
    told = CaseEvent.objects.get(case=case, action="dispatch").message
    assert "网格员甲" in told and "编造" not in told


@pytest.mark.parametrize("which", FOREIGN)
def test_api_dispatch_to_anyone_not_offered_is_refused_and_changes_nothing(city, foreign, which):
    case = accepted_case(city)
    response = client_for(city.village).post(
        f"/api/v1/cases/{case.pk}/actions/dispatch",
        {"expected_version": case.version, "target": {"key": foreign[which]}},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "bad_target" and body["detail"]["field"] == "target" and body["message"]
    _unchanged(case)


@pytest.mark.parametrize(
    "target",
    [
        lambda city: {"kind": "user", "user_id": UserFactory().pk},  # any active login: the hole
        lambda city: {"kind": "grid_worker", "user_id": city.resident.pk},
        lambda city: {"kind": "unit", "ref": "x", "name": "随便写的单位"},
    ],
)
def test_api_dispatch_by_kind_and_login_is_held_to_the_same_list(city, target):
    case = accepted_case(city)
    response = client_for(city.village).post(
        f"/api/v1/cases/{case.pk}/actions/dispatch",
        {"expected_version": case.version, "target": target(city)},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_target"
    _unchanged(case)


@pytest.mark.parametrize("which", FOREIGN)
def test_page_dispatch_to_anyone_not_offered_is_refused_and_says_why(client, city, foreign, which):
    case = accepted_case(city)
    client.force_login(city.village)
    response = client.post(
        reverse("cases:act", args=[case.pk, "dispatch"]),
        {"expected_version": case.version, "target": foreign[which]},
        follow=True,
    )
    assert (
        "choose one from the list" in response.content.decode() or "从列表中选择" in response.content.decode()
    )
    _unchanged(case)


def test_bulk_dispatch_takes_only_a_common_offered_handler(client, city, foreign):
    case = accepted_case(city)
    client.force_login(city.village)
    data = {"case": [case.pk], f"version_{case.pk}": case.version, "target": foreign["worker"]}
    client.post(reverse("cases:bulk_dispatch"), data)
    _unchanged(case)
    data["target"] = f"grid_worker:{city.worker_record.pk}"
    client.post(reverse("cases:bulk_dispatch"), data)
    assert reload(case).assignee_user == city.grid_worker


def test_the_service_checks_the_target_whoever_calls_it(city, foreign):
    case = accepted_case(city)
    worker = city.worker_record
    with pytest.raises(UnknownReference):
        services.case_dispatch(
            actor=city.village,
            case=case,
            expected_version=case.version,
            target=DispatchTarget(AssigneeKind.USER, str(city.resident.pk), "居民", city.resident),
        )
    _unchanged(case)
    # a name given with an offered handler is replaced by the register's
    done = services.case_dispatch(
        actor=city.village,
        case=case,
        expected_version=case.version,
        target=DispatchTarget(AssigneeKind.GRID_WORKER, str(worker.pk), "编造", None),
    )
    assert done.assignee_name == worker.name and done.assignee_user == city.grid_worker


# --- merge master ---------------------------------------------------------------------------------------------


def _report_at(city, reporter, lon_lat=INSIDE_G1) -> Case:
    return services.case_report(
        actor=reporter, category="0101", description="垃圾", lon=lon_lat[0], lat=lon_lat[1], confirm_far=True
    )


@pytest.fixture
def foreign_case(city):
    """A case of another county that the village staff member reported themself (so they can see it)."""
    grid(OTHER_COUNTY_GRID, (108.00, 41.00, 108.01, 41.01))
    return _report_at(city, city.village, (108.005, 41.005))


def test_api_merge_into_a_case_of_the_area_works_and_into_a_foreign_one_is_refused(city, foreign_case):
    duplicate, master = _report_at(city, city.resident), _report_at(city, city.other_resident)
    village = client_for(city.village)
    url = f"/api/v1/cases/{duplicate.pk}/actions/merge"
    for master_id in (foreign_case.pk, 999999):
        refused = village.post(
            url, {"expected_version": 1, "master_id": master_id}, content_type="application/json"
        )
        assert refused.status_code == 400, refused.content
        assert refused.json()["code"] == "bad_merge" and refused.json()["detail"]["field"] == "master_id"
        assert reload(duplicate).state == State.REPORTED and reload(duplicate).version == 1
    done = village.post(url, {"expected_version": 1, "master_id": master.pk}, content_type="application/json")
    assert done.status_code == 200 and reload(duplicate).merged_into == master


def test_page_merge_into_a_foreign_case_is_refused(client, city, foreign_case):
    duplicate = _report_at(city, city.resident)
    client.force_login(city.village)
    url = reverse("cases:act", args=[duplicate.pk, "merge"])
    client.post(url, {"expected_version": 1, "master": foreign_case.reference})
    client.post(url, {"expected_version": 1, "master": str(foreign_case.pk)})
    assert reload(duplicate).state == State.REPORTED and reload(duplicate).version == 1
    master = _report_at(city, city.other_resident)
    client.post(url, {"expected_version": 1, "master": master.reference})
    assert reload(duplicate).merged_into == master


def test_the_workflow_refuses_a_foreign_master_whoever_calls_it(city, foreign_case):
    duplicate = _report_at(city, city.resident)
    with pytest.raises(services.CaseError):
        services.case_merge(actor=city.village, case=duplicate, expected_version=1, master=foreign_case)
    assert reload(duplicate).state == State.REPORTED


# --- the patrol a report is made on ------------------------------------------------------------------------------


def test_a_report_on_ones_own_patrol_counts_and_on_someone_elses_is_refused(city):
    from grassroots.workforce.services import patrols

    other_login = user_with(Role.GRID_WORKER, G1, display_name="另一网格员")
    other = GridWorkerFactory(name="另一网格员", user=other_login, area_code=G1)
    theirs = Patrol.objects.create(worker=other, area_code=G1, started_at=dt.datetime.now(dt.UTC))
    mine = patrols.patrol_start(actor=city.grid_worker, worker=city.worker_record)
    client = client_for(city.grid_worker)
    data = {"category": "0101", "description": "井盖缺失", "lon": INSIDE_G1[0], "lat": INSIDE_G1[1]}
    for patrol_id in (theirs.pk, 999999):
        refused = client.post("/api/v1/cases/", {**data, "patrol_id": patrol_id})
        assert refused.status_code == 400, refused.content
        assert refused.json()["detail"]["field"] == "patrol_id"
    page = client.post(reverse("cases:report") + f"?patrol={theirs.pk}", {**data, "idempotency_key": "k"})
    assert page.status_code == 200
    assert Case.objects.count() == 0 and theirs.findings.count() == 0
    made = client.post("/api/v1/cases/", {**data, "patrol_id": mine.pk})
    assert made.status_code == 201 and made.json()["source"] == "patrol"
    assert mine.findings.get().case_id == made.json()["id"]
