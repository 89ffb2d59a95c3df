"""The hotspot API: the list with its method, and the two steps, each idempotent; refusals as ``{code, message}``."""

from __future__ import annotations

from grassroots.cases.models import Case, Source
from grassroots.workforce.models import PatrolTask
from tests.cases.conftest import COUNTY, G1, VILLAGE
from tests.insights.test_hotspots import _near


def test_the_list_states_its_method_and_lists_the_cases(city, client):
    cases = _near(3)
    client.force_login(city.county)
    answer = client.get(f"/api/v1/insights/{COUNTY}/hotspots?radius_m=300&days=14").json()
    assert answer["method"]["radius_m"] == 300 and answer["method"]["days"] == 14
    (hot,) = answer["hotspots"]
    assert hot["kind"] == "cluster" and sorted(hot["case_ids"]) == sorted(c.pk for c in cases)
    assert {c["reference"] for c in hot["cases"]} == {c.reference for c in cases}


def test_a_parameter_out_of_bounds_is_a_422(city, client):
    client.force_login(city.county)
    answer = client.get(f"/api/v1/insights/{COUNTY}/hotspots?radius_m=1")
    assert answer.status_code == 422 and answer.json()["code"] == "invalid_hotspot_method"


def test_the_proactive_case_and_the_patrol_task_are_made_once(city, client):
    cases = _near(3)
    client.force_login(city.township)
    body = {"kind": "cluster", "category_id": cases[0].category_id, "case_ids": [c.pk for c in cases]}
    first = client.post(f"/api/v1/insights/{VILLAGE}/hotspots/cases", body, content_type="application/json")
    again = client.post(f"/api/v1/insights/{VILLAGE}/hotspots/cases", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and again.json()["replayed"] is True
    assert Case.objects.filter(source=Source.PROACTIVE).count() == 1
    task = client.post(
        f"/api/v1/insights/{VILLAGE}/hotspots/patrol-tasks", body, content_type="application/json"
    )
    same = client.post(
        f"/api/v1/insights/{VILLAGE}/hotspots/patrol-tasks", body, content_type="application/json"
    )
    assert (task.status_code, same.status_code) == (201, 200)
    assert task.json()["area_code"] == G1 and PatrolTask.objects.count() == 1


def test_a_leader_may_read_but_not_act(city, client):
    cases = _near(3)
    client.force_login(city.leader)
    assert client.get(f"/api/v1/insights/{COUNTY}/hotspots").status_code == 200
    body = {"kind": "cluster", "category_id": cases[0].category_id, "case_ids": [c.pk for c in cases]}
    answer = client.post(f"/api/v1/insights/{COUNTY}/hotspots/cases", body, content_type="application/json")
    assert answer.status_code == 403 and answer.json()["code"] == "not_permitted"
    assert not Case.objects.filter(source=Source.PROACTIVE).exists()
