"""A scripted tour through every page, API list and export of the register as several roles.

No response body and no log line may carry a whole ID number (18 digits) or mobile number (11 digits)
except a "show in full" answer, and each of those has its audit record.
"""

import io
import json
import logging
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grassroots.accounts.models import AuditLog

pytestmark = pytest.mark.django_db

ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE_PATTERN = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
TOUR_ROLES = [
    "grid_worker",
    "village_staff",
    "township_staff",
    "county_staff",
    "leader",
    "superuser",
    "grid_worker_out",
]


def _text_of(response) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        wb = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
        )
    return body.decode("utf-8", errors="replace")


def _leaks(text: str, secrets: list[str]) -> list[str]:
    found = ID_PATTERN.findall(text) + MOBILE_PATTERN.findall(text)
    return found + [s for s in secrets if s in text or s.lower() in text]


def _tour(client, world):
    """Every GET page and API read, every search kind, both exports. Yields (label, response)."""
    hh, head, place, service = world.household, world.head, world.place, world.service
    gets = [
        reverse("people:home"),
        reverse("people:search"),
        reverse("people:area", args=[hh.area_code]),
        reverse("people:area", args=[hh.area_code[:12]]),
        reverse("people:area", args=[hh.area_code[:9]]),
        reverse("people:household", args=[hh.pk]),
        reverse("people:household_edit", args=[hh.pk]),
        reverse("people:household_move", args=[hh.pk]),
        reverse("people:resident_new", args=[hh.pk]),
        reverse("people:visit_new", args=[hh.pk]),
        reverse("people:resident", args=[head.pk]),
        reverse("people:resident", args=[world.child.pk]),
        reverse("people:resident_edit", args=[head.pk]),
        reverse("people:resident_move", args=[head.pk]),
        reverse("people:service_new", args=[head.pk]),
        reverse("people:visits_due"),
        reverse("people:services"),
        reverse("people:service", args=[service.pk]),
        reverse("people:places"),
        reverse("people:place", args=[place.pk]),
        reverse("people:place_edit", args=[place.pk]),
        reverse("people:duplicates"),
        reverse("people:import"),
        reverse("people:export", args=[hh.area_code]),
        reverse("people:export", args=[hh.area_code[:9]]),
        "/api/v1/people/households",
        f"/api/v1/people/households?area={hh.area_code}",
        f"/api/v1/people/households/{hh.pk}",
        f"/api/v1/people/households/{hh.pk}/members",
        f"/api/v1/people/households/{hh.pk}/visits",
        "/api/v1/people/residents",
        "/api/v1/people/residents?key_group=elderly_alone",
        f"/api/v1/people/residents/{head.pk}",
        f"/api/v1/people/residents/{head.pk}/services",
        f"/api/v1/people/areas/{hh.area_code}",
        f"/api/v1/people/areas/{hh.area_code}/export",
        "/api/v1/people/visits/due",
        "/api/v1/people/services",
        f"/api/v1/people/services/{service.pk}",
        "/api/v1/people/places",
        f"/api/v1/people/places/{place.pk}",
        "/api/v1/people/duplicates",
        "/api/v1/people/imports",
        "/api/v1/openapi.json",
    ]
    for url in gets:
        yield url, client.get(url)
    queries = [
        "王秀英",
        "秀",
        "wxy",
        "wangxiu",
        world.secrets[0],
        world.secrets[0][:6] + "********" + world.secrets[0][-4:],
        "13800138002",
        "0478-8123456",
        "幸福路",
    ]
    for q in queries:
        yield f"search {q[:3]}", client.post(reverse("people:search"), {"q": q, "field": "auto"})
        yield (
            f"api search {q[:3]}",
            client.post("/api/v1/people/search", json.dumps({"q": q}), content_type="application/json"),
        )
    yield "address", client.post(reverse("people:search"), {"q": "幸福", "field": "address"})


