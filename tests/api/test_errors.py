"""Every error of the API has one format, ``{"code", "message"}`` (and ``detail`` where there is more to say),
with a fitting status: CSRF failures, unreadable JSON, invalid input, unknown paths and methods, refusals,
a rejected import. The handlers are one set, in ``grassroots/api/api.py``."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from openpyxl import Workbook

from grassroots.people.models import RegisterImport
from grassroots.people.services import transfer
from tests.deliberation.factories import VILLAGE

pytestmark = pytest.mark.django_db


def _error(response, status: int, code: str, *, report: bool = False) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"].strip(), body
    if not report:  # a rejected import's report stands beside code and message, where it stood before
        assert set(body) <= {"code", "message", "detail"}, body
    return body


def test_a_csrf_failure_is_403_csrf_failed_in_the_callers_language(world):
    client = Client(enforce_csrf_checks=True, headers={"Accept-Language": "zh-hans"})
    client.force_login(world.village_staff)
    body = _error(client.post("/api/v1/notifications/read-all"), 403, "csrf_failed")
    assert "刷新" in body["message"]
    client = Client(enforce_csrf_checks=True, headers={"Accept-Language": "en"})
    client.force_login(world.village_staff)
    body = _error(client.post("/api/v1/notifications/read-all"), 403, "csrf_failed")
    assert "reload" in body["message"].lower()


def test_with_a_session_and_its_csrf_token_a_post_goes_through(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.village_staff)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    response = client.post("/api/v1/notifications/read-all", headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.content


def test_without_a_session_a_post_is_401_unauthenticated_not_a_csrf_failure(world):
    client = Client(enforce_csrf_checks=True)
    _error(client.post("/api/v1/notifications/read-all"), 401, "unauthenticated")
    _error(
        client.post("/api/v1/people/search", {"q": "张"}, content_type="application/json"),
        401,
        "unauthenticated",
    )


def test_unreadable_json_is_400_unreadable_body(as_caller):
    client = as_caller("village_staff")
    for body in ('{"q": ', "not json", b"\xff\xfe{", "[1, 2"):
        response = client.post("/api/v1/people/search", body, content_type="application/json")
        _error(response, 400, "unreadable_body")


def test_invalid_input_is_422_invalid_with_the_fields_in_detail(as_caller):
    body = _error(
        as_caller("village_staff").post("/api/v1/people/search", {"q": 5}, content_type="application/json"),
        422,
        "invalid",
    )
    assert body["detail"]


def test_an_unknown_path_under_the_api_is_404_not_found_as_json(as_caller):
    _error(as_caller("village_staff").get("/api/v1/no-such-thing"), 404, "not_found")
    _error(Client().post("/api/v1/cases/nothing/here", {}), 404, "not_found")
    _error(Client().get("/api/v1/"), 404, "not_found")


def test_a_known_path_without_a_trailing_slash_still_leads_to_it():
    response = Client().get("/api/v1/cases")
    assert response.status_code == 301 and response["Location"].endswith("/api/v1/cases/")


def test_a_method_the_path_does_not_take_is_405_method_not_allowed(as_caller):
    response = as_caller("village_staff").delete("/api/v1/accounts/me")
    body = _error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"] and body


def test_a_refusal_is_403_not_permitted_and_out_of_scope_is_404(world, as_caller):
    _error(as_caller("resident").get("/api/v1/workforce/roster/template"), 403, "not_permitted")
    _error(
        as_caller("resident").get(f"/api/v1/people/households/{world.ids['household_id'][0]}"),
        404,
        "not_found",
    )
    _error(Client().get("/api/v1/accounts/me"), 401, "unauthenticated")


def _register_sheet(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append([h for _k, h, _r in transfer.COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("登记表.xlsx", out.getvalue(), content_type=transfer.XLSX)


def test_a_rejected_register_import_is_422_import_rejected_with_its_report(world, as_caller):
    bad_row = [
        {"grid_code": "999", "name": "张三", "id_number": "123"}.get(k, "") for k, _h, _r in transfer.COLUMNS
    ]
    response = as_caller("village_staff").post(
        "/api/v1/people/imports", {"area_code": VILLAGE, "file": _register_sheet([bad_row])}
    )
    body = _error(response, 422, "import_rejected", report=True)
    record = RegisterImport.objects.get()
    assert record.status == "rejected"
    assert body["id"] == record.pk and body["error_count"] == record.error_count > 0
    assert body["errors"][0]["message"] and str(record.error_count) in body["message"]
