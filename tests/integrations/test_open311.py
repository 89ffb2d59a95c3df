"""Open311 GeoReport v2 conformance: every operation in JSON and XML, every error the specification names,
answers checked against its field lists (tests/integrations/open311_spec.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from grassroots.accounts.models import Role
from grassroots.areas.models import Area
from grassroots.cases.models import Case, CaseEvent, State
from grassroots.cases.services import case_accept, case_report
from grassroots.integrations import statuses
from grassroots.integrations.models import Open311Submission
from grassroots.integrations.services.keys import api_key_issue, api_key_revoke
from tests.cases.conftest import COUNTY, G1, G2, INSIDE_G1, INSIDE_G2, TOWNSHIP

from . import open311_spec as spec

pytestmark = pytest.mark.django_db
FORMATS = ("json", "xml")
ROOT = "/open311/v2"


@pytest.fixture(autouse=True)
def _no_sampling(settings):
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"


def get(client: Client, path: str, fmt: str, **params):
    return client.get(f"{ROOT}/{path}.{fmt}", params)


def post(client: Client, path: str, fmt: str, query: str = "", **fields):
    return client.post(f"{ROOT}/{path}.{fmt}{query}", fields)


def report_fields(raw: str, **more) -> dict:
    lon, lat = INSIDE_G1
    return {
        "api_key": raw,
        "service_code": "0101",
        "description": "垃圾堆在路口三天了",
        "lat": str(lat),
        "long": str(lon),
        **more,
    }


def assert_error(response, status: int):
    assert response.status_code == status, response.content
    body = spec.read(response, "errors")
    assert isinstance(body, list) and body
    for error in body:
        assert set(error) == spec.ERROR
        assert spec.plain(error["code"]) == str(status) and error["description"]


def assert_request_fields(row: dict):
    assert set(row) == spec.REQUEST
    assert row["status"] in ("open", "closed")
    for name in ("requested_datetime", "updated_datetime"):
        assert spec.W3C_WITH_ZONE.match(row[name]), row[name]
    if row["expected_datetime"]:
        assert spec.W3C_WITH_ZONE.match(row["expected_datetime"])


def county_case(city, description="路灯不亮", point=INSIDE_G1) -> Case:
    return case_report(
        actor=city.resident, category="0206", description=description, lon=point[0], lat=point[1]
    )


# --- discovery and services ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_specification_and_both_formats(client, fmt):
    response = get(client, "discovery", fmt)
    assert response.status_code == 200
    body = spec.read(response, "discovery")
    assert set(body) == spec.DISCOVERY
    (endpoint,) = body["endpoints"]
    assert set(endpoint) == spec.DISCOVERY_ENDPOINT
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert spec.W3C_WITH_ZONE.match(body["changeset"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_service_types_without_sub_types(city, client, fmt):
    response = get(client, "services", fmt)
    assert response.status_code == 200
    body = spec.read(response, "services")
    assert body and all(set(row) == spec.SERVICE for row in body)
    by_code = {row["service_code"]: row for row in body}
    assert by_code["0101"]["service_name"] == "乱扔垃圾、暴露垃圾"
    assert by_code["0101"]["group"] == "市容环境"
    assert spec.plain(by_code["0101"]["metadata"]) == "true"
    assert by_code["0101"]["type"] in ("realtime", "batch", "blackbox")
    assert "01" not in by_code  # a group, not a service


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_lists_its_attributes(city, client, fmt):
    response = get(client, "services/0101", fmt)
    assert response.status_code == 200
    body = spec.read(response, "service_definition")
    assert set(body) == spec.SERVICE_DEFINITION and body["service_code"] == "0101"
    codes = []
    for attribute in body["attributes"]:
        assert set(attribute) == spec.ATTRIBUTE
        assert attribute["datatype"] in spec.DATATYPES
        assert spec.plain(attribute["variable"]) == "true"
        assert all(set(value) == spec.ATTRIBUTE_VALUE for value in attribute["values"])
        codes.append(attribute["code"])
    assert codes == ["kind", "urgency", "anonymous"]
    urgency = next(a for a in body["attributes"] if a["code"] == "urgency")
    assert {v["key"] for v in urgency["values"]} == {"normal", "urgent", "emergency"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_service_is_404(city, client, fmt):
    assert_error(get(client, "services/9999", fmt), 404)
    assert_error(get(client, "services/01", fmt), 404)  # a group


# --- POST requests ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_posted_request_goes_through_intake_and_answers_its_id_and_token(city, county_key, client, fmt):
    _key, raw = county_key
    response = post(client, "requests", fmt, **report_fields(raw, media_url="https://img.example/1.jpg"))
    assert response.status_code == 200, response.content
    (row,) = spec.read(response, "requests")
    assert spec.POSTED <= set(row) <= spec.POSTED | {"token"}
    case = Case.objects.get()
    assert row["service_request_id"] == case.reference
    assert case.source == "api" and case.area_code == G1 and case.state == State.REPORTED
    assert case.reporter is None and case.entered_by == _key.account
    assert case.events.filter(action="report").exists()  # the intake's first timeline row

    token = spec.read(get(client, f"tokens/{row['token']}", fmt, api_key=raw), "requests")
    assert token == [{"service_request_id": case.reference, "token": row["token"]}]
    (one,) = spec.read(get(client, f"requests/{case.reference}", fmt, api_key=raw), "requests")
    assert_request_fields(one)
    assert one["service_code"] == "0101" and one["status"] == "open"
    assert one["media_url"] == "https://img.example/1.jpg"
    assert one["address_id"] == G1


def test_the_key_may_come_in_the_query_and_the_location_as_an_area_or_an_address(city, county_key, client):
    _key, raw = county_key
    fields = report_fields("", address_id=G2)
    del fields["api_key"], fields["lat"], fields["long"]
    assert post(client, "requests", "json", query=f"?api_key={raw}", **fields).status_code == 200
    fields = report_fields(raw, address_string="人民路12号")
    del fields["lat"], fields["long"]
    assert post(client, "requests", "json", **fields).status_code == 200
    by_area = dict(Case.objects.values_list("area_code", "address"))
    assert by_area == {G2: "", COUNTY: "人民路12号"}  # an address alone lands in the key's area inbox


def test_attributes_set_the_report_kind_urgency_and_anonymity(city, county_key, client):
    _key, raw = county_key
    fields = report_fields(raw, **{"attribute[urgency]": "urgent", "attribute[kind]": "suggestion",
                                   "attribute[anonymous]": "true"})  # fmt: skip
    assert post(client, "requests", "json", **fields).status_code == 200
    case = Case.objects.get()
    assert (case.urgency, case.kind, case.is_anonymous) == ("urgent", "suggestion", True)


def test_a_resend_with_the_same_idempotency_key_files_once(city, county_key, client):
    _key, raw = county_key
    first = client.post(f"{ROOT}/requests.json", report_fields(raw), HTTP_IDEMPOTENCY_KEY="order-77")
    again = client.post(f"{ROOT}/requests.json", report_fields(raw), HTTP_IDEMPOTENCY_KEY="order-77")
    assert first.json() == again.json()
    assert Case.objects.count() == 1 and Open311Submission.objects.count() == 1


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"api_key": None}, 403),
        ({"api_key": "grk_not-a-key"}, 403),
        ({"service_code": None}, 400),
        ({"service_code": "9999"}, 400),
        ({"lat": None, "long": None}, 400),
        ({"long": None}, 400),
        ({"lat": "north"}, 400),
        ({"lat": "95"}, 400),
        ({"description": None}, 400),
        ({"attribute[urgency]": "soon"}, 400),
        ({"attribute[colour]": "red"}, 400),
        ({"media_url": "javascript:alert(1)"}, 400),
        ({"lat": str(41.005), "long": str(108.005)}, 400),  # a point in the neighbouring county
        ({"address_id": "150826100200001", "lat": None, "long": None}, 400),
        ({"jurisdiction_id": "150826"}, 404),
        ({"jurisdiction_id": "999999"}, 404),
    ],
)
def test_a_refused_post_writes_nothing(city, county_key, client, fmt, change, status):
    _key, raw = county_key
    fields = report_fields(raw)
    for name, value in change.items():
        if value is None:
            fields.pop(name, None)
        else:
            fields[name] = value
    assert_error(post(client, "requests", fmt, **fields), status)
    assert not Case.objects.exists() and not Open311Submission.objects.exists()


def test_a_post_that_is_not_a_form_is_400(city, county_key, client):
    _key, raw = county_key
    response = client.post(
        f"{ROOT}/requests.json?api_key={raw}", report_fields(raw), content_type="application/json"
    )
    assert_error(response, 400)
    assert not Case.objects.exists()


def test_a_revoked_key_is_refused(city, county_key, client):
    key, raw = county_key
    api_key_revoke(actor=None, key=key)
    assert_error(post(client, "requests", "xml", **report_fields(raw)), 403)
    assert_error(get(client, "requests", "xml", api_key=raw), 403)


def test_a_key_past_its_rate_is_told_when_to_come_back(city, client):
    _key, raw = api_key_issue(
        actor=None, name="慢", area=Area.objects.get(code=COUNTY), role=Role.COUNTY_STAFF, rate_per_minute=2
    )
    for _ in range(2):
        assert get(client, "requests", "json", api_key=raw).status_code == 200
    refused = get(client, "requests", "json", api_key=raw)
    assert_error(refused, 429)
    assert int(refused["Retry-After"]) >= 1


# --- GET requests -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_are_listed_newest_first_with_the_specifications_fields(city, county_key, client, fmt):
    _key, raw = county_key
    first = county_case(city, "第一件")
    second = county_case(city, "第二件", point=INSIDE_G2)
    Case.objects.filter(pk=first.pk).update(reported_at=second.reported_at - dt.timedelta(hours=1))
    rows = spec.read(get(client, "requests", fmt, api_key=raw), "requests")
    for row in rows:
        assert_request_fields(row)
    assert [r["description"] for r in rows] == ["第二件", "第一件"]
    assert rows[0]["agency_responsible"]  # the area that has it now, by name


def test_requests_filter_by_id_list_service_status_and_dates(city, county_key, client):
    _key, raw = county_key
    lamp = county_case(city, "路灯")
    litter = case_report(
        actor=city.resident, category="0101", description="垃圾", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
    )
    case_accept(actor=city.village, case=litter, expected_version=litter.version)
    old = county_case(city, "旧事")
    Case.objects.filter(pk=old.pk).update(reported_at=old.reported_at - dt.timedelta(days=200))
    old = Case.objects.get(pk=old.pk)

    def ids(**params):
        return {
            r["service_request_id"] for r in get(client, "requests", "json", api_key=raw, **params).json()
        }

    assert ids() == {lamp.reference, litter.reference}  # the last 90 days
    assert ids(service_request_id=f"{lamp.reference},{old.reference}") == {lamp.reference, old.reference}
    assert ids(service_code="0101") == {litter.reference}
    assert ids(status="open") == {lamp.reference, litter.reference}
    assert ids(status="closed") == set()
    assert ids(status="investigating") == {litter.reference}  # an extended status
    around = {"start_date": (old.reported_at - dt.timedelta(days=1)).isoformat(),
              "end_date": (old.reported_at + dt.timedelta(days=1)).isoformat()}  # fmt: skip
    assert ids(**around) == {old.reference}


def test_requests_are_paged_and_never_more_than_1000(city, county_key, client):
    _key, raw = county_key
    made = [county_case(city, f"第{i}件") for i in range(3)]
    page1 = get(client, "requests", "json", api_key=raw, page_size=2).json()
    page2 = get(client, "requests", "json", api_key=raw, page_size=2, page=2).json()
    assert len(page1) == 2 and len(page2) == 1
    assert {r["service_request_id"] for r in page1 + page2} == {c.reference for c in made}
    assert_error(get(client, "requests", "json", api_key=raw, page_size=1001), 400)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "params",
    [
        {"status": "maybe"},
        {"start_date": "yesterday"},
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"},  # > 90 days
        {"start_date": "2026-02-01T00:00:00+08:00", "end_date": "2026-01-01T00:00:00+08:00"},
        {"page": "0"},
        {"page_size": "many"},
    ],
)
def test_bad_filters_are_400(city, county_key, client, fmt, params):
    _key, raw = county_key
    assert_error(get(client, "requests", fmt, api_key=raw, **params), 400)


@pytest.mark.parametrize("fmt", FORMATS)
def test_reads_need_a_key(city, client, fmt):
    assert_error(get(client, "requests", fmt), 403)
    assert_error(get(client, "requests/202601010000001", fmt), 403)
    assert_error(get(client, "tokens/abc", fmt), 403)
    assert_error(get(client, "servicerequestupdates", fmt), 403)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_sees_nothing_outside_its_area(city, county_key, other_key, client, fmt):
    _key, raw = county_key
    _other, other_raw = other_key
    response = post(client, "requests", fmt, **report_fields(raw))
    (row,) = spec.read(response, "requests")
    assert spec.read(get(client, "requests", fmt, api_key=other_raw), "requests") == []
    assert_error(get(client, f"requests/{row['service_request_id']}", fmt, api_key=other_raw), 404)
    assert_error(get(client, f"tokens/{row['token']}", fmt, api_key=other_raw), 404)
    assert spec.read(get(client, "servicerequestupdates", fmt, api_key=other_raw), "updates") == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_requests_and_tokens_are_404(city, county_key, client, fmt):
    _key, raw = county_key
    case = county_case(city)
    assert_error(get(client, "requests/2020010100000001", fmt, api_key=raw), 404)
    assert_error(get(client, f"requests/{case.reference}9", fmt, api_key=raw), 404)
    assert_error(get(client, "requests/abc", fmt, api_key=raw), 404)
    assert_error(get(client, "tokens/00000000-0000-0000-0000-000000000000", fmt, api_key=raw), 404)


def test_an_empty_jurisdiction_is_absent_and_a_named_one_narrows(city, county_key, client):
    _key, raw = county_key
    case = county_case(city)
    everything = get(client, "requests", "json", api_key=raw).json()
    assert get(client, "requests", "json", api_key=raw, jurisdiction_id="").json() == everything
    assert [r["service_request_id"] for r in everything] == [case.reference]
    assert len(get(client, "requests", "json", api_key=raw, jurisdiction_id=TOWNSHIP).json()) == 1
    Area.objects.get_or_create(
        code="150825200",
        defaults={"name": "别的乡", "level": 4, "kind": "township", "parent": Area.objects.get(code=COUNTY)},
    )
    assert get(client, "requests", "json", api_key=raw, jurisdiction_id="150825200").json() == []
    assert_error(get(client, "requests", "json", api_key=raw, jurisdiction_id="150826"), 404)
    assert get(client, "services", "json", jurisdiction_id="").status_code == 200
    assert_error(get(client, "services", "json", jurisdiction_id="99"), 404)


def test_nothing_private_leaves(city, county_key, client):
    _key, raw = county_key
    fields = report_fields(raw, description="电话13812345678，身份证11010519491231002X", first_name="小明",
                           last_name="王", phone="13900001111", account_id="wx-42")  # fmt: skip
    post(client, "requests", "json", **fields)
    for fmt in FORMATS:
        text = get(client, "requests", fmt, api_key=raw).content.decode()
        assert "13812345678" not in text and "11010519491231002X" not in text
        assert "138****5678" in text
        assert "王" not in text and "小明" not in text and "13900001111" not in text and "wx-42" not in text


# --- servicerequestupdates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_updates_list_the_reporters_timeline_with_extended_statuses(city, county_key, client, fmt):
    _key, raw = county_key
    case = county_case(city)
    case_accept(actor=city.village, case=case, expected_version=case.version, note="内部备注")
    CaseEvent.objects.filter(case=case, action="accept").update(internal=False)
    internal = CaseEvent.objects.create(case=case, action="note", area_code=case.area_code, note="仅工作人员",
                                        internal=True, at=case.reported_at)  # fmt: skip
    rows = spec.read(get(client, "servicerequestupdates", fmt, api_key=raw), "updates")
    assert all(set(row) - {"external_status_code"} == spec.UPDATE for row in rows)
    assert [r["status"] for r in rows] == ["open", "investigating"]
    assert str(internal.pk) not in {r["update_id"] for r in rows}
    assert all(spec.W3C_WITH_ZONE.match(r["updated_datetime"]) for r in rows)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_posted_update_moves_the_case_through_the_workflow(city, county_key, client, fmt):
    _key, raw = county_key
    case = county_case(city)
    response = post(client, "servicerequestupdates", fmt, api_key=raw, service_request_id=case.reference,
                    status="investigating", description="已受理")  # fmt: skip
    assert response.status_code == 200, response.content
    (row,) = spec.read(response, "updates")
    event = CaseEvent.objects.get(pk=int(row["update_id"]))
    assert event.action == "accept" and event.note == "已受理"
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED


@pytest.mark.parametrize("fmt", FORMATS)
def test_refused_updates(city, county_key, other_key, client, fmt):
    _key, raw = county_key
    _other, other_raw = other_key
    case = county_case(city)

    def send(key=raw, **fields):
        return post(client, "servicerequestupdates", fmt, api_key=key, **fields)

    assert_error(send(status="investigating"), 400)  # no service_request_id
    assert_error(send(service_request_id=case.reference, status="someday"), 400)
    assert_error(
        send(service_request_id=case.reference, status="in_progress"), 400
    )  # not an outside system's
    assert_error(send(service_request_id=case.reference, status="no_further_action"), 400)  # needs a reason
    assert_error(send(service_request_id=case.reference, status="closed"), 400)  # not from reported
    assert_error(send(key=other_raw, service_request_id=case.reference, status="investigating"), 404)
    assert_error(send(key="grk_wrong", service_request_id=case.reference, status="investigating"), 403)
    assert Case.objects.get(pk=case.pk).state == State.REPORTED and case.events.count() == 1


# --- HTTP around the operations -----------------------------------------------------------------------------


def test_methods_not_taken_and_unknown_addresses(city, client):
    response = client.delete(f"{ROOT}/services.json")
    assert_error(response, 405)
    assert response["Allow"] == "GET"
    assert_error(client.get(f"{ROOT}/nothing.xml"), 404)
    assert_error(client.get(f"{ROOT}/services.yaml"), 404)


def test_the_status_table_covers_every_state_and_names_real_actions():
    from grassroots.cases.services.registry import ACTIONS

    for state in State.values:
        assert statuses.row_for(state).state == state
    for row in statuses.STATUSES:
        assert row.action_in is None or row.action_in in ACTIONS
        assert row.open311 in ("open", "closed")
    assert statuses.row_for(State.CLOSED, "merged").extended == "duplicate"
    assert len(set(statuses.EXTENDED)) == len(statuses.EXTENDED)
