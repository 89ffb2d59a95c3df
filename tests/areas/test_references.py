"""The area-data operations name areas in their bodies too — the parent of a new area (in its code), the area
merged into, the village of a new grid or village group, the village groups a grid covers: each is looked up
in the administrator's scope (or in the grid's own village), so that an administrator of one county can
neither create under, merge into nor attach to another county's areas. Refused with 404 (as if absent) or
400, and nothing changes."""

import pytest

from grassroots.areas.models import Area, Grid, VillageGroup
from tests.factories import area

from .test_area_data_api import VILLAGE, admin, patch, post, state  # noqa: F401 - the admin fixture

pytestmark = pytest.mark.django_db
FOREIGN_VILLAGE = "150826100201"  # another county's village


def test_every_area_a_body_names_lies_in_the_administrators_scope(client, admin):  # noqa: F811
    area(VILLAGE)
    area(FOREIGN_VILLAGE)
    VillageGroup.objects.create(village=Area.objects.get(code=FOREIGN_VILLAGE), number=1, name="一组")
    before = state()
    assert (
        post(client, "/areas", {"code": "150826100202", "name": "x", "kind": "village"}, admin).status_code
        == 404
    )
    assert (
        post(
            client, f"/areas/{VILLAGE}/merge", {"into": FOREIGN_VILLAGE, "on": "2025-01-01"}, admin
        ).status_code
        == 404
    )
    assert (
        post(client, "/grids", {"village_code": FOREIGN_VILLAGE, "kind": "rural"}, admin).status_code == 404
    )
    assert (
        post(client, "/village-groups", {"village_code": FOREIGN_VILLAGE, "number": 2}, admin).status_code
        == 404
    )
    assert state() == before
    # the groups a grid covers are numbers of the grid's own village: group 1 exists only in the other county
    made = post(client, "/grids", {"village_code": VILLAGE, "kind": "rural"}, admin)
    assert made.status_code == 201, made.content
    code = made.json()["code"]
    refused = patch(client, f"/grids/{code}", {"village_groups": [1]}, admin)
    assert refused.status_code == 400
    assert not Grid.objects.get(area__code=code).village_groups.exists()
    VillageGroup.objects.create(village=Area.objects.get(code=VILLAGE), number=1, name="一组")
    assert patch(client, f"/grids/{code}", {"village_groups": [1]}, admin).status_code == 200
    assert Grid.objects.get(area__code=code).village_groups.get().village.code == VILLAGE
