"""The cases API: submit with photos and an Idempotency-Key, list with pinned query counts, detail, every
action under the services' permissions, and bad input answered with {code, message} and nothing stored."""

from __future__ import annotations

import pytest
from django.test import Client

from grassroots.cases import services
from grassroots.cases.models import Case, CasePhoto

from .conftest import G1, INSIDE_G1, jpeg_bytes, upload


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def submit(client, key="", **fields):
    data = {"category": "0101", "description": "垃圾", "lon": INSIDE_G1[0], "lat": INSIDE_G1[1], **fields}
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/cases/", data=data, headers=headers)


def test_submit_with_a_photo_then_retry_gets_the_same_case(city, django_capture_on_commit_callbacks):
    client = client_for(city.resident)
    with django_capture_on_commit_callbacks(execute=True):
        first = submit(client, key="k-1", photos=[upload(jpeg_bytes())])
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["area_code"] == G1 and body["assignee_name"] == "网格员甲" and body["source"] == "api"
    assert body["photos"][0]["url"].startswith("/media/cases/")
    again = submit(client, key="k-1", photos=[upload(jpeg_bytes())])
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Case.objects.count() == 1 and CasePhoto.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"category": "9999"}, "invalid_report"),
        ({"lon": 181}, "invalid_report"),
        ({"description": ""}, "invalid_report"),
        ({"photos": [upload(b"MZ\x90\x00 not an image", name="virus.exe")]}, "not_an_image"),
    ],
)
def test_bad_submissions_answer_code_and_message_and_store_nothing(city, fields, code):
    response = submit(client_for(city.resident), **fields)
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["message"]
    assert Case.objects.count() == 0


def test_missing_fields_are_a_422_with_details(city):
    response = client_for(city.resident).post("/api/v1/cases/", data={"description": "x"})
    assert response.status_code == 422 and response.json()["code"] == "invalid"


def test_script_in_description_comes_back_as_json_text(city):
    script = "<script>alert(1)</script>"
    response = submit(client_for(city.resident), description=script)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["description"] == script


def test_anonymous_callers_are_refused(city):
    assert submit(Client()).status_code == 401


def test_the_whole_line_through_the_api(city):
    resident, worker, village = (
        client_for(city.resident),
        client_for(city.grid_worker),
        client_for(city.village),
    )
    case = submit(resident).json()
    cid = case["id"]

    def act(client, action, **body):
        return client.post(
            f"/api/v1/cases/{cid}/actions/{action}", data=body, content_type="application/json"
        )

    accepted = act(worker, "accept", expected_version=case["version"])
    assert accepted.status_code == 200, accepted.content
    assert "dispatch" in accepted.json()["actions"]
    stale = act(village, "cancel", expected_version=case["version"], reason="重复")
    assert stale.status_code == 409 and stale.json()["code"] == "case_conflict"
    dispatched = act(
        village,
        "dispatch",
        expected_version=2,
        target={"key": f"grid_worker:{city.worker_record.pk}"},
    )
    assert dispatched.status_code == 200 and dispatched.json()["state"] == "dispatched"
    handled = worker.post(
        f"/api/v1/cases/{cid}/actions/handle",
        data={"expected_version": 3, "note": "已清理", "photos": [upload(jpeg_bytes())]},
    )
    assert handled.status_code == 200, handled.content
    assert [p["stage"] for p in handled.json()["photos"]] == ["after"]
    forbidden = act(worker, "verify_pass", expected_version=4)
    assert forbidden.status_code == 403
    assert act(client_for(city.supervisor), "urge", expected_version=4, card="red").status_code == 200
    closed = act(village, "verify_pass", expected_version=5)
    assert closed.json()["state"] == "closed" and closed.json()["closing_level"] == 6
    rated = act(resident, "rate", expected_version=6, rating="satisfied", really_solved=True)
    assert rated.status_code == 200 and rated.json()["rating"] == "satisfied"
    assert (
        act(resident, "rate", expected_version=7, rating="satisfied", really_solved=True).status_code == 403
    )
    # outside scope: 404, as if the case did not exist
    assert client_for(city.outsider).get(f"/api/v1/cases/{cid}").status_code == 404
    assert act(client_for(city.outsider), "urge", expected_version=7).status_code == 404
    # the reporter's timeline hides internal notes (the urge); staff see them
    reporter_view = resident.get(f"/api/v1/cases/{cid}").json()
    staff_view = village.get(f"/api/v1/cases/{cid}").json()
    assert "urge" not in [e["action"] for e in reporter_view["timeline"]]
    assert "urge" in [e["action"] for e in staff_view["timeline"]]


