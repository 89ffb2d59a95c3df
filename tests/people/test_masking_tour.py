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
# What each role may open in the tour's world: the permission matrix of grassroots/people/rules.py, written
# out. Every visit must load (200) except where a role's row says otherwise: 404 where the register, the area
# or the record does not exist for the role (outside its scope, or no register role at all), 403 where it
# exists but the role may not do this. A 403 or 404 anywhere else fails the tour, so a broken page or a
# refusal cannot pass for "not found" and hide what the page would have shown.
#
# Kinds of visit (see _tour):
#   page       register pages that list what is in scope (home, search, visits due, services, duplicates,
#              import) and the searches posted to the search page
#   api_list   API lists and searches, and the OpenAPI document: every logged-in user, filtered to scope
#   places     the list of places and organisations (every staff role)
#   grid, village, township   the register of the household's grid, village, township
#   record     a household, a resident, a proxy service (page and API)
#   write      the forms that change households and residents, record visits and services
#   place      a place (page and API); place_write: its edit form
#   export     the grid's export (page and API); township_export: the township's
#   reveal     "show in full" of the household's, a resident's, the place's numbers (checked separately)
KINDS = (
    "page", "api_list", "places", "grid", "village", "township", "record", "write", "place", "place_write",
    "export", "township_export", "reveal", "place_reveal",
)  # fmt: skip
NOT_FOUND, REFUSED = 404, 403
_NO_REGISTER = dict.fromkeys(set(KINDS) - {"api_list"}, NOT_FOUND)
NOT_200: dict[str, dict[str, int]] = {
    # the grid's own worker: above the grid nothing exists for them; no export, no places' edits
    "grid_worker": {
        "village": NOT_FOUND,
        "township": NOT_FOUND,
        "township_export": NOT_FOUND,
        "export": REFUSED,
        "place_write": REFUSED,
    },
    "village_staff": {"township": NOT_FOUND, "township_export": NOT_FOUND},
    "township_staff": {},
    # reading roles above: the register in full, masked, but no changes and no "show in full"
    "county_staff": {"write": REFUSED, "place_write": REFUSED, "reveal": REFUSED, "place_reveal": REFUSED},
    "leader": {
        "write": REFUSED,
        "place_write": REFUSED,
        "export": REFUSED,
        "township_export": REFUSED,
        "reveal": REFUSED,
        "place_reveal": REFUSED,
    },
    "supervisor": {
        "write": REFUSED,
        "place_write": REFUSED,
        "export": REFUSED,
        "township_export": REFUSED,
        "reveal": REFUSED,
        "place_reveal": REFUSED,
    },
    "administrator": {"write": REFUSED, "reveal": REFUSED, "place_reveal": REFUSED},
    # unrestricted, but "show in full" needs a serving role's grant
    "superuser": {"reveal": REFUSED, "place_reveal": REFUSED},
    # the same role in another village: the household, its areas and the place do not exist for them
    "grid_worker_out": dict.fromkeys(
        (
            "grid",
            "village",
            "township",
            "record",
            "write",
            "place",
            "place_write",
            "export",
            "township_export",
            "reveal",
            "place_reveal",
        ),
        NOT_FOUND,
    ),
    # no register role: the register does not exist (the API's lists answer, empty); a department handler
    # reads the places of its area but may not change them
    "department_handler": {
        **_NO_REGISTER,
        "places": 200,
        "place": 200,
        "place_write": REFUSED,
        "place_reveal": REFUSED,
    },
    "resident": _NO_REGISTER,
}
TOUR_ROLES = list(NOT_200)
# Roles for which the household and its people do not exist: their names appear in no answer either.
OUTSIDERS = {"grid_worker_out", "department_handler", "resident"}


