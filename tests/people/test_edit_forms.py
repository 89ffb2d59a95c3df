"""Edit forms show the register as its pages do: free text with its numbers masked, the date of birth as
its year only (not filled in), the ID and phone numbers as placeholders. What is sent back unchanged keeps
what is stored, so editing a record never loses (or reveals) a number."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from grassroots.people.models import Household, Place, Resident

WRITERS = ["grid_worker", "village_staff", "township_staff", "superuser"]


def _field(html: str, name: str) -> str:
    """The value a form field is filled with (an input's value or a textarea's text)."""
    textarea = re.search(rf'<textarea name="{name}"[^>]*>\s*(.*?)</textarea>', html, re.S)
    if textarea:
        return textarea.group(1)
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return value.group(1) if value else ""


@pytest.mark.parametrize("role", WRITERS)
def test_the_resident_form_shows_notes_masked_and_no_birth_date(client, world, role):
    child = world.child  # born 2015-06-07, notes "家长电话13800138003"
    client.force_login(world.users[role])
    html = client.get(reverse("people:resident_edit", args=[child.pk])).content.decode()
    assert _field(html, "notes") == "家长电话138****8003"
    assert _field(html, "birth_date") == ""
    assert "2015-06-07" not in html and "13800138003" not in html
    assert "2015" in html  # the year, as the record's page shows it


def _resident_post(resident, **changes) -> dict:
    data = {
        "name": resident.name,
        "relation": resident.relation,
        "political_status": resident.political_status,
        "status": resident.status,
        "sex": resident.sex,
        "ethnicity": resident.ethnicity,
        "occupation": resident.occupation,
        "notes": "家长电话138****8003",
        "birth_date": "",
        "id_number": "",
        "phone": "",
    }
    return {**data, **changes}


def test_sending_the_form_back_keeps_the_stored_number_and_birth_date(client, world):
    child = world.child
    client.force_login(world.users["grid_worker"])
    # the writer edits the words around the masked number, and leaves the date of birth empty
    response = client.post(
        reverse("people:resident_edit", args=[child.pk]),
        _resident_post(child, notes="家长电话138****8003，周末在家", occupation="学生"),
    )
    assert response.status_code == 302
    child = Resident.objects.get(pk=child.pk)
    assert child.notes == "家长电话13800138003，周末在家"
    assert child.birth_date == dt.date(2015, 6, 7)
    assert child.occupation == "学生"
    # a number written out in full replaces the stored one; a removed one is gone
    client.post(
        reverse("people:resident_edit", args=[child.pk]), _resident_post(child, notes="电话13900139000")
    )
    assert Resident.objects.get(pk=child.pk).notes == "电话13900139000"


def test_household_and_place_forms_mask_their_free_text(client, world):
    Household.objects.filter(pk=world.household.pk).update(notes="户主女儿 150825199001011234 常来")
    Place.objects.filter(pk=world.place.pk).update(notes="老板 138 0013 8005", address="幸福路1号")
    client.force_login(world.users["village_staff"])
    html = client.get(reverse("people:household_edit", args=[world.household.pk])).content.decode()
    assert _field(html, "notes") == "户主女儿 150825********1234 常来"
    html = client.get(reverse("people:place_edit", args=[world.place.pk])).content.decode()
    assert _field(html, "notes") == "老板 138 **** 8005"
    response = client.post(
        reverse("people:place_edit", args=[world.place.pk]),
        {
            "kind": world.place.kind,
            "name": world.place.name,
            "address": "幸福路1号",
            "notes": "老板 138 **** 8005",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert Place.objects.get(pk=world.place.pk).notes == "老板 138 0013 8005"
