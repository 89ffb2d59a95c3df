"""Staff entry of a call, hotline ticket, visit or walk-in: the staff page and ``POST /api/v1/cases/entries``
go through one service (``services.case_enter``) with one permission, take the time the call was received, and
make one case per Idempotency-Key of the staff member who entered it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grassroots import clock
from grassroots.cases import rules, services
from grassroots.cases.models import Case, CaseEvent, EventAction, Source

from .conftest import G1, G2, OTHER_COUNTY_GRID, VILLAGE, jpeg_bytes, upload

NOW = timezone.make_aware(dt.datetime(2026, 3, 10, 15, 0))  # a Tuesday


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _frozen():
    with clock.frozen(NOW):
        yield


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def enter_api(client, key="", **fields):
    data = {
        "source": "phone",
        "category": "0901",
        "description": "邻居噪音",
        "area_code": G1,
        "reporter_name": "王女士",
        "reporter_phone": "13812345678",
        **fields,
    }
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/cases/entries", data=data, headers=headers)


def enter_page(client, **fields):
    data = {
        "source": "phone",
        "category": "0901",
        "kind": "problem",
        "description": "邻居噪音",
        "area_code": G1,
        "reporter_name": "王女士",
        "reporter_phone": "13812345678",
        **fields,
    }
    return client.post(reverse("cases:enter"), data)


# --- the API does what the page does ----------------------------------------------------------------------------


def test_a_phone_call_taken_earlier_is_entered_through_the_api_and_counts_from_when_it_was_received(city):
    received = NOW - dt.timedelta(hours=2)
    response = enter_api(
        client_for(city.village), key="call-1", source="hotline", received_at=received.isoformat()
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    # the same case the page makes: channel, caller, the entering staff member, the grid's worker
    assert (case.source, case.area_code, case.reporter_id, case.entered_by) == (
        Source.HOTLINE, G1, None, city.village,
    )  # fmt: skip
    assert (case.reporter_name, case.reporter_phone) == ("王女士", "13812345678")
    assert case.assignee_name == "网格员甲"
    # it counts from when it was received: report time, response deadline and the first timeline line
    assert case.reported_at == received
    assert body["reported_at"] == "2026-03-10T05:00:00Z"  # 13:00 in Beijing
    report = CaseEvent.objects.get(case=case, action=EventAction.REPORT)
    assert report.at == received and report.changes["entered_at"] == NOW.isoformat()
    from grassroots.cases import deadlines

    assert case.response_due_at == deadlines.response_due(case.category, case.urgency, received)
    # the staff member in scope sees the caller's name; the phone never leaves the server whole
    assert body["reporter_name"] == "王女士"
    assert "13812345678" not in response.content.decode()


def test_the_api_entry_takes_a_point_and_photos_like_the_page(city):
    response = enter_api(
        client_for(city.grid_worker),
        source="visit",
        area_code="",
        lon=107.005,
        lat=41.005,
        photos=[upload(jpeg_bytes())],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["area_code"] == G1 and body["routing_method"] and len(body["photos"]) == 1


def test_the_same_key_from_the_same_staff_member_gives_the_first_case_and_another_key_a_new_one(city):
    village = client_for(city.village)
    first = enter_api(village, key="ticket-42")
    again = enter_api(village, key="ticket-42")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["description"] == "邻居噪音"
    # the key is bound to the call it was first sent with (tests/cases/test_idempotency.py)
    changed = enter_api(village, key="ticket-42", description="改过的文字")
    assert changed.status_code == 422 and changed.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1
    assert enter_api(village, key="ticket-43").status_code == 201
    # a key belongs to whoever entered: a colleague's equal key is a case of their own
    other = enter_api(client_for(city.township), key="ticket-42")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert Case.objects.count() == 3


def test_a_key_entered_for_a_caller_is_not_the_staff_members_own_report(city):
    own = services.case_report(
        actor=city.grid_worker, category="0101", description="垃圾", lon=107.005, lat=41.005,
        idempotency_key="k",
    )  # fmt: skip
    entered = services.case_enter(
        actor=city.grid_worker, source=Source.PHONE, category="0901", description="噪音", area_code=G1,
        idempotency_key="k",
    )  # fmt: skip
    assert entered.pk != own.pk and not entered.replayed
    assert services.case_enter(
        actor=city.grid_worker, source=Source.PHONE, category="0901", description="噪音", area_code=G1,
        idempotency_key="k",
    ).pk == entered.pk  # fmt: skip


def test_the_page_sends_its_key_so_a_double_submission_makes_one_case(client, city):
    client.force_login(city.village)
    form = client.get(reverse("cases:enter")).content.decode()
    assert 'name="idempotency_key"' in form and 'name="received_at"' in form
    first = enter_page(client, idempotency_key="page-key-1")
    second = enter_page(client, idempotency_key="page-key-1")
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Case.objects.count() == 1


def test_the_page_takes_the_time_received(client, city):
    client.force_login(city.village)
    response = enter_page(client, received_at="2026-03-10T09:30")
    assert response.status_code == 302
    assert Case.objects.get().reported_at == timezone.make_aware(dt.datetime(2026, 3, 10, 9, 30))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"received_at": (NOW + dt.timedelta(hours=1)).isoformat()}, "received_at"),
        ({"received_at": (NOW - dt.timedelta(days=31)).isoformat()}, "received_at"),
        ({"source": "mobile_web"}, "source"),
        ({"reporter_phone": "123"}, "reporter_phone"),
        ({"area_code": "", "category": "0901"}, "location"),
        ({"category": "9999"}, "category"),
    ],
)
def test_bad_entries_are_refused_with_the_field_named_and_nothing_stored(city, fields, field):
    response = enter_api(client_for(city.village), key="bad", **fields)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_report" and body["message"] and field in body["detail"]
    assert Case.objects.count() == 0


def test_a_future_time_received_is_refused_on_the_page_too(client, city):
    client.force_login(city.village)
    response = client.post(
        reverse("cases:enter"),
        {"source": "phone", "category": "0901", "kind": "problem", "description": "噪音", "area_code": G1,
         "received_at": "2026-03-11T09:30"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 200
    assert "The time received lies in the future" in response.content.decode()
    assert Case.objects.count() == 0


# --- one permission for both ------------------------------------------------------------------------------------

ROLES = ["resident", "grid_worker", "other_grid_worker", "village", "township", "county", "supervisor",
         "leader", "department", "outsider"]  # fmt: skip
# Who may enter a case filed under grid G1, and under a grid of another county (the outsider's village's).
ALLOWED = {
    G1: {"grid_worker", "village", "township", "county", "supervisor"},
    OTHER_COUNTY_GRID: {"outsider"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("where", [G1, OTHER_COUNTY_GRID])
def test_the_page_and_the_api_allow_and_refuse_the_same_people(city, role, where):
    user = getattr(city, role)
    page = enter_page(client_for(user), area_code=where)
    page_made = Case.objects.count()
    api = enter_api(client_for(user), area_code=where, key=f"{role}-{where}")
    api_made = Case.objects.count() - page_made
    allowed = role in ALLOWED[where]
    assert (page.status_code == 302, api.status_code == 201) == (allowed, allowed), (page, api.content)
    assert (page_made, api_made) == ((1, 1) if allowed else (0, 0))
    if not allowed:
        # no entry at all: the page does not exist for them (404) and the API says 403; inside their role but
        # outside their area: the form and the API name the area
        if rules.can_enter_cases(user):
            assert page.status_code == 200 and where in page.content.decode()
            assert api.status_code == 400 and api.json()["detail"] == {"area_code": where}
        else:
            assert page.status_code == 404
            assert api.status_code == 403 and api.json()["code"] == "not_permitted"


def test_a_grid_worker_enters_for_their_own_grid_only(city):
    response = enter_api(client_for(city.grid_worker), area_code=G2)
    assert response.status_code == 400 and response.json()["detail"] == {"area_code": G2}
    assert enter_api(client_for(city.grid_worker), area_code=VILLAGE).status_code == 400
    assert Case.objects.count() == 0


def test_the_schema_lists_the_entry(city):
    schema = client_for(city.village).get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/cases/entries"]["post"]
    assert set(operation["responses"]) >= {"200", "201"}
