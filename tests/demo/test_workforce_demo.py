"""The workforce demo step: party organisations, members with check-ins and hours, teams, councils and
patrols with tracks, built fast and removed completely."""

from __future__ import annotations

import time

import pytest

from grassroots.accounts.models import User
from grassroots.demo.logins import PARTY_MEMBER_USERNAME, SAISHANG_GRID
from grassroots.demo.steps import SCALES, DemoContext
from grassroots.demo.workforce import WorkforceStep
from grassroots.workforce import selectors
from grassroots.workforce.models import (
    CheckIn,
    CheckInStatus,
    GroupKind,
    MemberKind,
    PartyMember,
    PartyOrganisation,
    Patrol,
    PatrolPoint,
    ServiceGroup,
    ServiceRecord,
)

pytestmark = pytest.mark.django_db


def test_the_step_builds_everything_quickly_and_reset_removes_it(demo_city):
    ctx = DemoContext(SCALES["small"], 2026)
    started = time.perf_counter()
    counts = WorkforceStep().run(ctx)
    assert time.perf_counter() - started < 20
    assert PartyOrganisation.objects.filter(is_grid_branch=True).count() > 100
    assert CheckIn.objects.filter(status=CheckInStatus.CONFIRMED).exists()
    grid_code = ServiceRecord.objects.values_list("area_code", flat=True).first()
    assert selectors.grid_figures(grid_code)["service_hours"] > 0
    assert ServiceGroup.objects.filter(kind=GroupKind.COUNCIL).exists()
    assert Patrol.objects.filter(worker__user__username="gridworker").exists()
    assert PatrolPoint.objects.count() == counts["patrol positions"] > 0
    assert PartyMember.objects.filter(user__username="resident", kind=MemberKind.IN_SERVICE).exists()
    # the party member login: a retired cadre of the banner's branch living in 塞上社区's first grid, whose
    # check-in to that grid's branch waits for the community's staff
    member = PartyMember.objects.select_related("organisation").get(user__username=PARTY_MEMBER_USERNAME)
    assert member.kind == MemberKind.RETIRED and member.home_grid_code == SAISHANG_GRID
    assert member.area_code == SAISHANG_GRID[:6] == member.organisation.area_code
    waiting = CheckIn.objects.get(member=member)
    assert (waiting.area_code, waiting.status) == (SAISHANG_GRID, CheckInStatus.REQUESTED)
    assert waiting in selectors.check_in_list_for(user=User.objects.get(username="village"))
    WorkforceStep().reset(ctx)
    assert not PartyOrganisation.objects.exists() and not Patrol.objects.exists()
    assert not ServiceGroup.objects.exists() and not CheckIn.objects.exists()
