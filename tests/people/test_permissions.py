"""Permission matrix: role × inside / outside scope for the register's pages, API calls, searches and exports.

Inside scope with the permission → allowed; inside scope with a role that may only read → 403; outside scope
(or a role that never sees the register: residents, department handlers) → 404. A denied write changes nothing.
"""

import json

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from grassroots.accounts.models import AuditLog
from grassroots.people.models import Household, KeyGroupLabel, ProxyService, Resident

pytestmark = pytest.mark.django_db

READERS = {
    "grid_worker",
    "village_staff",
    "township_staff",
    "county_staff",
    "leader",
    "supervisor",
    "administrator",
    "superuser",
}
WRITERS = {"grid_worker", "village_staff", "township_staff", "superuser"}
TRANSFER = {"village_staff", "township_staff", "county_staff", "administrator", "superuser"}
REVEAL = {"grid_worker", "village_staff", "township_staff"}
MERGE = {"village_staff", "township_staff", "superuser"}
OUTSIDE = {"grid_worker_out", "village_staff_out", "county_staff_out", "department_handler", "resident"}
ALL = READERS | OUTSIDE


def _read_expect(role, allowed=READERS):
    return 200 if role in allowed else 404


def _write_expect(role, allowed=WRITERS, ok=302):
    if role in allowed:
        return ok
    return 403 if role in READERS else 404


def _snapshot(world):
    return (
        list(Household.objects.order_by("pk").values_list("pk", "address", "area_code", "updated_at")),
        list(
            Resident.objects.order_by("pk").values_list("pk", "name", "status", "household_id", "updated_at")
        ),
        list(KeyGroupLabel.objects.order_by("pk").values_list("pk", "kind", "attention")),
        list(ProxyService.objects.order_by("pk").values_list("pk", "status", "version")),
    )


@pytest.mark.parametrize("role", sorted(ALL))
def test_object_pages_and_api_reads(client, world, role):
    client.force_login(world.users[role])
    expected = _read_expect(role)
    pages = [
        reverse("people:area", args=[world.household.area_code]),
        reverse("people:household", args=[world.household.pk]),
        reverse("people:resident", args=[world.head.pk]),
        reverse("people:service", args=[world.service.pk]),
        f"/api/v1/people/areas/{world.household.area_code}",
        f"/api/v1/people/households/{world.household.pk}",
        f"/api/v1/people/households/{world.household.pk}/members",
        f"/api/v1/people/households/{world.household.pk}/visits",
        f"/api/v1/people/residents/{world.head.pk}",
        f"/api/v1/people/residents/{world.head.pk}/services",
        f"/api/v1/people/services/{world.service.pk}",
    ]
    for url in pages:
        assert client.get(url).status_code == expected, (role, url)


@pytest.mark.parametrize("role", sorted(ALL))
def test_places_are_visible_to_every_staff_role_in_scope(client, world, role):
    client.force_login(world.users[role])
    expected = 200 if role in READERS | {"department_handler"} else 404
    assert client.get(reverse("people:place", args=[world.place.pk])).status_code == expected
    assert client.get(f"/api/v1/people/places/{world.place.pk}").status_code == expected


@pytest.mark.parametrize("role", sorted(ALL))
def test_lists_and_search_show_only_what_is_in_scope(client, world, role):
    client.force_login(world.users[role])
    inside = role in READERS
    body = client.get("/api/v1/people/households").json()
    assert (world.household.pk in [h["id"] for h in body["items"]]) is inside
    body = client.get("/api/v1/people/residents").json()
    assert (world.head.pk in [r["id"] for r in body["items"]]) is inside
    response = client.post(
        "/api/v1/people/search", json.dumps({"q": "王秀"}), content_type="application/json"
    )
    assert ([r["id"] for r in response.json()["residents"]] == [world.head.pk]) is inside
    response = client.post(reverse("people:search"), {"q": "王秀", "field": "auto"})
    if role == "resident" or role == "department_handler":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert ("王秀英" in response.content.decode()) is inside


@pytest.mark.parametrize("role", sorted(ALL))
def test_export_matrix(client, world, role):
    client.force_login(world.users[role])
    expected = _write_expect(role, TRANSFER, ok=200)
    before = AuditLog.objects.filter(action="people.export").count()
    assert client.get(reverse("people:export", args=[world.household.area_code])).status_code == expected
    assert client.get(f"/api/v1/people/areas/{world.household.area_code}/export").status_code == expected
    exported = AuditLog.objects.filter(action="people.export").count() - before
    assert exported == (2 if expected == 200 else 0)


