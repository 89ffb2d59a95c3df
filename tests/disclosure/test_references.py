"""The catalogue item a notice is filed under names an item of the notice's own board, by the API and the page
alike: another board's item (or a number that names none) is refused with 400 naming the field, and no notice
is written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grassroots import clock
from grassroots.areas.models import Area
from grassroots.disclosure import services
from grassroots.disclosure.models import Notice
from tests.factories import user_with

from .conftest import OTHER_VILLAGE, at


@pytest.fixture
def foreign_item(town):
    other_staff = user_with("village_staff", OTHER_VILLAGE)
    with clock.frozen(at("2026-03-02")):
        other = services.board_create(actor=other_staff, village=Area.objects.get(code=OTHER_VILLAGE))
    return other.catalogue.first()


def test_api_files_a_notice_under_its_boards_item_only(client, town, foreign_item):
    client.force_login(town.staff)
    url = f"/api/v1/disclosure/boards/{town.board.pk}/notices"
    body = {"kind": "text", "title": "通知", "body": "内容", "section": "village"}
    for item in (foreign_item.pk, 999999):
        refused = client.post(url, {**body, "catalogue_item": item}, content_type="application/json")
        assert refused.status_code == 400, refused.content
        assert refused.json()["detail"]["field"] == "catalogue_item"
    assert not Notice.objects.exists()
    own = town.board.catalogue.first()
    done = client.post(url, {**body, "catalogue_item": own.pk}, content_type="application/json")
    assert done.status_code == 201, done.content
    assert Notice.objects.get().catalogue_item == own


def test_page_files_a_notice_under_its_boards_item_only(client, town, foreign_item):
    client.force_login(town.staff)
    url = reverse("disclosure:notice_new", args=[town.board.pk])
    form = {"kind": "text", "title": "通知", "body": "内容", "section": "village"}
    client.post(url, {**form, "catalogue_item": foreign_item.pk})
    assert not Notice.objects.exists()
    own = town.board.catalogue.first()
    client.post(url, {**form, "catalogue_item": own.pk})
    assert Notice.objects.get().catalogue_item == own


def test_a_board_is_set_up_on_a_village_and_group_of_ones_own_only(client, town):
    client.force_login(town.staff)
    url = "/api/v1/disclosure/boards"
    assert (
        client.post(url, {"village_code": OTHER_VILLAGE}, content_type="application/json").status_code == 404
    )
    # the group number is looked up in the board's own village
    Area.objects.get(code=OTHER_VILLAGE).village_groups.create(number=7, name="七组")
    refused = client.post(
        url, {"village_code": town.village.code, "village_group": 7}, content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "wrong_group"
    made = client.post(
        url, {"village_code": town.village.code, "village_group": 2}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
