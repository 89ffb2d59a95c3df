"""The register's action inputs that name another object — the grid a household is put in or moved to, the
household a person joins or moves to, the two records merged, the area of a place or of an import — are
looked up in the actor's scope: a village staff member's own village works; a neighbouring village's grid,
household or person is not found (404, as if it did not exist) and nothing changes."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grassroots.people import services
from grassroots.people.models import Household, Place, Resident
from tests.factories import grid

from .factories import GRID, GRID_2, OTHER_GRID

pytestmark = pytest.mark.django_db
API = "/api/v1/people"


def _snapshot():
    return (
        list(Household.objects.order_by("pk").values_list("pk", "area_code", "updated_at")),
        list(Resident.objects.order_by("pk").values_list("pk", "household_id", "status", "updated_at")),
        Place.objects.count(),
    )


def _sheet() -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    wb.active.append(["地址"])
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("register.xlsx", out.getvalue())


def _own(world):
    """Objects of the actor's own village to name instead: a second grid, a second household, a duplicate."""
    grid(GRID_2)
    staff = world.users["township_staff"]
    household = services.household_create(actor=staff, grid_code=GRID, address="塞上社区幸福路9号")
    twin = services.resident_create(actor=staff, household=household, name=world.child.name)
    return household, twin


def _calls(world, *, foreign: bool):
    """(method, url, body, how) of each input naming another object; ``foreign``: the neighbouring village's."""
    if foreign:
        grid_code, move_to, other_household, person = (
            OTHER_GRID,
            OTHER_GRID,
            world.other_household,
            world.other_person,
        )
    else:
        other_household, person = _own(world)
        grid_code, move_to = GRID, GRID_2
    return [
        ("post", f"{API}/households", {"grid_code": grid_code, "address": "新户1号"}, "json"),
        ("post", f"{API}/households/{world.household.pk}/move", {"to_grid_code": move_to}, "json"),
        ("post", f"{API}/residents", {"household_id": other_household.pk, "name": "新人"}, "json"),
        ("post", f"{API}/residents/{world.head.pk}/move", {"to_household_id": other_household.pk}, "json"),
        ("post", f"{API}/duplicates/merge", {"kept_id": world.child.pk, "merged_id": person.pk, "reason": "重复登记同一人"}, "json"),
        ("post", f"{API}/places", {"kind": "shop", "name": "新店", "area_code": grid_code}, "json"),
        ("post", f"{API}/imports", {"area_code": grid_code, "file": _sheet()}, "multipart"),
    ]  # fmt: skip


def _send(client, method, url, body, how):
    if how == "json":
        return getattr(client, method)(url, body, content_type="application/json")
    return getattr(client, method)(url, body)


@pytest.mark.parametrize("index", range(7))
def test_a_foreign_grid_household_or_person_is_not_found_and_nothing_changes(client, world, index):
    client.force_login(world.users["village_staff"])
    before = _snapshot()
    method, url, body, how = _calls(world, foreign=True)[index]
    response = _send(client, method, url, body, how)
    assert response.status_code == 404, (url, response.content)
    assert response.json()["code"] == "not_found"
    assert _snapshot() == before


@pytest.mark.parametrize("index", range(6))
def test_the_same_inputs_inside_the_village_are_taken(client, world, index):
    client.force_login(world.users["village_staff"])
    method, url, body, how = _calls(world, foreign=False)[index]
    response = _send(client, method, url, body, how)
    assert response.status_code in (200, 201), (url, response.content)