def test_reporter_identity_is_hidden_outside_the_grid_and_when_anonymous(city):
    case = services.case_report(
        actor=city.resident, category="0101", description="x", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
    )
    secret = services.case_report(
        actor=city.resident,
        category="0101",
        description="x",
        lon=INSIDE_G1[0],
        lat=INSIDE_G1[1],
        anonymous=True,
    )
    worker = client_for(city.grid_worker)
    assert worker.get(f"/api/v1/cases/{case.pk}").json()["reporter_name"] == "居民"
    assert worker.get(f"/api/v1/cases/{secret.pk}").json()["reporter_name"] == ""
    escalated = services.case_accept(actor=city.grid_worker, case=case, expected_version=1)
    escalated = services.case_escalate(
        actor=city.grid_worker, case=escalated, expected_version=2, reason="上报"
    )
    escalated = services.case_escalate(actor=city.village, case=escalated, expected_version=3, reason="上报")
    # a department the case is later dispatched to, outside the grid, does not learn who reported
    services.case_dispatch(
        actor=city.township,
        case=escalated,
        expected_version=4,
        target=services.dispatch_target_for_user(city.department, kind="department"),
    )
    assert client_for(city.department).get(f"/api/v1/cases/{case.pk}").json()["reporter_name"] == ""


def test_list_is_scoped_paged_and_its_query_count_pinned(city, django_assert_num_queries):
    for i in range(7):
        services.case_report(
            actor=city.resident, category="0101", description=f"第{i}件", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
        )
    village = client_for(city.village)
    village.get("/api/v1/cases/categories")  # warm the session
    with django_assert_num_queries(5):  # session, user, grants, count, page
        page = village.get("/api/v1/cases/?limit=5")
    assert page.json()["count"] == 7 and len(page.json()["items"]) == 5
    with django_assert_num_queries(5):
        page = village.get("/api/v1/cases/?limit=5&offset=5&category=01&state=reported")
    assert len(page.json()["items"]) == 2
    assert client_for(city.outsider).get("/api/v1/cases/").json()["count"] == 0
    mine = client_for(city.resident).get("/api/v1/cases/?scope=mine").json()
    assert mine["count"] == 7
    tasks = client_for(city.grid_worker).get("/api/v1/cases/?scope=tasks").json()
    assert tasks["count"] == 7


def test_categories_and_openapi(city):
    client = client_for(city.resident)
    categories = client.get("/api/v1/cases/categories").json()
    codes = {c["code"] for c in categories}
    assert {"0101", "0201", "0901", "08", "10", "11", "12"} <= codes
    schema = Client().get("/api/v1/openapi.json").json()
    # one operation per action of the registry, each with its own input: what a client may send, per action
    from grassroots.cases.services.registry import ACTIONS

    for name, spec in ACTIONS.items():
        operation = schema["paths"][f"/api/v1/cases/{{case_id}}/actions/{name}"]["post"]
        body = operation["requestBody"]["content"]
        if "photos" in spec.inputs:
            fields = body["multipart/form-data"]["schema"]["properties"]
        else:
            ref = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            fields = schema["components"]["schemas"][ref]["properties"]
        assert "expected_version" in fields, name
        wanted = {
            "target": "target",
            "master": "master_id",
            "amount": "amount",
            "card": "card",
            "rating": "rating",
        }
        for given, field in wanted.items():
            assert (field in fields) == (given in spec.inputs), (name, field)