@pytest.mark.parametrize("role", sorted(ALL))
def test_page_writes_matrix_and_nothing_changes_on_denial(client, world, role):
    client.force_login(world.users[role])
    before = _snapshot(world)
    expected = _write_expect(role)
    hh, head = world.household, world.head
    calls = [
        (
            reverse("people:household_edit", args=[hh.pk]),
            {"address": "改过的地址", "residence_type": "registered"},
        ),
        (reverse("people:label_set", args=[head.pk]), {"kind": "disabled", "attention": "2"}),
        (reverse("people:service", args=[world.service.pk]), {"action": "start", "version": "1", "note": ""}),
    ]
    for url, data in calls:
        response = client.post(url, data)
        assert response.status_code == expected, (role, url, response.status_code)
    if expected != 302:
        assert _snapshot(world) == before
    else:
        assert Household.objects.get(pk=hh.pk).address == "改过的地址"


@pytest.mark.parametrize("role", sorted(ALL))
def test_api_writes_matrix_and_nothing_changes_on_denial(client, world, role):
    client.force_login(world.users[role])
    before = _snapshot(world)
    expected = _write_expect(role, ok=200)
    hh = world.household
    response = client.patch(
        f"/api/v1/people/households/{hh.pk}",
        json.dumps({"address": "接口改的地址"}),
        content_type="application/json",
    )
    assert response.status_code == expected, response.content
    response = client.post(
        "/api/v1/people/residents",
        json.dumps({"household_id": hh.pk, "name": "新成员", "relation": "other"}),
        content_type="application/json",
    )
    assert response.status_code == (201 if expected == 200 else expected)
    if expected != 200:
        assert _snapshot(world) == before
        assert response.json()["code"] in {"not_found", "not_permitted"}


@pytest.mark.parametrize("role", sorted(ALL))
def test_show_in_full_matrix(client, world, role):
    client.force_login(world.users[role])
    expected = _write_expect(role, REVEAL, ok=200)
    before = AuditLog.objects.filter(action="people.reveal").count()
    response = client.post(
        reverse("people:resident_reveal", args=[world.head.pk]),
        {"fields": ["id_number"], "reason": "核对低保信息"},
    )
    assert response.status_code == expected
    response = client.post(
        f"/api/v1/people/residents/{world.head.pk}/reveal",
        json.dumps({"fields": ["phone"], "reason": "核对低保信息"}),
        content_type="application/json",
    )
    assert response.status_code == expected
    assert AuditLog.objects.filter(action="people.reveal").count() - before == (2 if expected == 200 else 0)


@pytest.mark.parametrize("role", sorted(ALL))
def test_merge_matrix(client, world, role):
    from grassroots.people import services

    twin = services.resident_create(
        actor=world.users["township_staff"], household=world.household, name="王秀英", birth_date="1941-02-03"
    )
    client.force_login(world.users[role])
    before = _snapshot(world)
    expected = _write_expect(role, MERGE, ok=200)
    response = client.post(
        "/api/v1/people/duplicates/merge",
        json.dumps({"kept_id": world.head.pk, "merged_id": twin.pk, "reason": "同一人重复登记"}),
        content_type="application/json",
    )
    assert response.status_code == expected, response.content
    if expected != 200:
        assert _snapshot(world) == before


def test_a_refused_page_action_is_the_sites_error_page_or_a_message_where_the_person_is(client, world):
    """Given a role that may only read, when it posts a write, then the site's error page answers 403 with the
    reason; given a writer whose action the register refuses, then the refusal is a message on the page it
    lands on, and nothing changed."""
    client.force_login(world.users["leader"])
    before = _snapshot(world)
    response = client.post(
        reverse("people:label_set", args=[world.head.pk]), {"kind": "elderly_alone", "attention": "normal"}
    )
    assert response.status_code == 403
    assert response.templates[0].name == "error.html"
    assert 'data-status="403"' in response.content.decode()
    with translation.override(response["Content-Language"]):
        assert str(_("You may not do this here.")) in response.content.decode()
    assert _snapshot(world) == before

    client.force_login(world.users["grid_worker"])
    response = client.post(reverse("people:label_remove", args=[world.head.pk, "no_such_kind"]), follow=True)
    assert response.status_code == 200
    with translation.override(response["Content-Language"]):
        assert [str(m) for m in response.context["messages"]] == [str(_("This person has no such label."))]
    assert _snapshot(world) == before
