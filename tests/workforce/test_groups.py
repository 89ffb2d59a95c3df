"""Volunteer teams and villager councils: members, leader, activities; open to the area's residents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from grassroots import clock
from grassroots.accounts.scoping import OutOfScope
from grassroots.errors import NotPermitted
from grassroots.workforce import selectors
from grassroots.workforce.models import GroupActivity, ServiceGroup
from grassroots.workforce.services import WorkforceError, groups

from .conftest import G1, VILLAGE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with clock.frozen(dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)):
        yield


def test_a_team_with_its_leader_records_an_activity_its_residents_see(world):
    team = groups.group_create(
        actor=world.village_staff,
        kind="team",
        name="红马甲志愿服务队",
        area_code=VILLAGE,
        leader="王队长",
        members=["甲", "乙"],
    )
    members = {m.name: m for m in team.members.all()}
    assert set(members) == {"甲", "乙", "王队长"} and members["王队长"].is_leader
    activity = groups.group_activity_record(
        actor=world.village_staff,
        group=team,
        description="清理河道",
        hours="3",
        participant_ids=[members["甲"].pk, members["王队长"].pk],
    )
    assert activity.hours == Decimal("3.0") and activity.participants.count() == 2
    # a resident of a grid in the village sees the team; outside staff does not
    assert team in selectors.group_list_for(user=world.resident)
    assert selectors.group_get_for(user=world.resident, pk=team.pk) == team
    assert team not in selectors.group_list_for(user=world.outside_staff)
    with pytest.raises(OutOfScope):
        selectors.group_get_for(user=world.outside_staff, pk=team.pk)


def test_only_members_take_part(world):
    council = groups.group_create(
        actor=None, kind="council", name="村民理事会", area_code=VILLAGE, leader="李"
    )
    other = groups.group_create(actor=None, kind="team", name="队", area_code=G1, leader="外")
    with pytest.raises(WorkforceError) as caught:
        groups.group_activity_record(
            actor=None, group=council, description="议事", hours=1, participant_ids=[other.members.get().pk]
        )
    assert caught.value.code == "bad_participant"
    assert not GroupActivity.objects.exists()


@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("village_staff", "ok"),
        ("township_staff", "ok"),
        ("resident", "403"),
        ("worker_user", "403"),
        ("outside_staff", "404"),
    ],
)
def test_group_permission_matrix(world, who, outcome):
    actor = getattr(world, who)
    if outcome == "ok":
        team = groups.group_create(actor=actor, kind="team", name="队", area_code=VILLAGE)
        groups.group_member_add(actor=actor, group=team, name="丙")
        groups.group_activity_record(actor=actor, group=team, description="x", hours=1)
        return
    error = OutOfScope if outcome == "404" else NotPermitted
    with pytest.raises(error):
        groups.group_create(actor=actor, kind="team", name="队", area_code=VILLAGE)
    team = groups.group_create(actor=None, kind="team", name="队", area_code=VILLAGE)
    with pytest.raises(error):
        groups.group_member_add(actor=actor, group=team, name="丙")
    with pytest.raises(error):
        groups.group_activity_record(actor=actor, group=team, description="x", hours=1)
    assert ServiceGroup.objects.count() == 1 and team.members.count() == 0
    assert not GroupActivity.objects.exists()