@pytest.mark.parametrize("role", TOUR_ROLES)
def test_no_unmasked_number_anywhere_but_show_in_full(client, world, role, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(world.users[role])
    visited = 0
    for label, response in _tour(client, world):
        visited += 1
        assert response.status_code in {200, 403, 404}, (label, response.status_code)
        leaks = _leaks(_text_of(response), world.secrets)
        assert not leaks, f"{role} saw {leaks} on {label}"
    assert visited > 60
    # show in full: the only answers with whole numbers, each audited
    before = AuditLog.objects.filter(action="people.reveal").count()
    revealed = 0
    for response in (
        client.post(
            reverse("people:resident_reveal", args=[world.head.pk]),
            {"fields": ["id_number", "phone"], "reason": "核对救助信息"},
        ),
        client.post(
            f"/api/v1/people/residents/{world.head.pk}/reveal",
            json.dumps({"fields": ["id_number"], "reason": "核对救助信息"}),
            content_type="application/json",
        ),
        client.post(
            reverse("people:household_reveal", args=[world.household.pk]),
            {"fields": ["phone"], "reason": "联系户主家属"},
        ),
        client.post(
            reverse("people:place_reveal", args=[world.place.pk]), {"fields": ["phone"], "reason": "联系店主"}
        ),
    ):
        if response.status_code == 200:
            revealed += 1
            assert response["Cache-Control"].startswith("no-store")
            assert world.secrets[0] in _text_of(response) or "138001380" in _text_of(response)
        else:
            assert not _leaks(_text_of(response), world.secrets)
    assert AuditLog.objects.filter(action="people.reveal").count() - before == revealed
    assert revealed == (4 if role in {"grid_worker", "village_staff", "township_staff"} else 0)
    # and nothing in the log
    assert not _leaks(caplog.text, world.secrets)


def test_exports_are_masked_marked_and_logged(client, world):
    staff = world.users["township_staff"]
    client.force_login(staff)
    response = client.get(reverse("people:export", args=[world.household.area_code]))
    text = _text_of(response)
    assert "导出人：" in text and staff.get_username() in text
    assert world.secrets[0][:6] + "********" + world.secrets[0][-4:] in text
    assert "138****8002" in text and "138****8003" in text  # the number typed into a note is masked too
    record = AuditLog.objects.filter(action="people.export").latest("id")
    assert record.actor == staff and record.detail["rows"] == 2 and record.detail["masked"] is True


def test_import_error_reports_and_admin_pages_carry_masks_only(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from grassroots.people.services.transfer import COLUMNS

    staff = world.users["township_staff"]
    client.force_login(staff)
    wb = Workbook()
    ws = wb.active
    ws.append([h for _k, h, _r in COLUMNS])
    bad = world.secrets[0][:-1] + ("1" if world.secrets[0][-1] != "1" else "2")
    for number in (bad, world.secrets[2], world.secrets[2]):
        row = {"grid_code": world.household.area_code, "household_number": "009", "address": "x", "name": "甲",
               "id_number": number, "relation": "其他", "phone": "1390013900"}  # fmt: skip
        ws.append([row.get(k, "") for k, _h, _r in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    response = client.post(reverse("people:import"), {"area_code": world.household.area_code[:9],
                                                      "file": SimpleUploadedFile("a.xlsx", out.getvalue())})  # fmt: skip
    assert response.status_code == 302
    secrets = [*world.secrets, bad]
    for url in (response["Location"], "/api/v1/people/imports", reverse("people:import")):
        text = _text_of(client.get(url))
        assert "身份证号" in text or "id_number" in text or "a.xlsx" in text
        assert not _leaks(text, secrets), url
    client.force_login(world.users["superuser"])
    for url in ("/admin/people/resident/", f"/admin/people/resident/{world.head.pk}/change/",
                "/admin/people/household/", f"/admin/people/household/{world.household.pk}/change/",
                "/admin/people/place/", f"/admin/people/place/{world.place.pk}/change/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert not _leaks(_text_of(response), secrets), url
