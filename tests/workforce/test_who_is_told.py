"""Every check-in event that puts work on someone tells exactly them (workforce/alerts.py::ALERTS): a matrix
of (event × role), each cell driven through the services as the people would, the notifications read back."""

from __future__ import annotations

import pytest
from django.utils import translation

from grassroots.accounts.models import Role, RoleGrant
from grassroots.areas.models import Area
from grassroots.notifications.links import target_url
from grassroots.notifications.models import Notification
from grassroots.workforce import alerts
from grassroots.workforce.services import party
from tests.factories import user_with

from .conftest import G1

pytestmark = pytest.mark.django_db

ROLES = (
    "member_user", "worker_user", "other_worker_user", "village_staff", "township_staff", "supervisor",
    "outside_staff", "resident", "administrator",
)  # fmt: skip


def _requested(world):
    return party.check_in_request(
        actor=world.member_user, member=world.member, pledge="周末巡逻"
    ), world.member_user


def _confirmed(world):
    check_in, _actor = _requested(world)
    return party.check_in_confirm(actor=world.village_staff, check_in=check_in), world.village_staff


def _declined(world):
    check_in, _actor = _requested(world)
    return party.check_in_decline(
        actor=world.village_staff, check_in=check_in, reason="不在本支部"
    ), world.village_staff


# event → (how to get there from a fresh world; who must be told)
STEPS = {
    alerts.REQUESTED: (_requested, {"village_staff"}),
    alerts.CONFIRMED: (_confirmed, {"member_user"}),
    alerts.DECLINED: (_declined, {"member_user"}),
}  # fmt: skip


def test_every_check_in_event_is_in_the_matrix():
    assert set(alerts.ALERTS) == set(STEPS)


def _told(world, event) -> set[str]:
    with translation.override("en"):
        prefix = str(alerts.ALERTS[event].title).split("%")[0]
        return {
            role
            for role in ROLES
            if any(
                n.shown_title.startswith(prefix)
                for n in Notification.objects.filter(recipient=getattr(world, role))
            )
        }


@pytest.mark.parametrize("event", list(STEPS), ids=str)
def test_who_is_told_of_each_check_in_event(world, event):
    drive, expected = STEPS[event]
    drive(world)
    assert _told(world, event) == expected


def test_a_check_in_request_names_the_member_and_branch_in_the_readers_language_and_leads_to_its_row(world):
    check_in, _actor = _requested(world)
    told = Notification.objects.get(recipient=world.village_staff)
    with translation.override("en"):
        assert told.shown_title == f"Check-in to confirm: 王党员 to {world.branch.name} ({check_in.year})"
    with translation.override("zh-hans"):
        assert "王党员" in told.shown_title and "Check-in" not in told.shown_title
    assert target_url(told) == f"/grids/check-ins/#check-in-{check_in.pk}"


def test_the_township_hears_of_a_check_in_only_when_the_village_has_nobody(world):
    world.village_staff.is_active = False
    world.village_staff.save(update_fields=["is_active"])
    _requested(world)
    assert _told(world, alerts.REQUESTED) == {"township_staff"}


def test_a_member_who_also_manages_the_branch_is_not_told_of_their_own_check_in(world):
    # the member is also village staff: they may not confirm their own check-in, so the other staff hear
    village = Area.objects.get(code=G1[:12])
    RoleGrant.objects.create(
        user=world.member_user, role=Role.VILLAGE_STAFF, area=village, area_code=village.code
    )
    colleague = user_with(Role.VILLAGE_STAFF, G1[:12])
    _requested(world)
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert world.member_user.pk not in told and {colleague.pk, world.village_staff.pk} <= told