def expected_status(role: str, kind: str) -> int:
    return NOT_200[role].get(kind, 200)


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
    """Every GET page and API read, every search kind, both exports. Yields (label, kind, response)."""
    hh, head, place, service = world.household, world.head, world.place, world.service
    gets = [
        ("page", reverse("people:home")),
        ("page", reverse("people:search")),
        ("grid", reverse("people:area", args=[hh.area_code])),
        ("village", reverse("people:area", args=[hh.area_code[:12]])),
        ("township", reverse("people:area", args=[hh.area_code[:9]])),
        ("record", reverse("people:household", args=[hh.pk])),
        ("write", reverse("people:household_edit", args=[hh.pk])),
        ("write", reverse("people:household_move", args=[hh.pk])),
        ("write", reverse("people:resident_new", args=[hh.pk])),
        ("write", reverse("people:visit_new", args=[hh.pk])),
        ("record", reverse("people:resident", args=[head.pk])),
        ("record", reverse("people:resident", args=[world.child.pk])),
        ("write", reverse("people:resident_edit", args=[head.pk])),
        ("write", reverse("people:resident_move", args=[head.pk])),
        ("write", reverse("people:service_new", args=[head.pk])),
        ("page", reverse("people:visits_due")),
        ("page", reverse("people:services")),
        ("record", reverse("people:service", args=[service.pk])),
        ("places", reverse("people:places")),
        ("place", reverse("people:place", args=[place.pk])),
        ("place_write", reverse("people:place_edit", args=[place.pk])),
        ("page", reverse("people:duplicates")),
        ("page", reverse("people:import")),
        ("export", reverse("people:export", args=[hh.area_code])),
        ("township_export", reverse("people:export", args=[hh.area_code[:9]])),
        ("api_list", "/api/v1/people/households"),
        ("api_list", f"/api/v1/people/households?area={hh.area_code}"),
        ("record", f"/api/v1/people/households/{hh.pk}"),
        ("record", f"/api/v1/people/households/{hh.pk}/members"),
        ("record", f"/api/v1/people/households/{hh.pk}/visits"),
        ("api_list", "/api/v1/people/residents"),
        ("api_list", "/api/v1/people/residents?key_group=elderly_alone"),
        ("record", f"/api/v1/people/residents/{head.pk}"),
        ("record", f"/api/v1/people/residents/{head.pk}/services"),
        ("grid", f"/api/v1/people/areas/{hh.area_code}"),
        ("export", f"/api/v1/people/areas/{hh.area_code}/export"),
        ("api_list", "/api/v1/people/visits/due"),
        ("api_list", "/api/v1/people/services"),
        ("record", f"/api/v1/people/services/{service.pk}"),
        ("api_list", "/api/v1/people/places"),
        ("place", f"/api/v1/people/places/{place.pk}"),
        ("api_list", "/api/v1/people/duplicates"),
        ("api_list", "/api/v1/people/imports"),
        ("api_list", "/api/v1/openapi.json"),
    ]
    for kind, url in gets:
        yield url, kind, client.get(url)
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
        yield f"search {q[:3]}", "page", client.post(reverse("people:search"), {"q": q, "field": "auto"})
        yield (
            f"api search {q[:3]}",
            "api_list",
            client.post("/api/v1/people/search", json.dumps({"q": q}), content_type="application/json"),
        )
    yield "address", "page", client.post(reverse("people:search"), {"q": "幸福", "field": "address"})


def test_the_matrix_names_only_kinds_the_tour_visits():
    assert {kind for row in NOT_200.values() for kind in row} <= set(KINDS)
    assert set(NOT_200) == {*TOUR_ROLES}


@pytest.mark.parametrize("role", TOUR_ROLES)
def test_no_unmasked_number_anywhere_but_show_in_full(client, world, role, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(world.users[role])
    seen_kinds = set()
    for label, kind, response in _tour(client, world):
        seen_kinds.add(kind)
        assert response.status_code == expected_status(role, kind), (label, kind, response.status_code)
        text = _text_of(response)
        leaks = _leaks(text, world.secrets)
        assert not leaks, f"{role} saw {leaks} on {label}"
        if role in OUTSIDERS and not label.startswith(("search", "api search", "address")):
            assert world.head.name not in text and world.child.name not in text, (role, label)
    assert seen_kinds == set(KINDS) - {"reveal", "place_reveal"}
    # show in full: the only answers with whole numbers, each audited
    before = AuditLog.objects.filter(action="people.reveal").count()
    revealed = 0
    for kind, response in (
        (
            "reveal",
            client.post(
                reverse("people:resident_reveal", args=[world.head.pk]),
                {"fields": ["id_number", "phone"], "reason": "核对救助信息"},
            ),
        ),
        (
            "reveal",
            client.post(
                f"/api/v1/people/residents/{world.head.pk}/reveal",
                json.dumps({"fields": ["id_number"], "reason": "核对救助信息"}),
                content_type="application/json",
            ),
        ),
        (
            "reveal",
            client.post(
                reverse("people:household_reveal", args=[world.household.pk]),
                {"fields": ["phone"], "reason": "联系户主家属"},
            ),
        ),
        (
            "place_reveal",
            client.post(
                reverse("people:place_reveal", args=[world.place.pk]),
                {"fields": ["phone"], "reason": "联系店主"},
            ),
        ),
    ):
        assert response.status_code == expected_status(role, kind), (kind, response.status_code)
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
    assert response.status_code == 200
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
        page = client.get(url)
        assert page.status_code == 200, url  # a leak must not hide behind a refusal or a missing page
        text = _text_of(page)
        assert "身份证号" in text or "id_number" in text or "a.xlsx" in text
        assert not _leaks(text, secrets), url
    client.force_login(world.users["superuser"])
    for url in ("/admin/people/resident/", f"/admin/people/resident/{world.head.pk}/change/",
                "/admin/people/household/", f"/admin/people/household/{world.household.pk}/change/",
                "/admin/people/place/", f"/admin/people/place/{world.place.pk}/change/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert not _leaks(_text_of(response), secrets), url
