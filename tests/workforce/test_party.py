"""Party organisations, members and check-in (报到): the request, the branch's confirmation, service hours,
and the grid's figures; a permission matrix for each action with nothing changed on denial."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots import clock
from grassroots.accounts.scoping import OutOfScope
from grassroots.errors import DomainError, NotPermitted
from grassroots.workforce import selectors
from grassroots.workforce.models import CheckIn, CheckInStatus, PartyOrganisation, ServiceRecord
from grassroots.workforce.services import WorkforceError, party

from .conftest import G1, G2, VILLAGE

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with clock.frozen(NOW):
        yield


def test_a_branch_on_a_grid_is_the_grids_party_branch(world):
    assert world.branch.is_grid_branch
    assert not world.member.organisation.is_grid_branch
    assert party.grid_branch_for(G1) == world.branch
    assert party.grid_branch_for(G2) is None


@pytest.mark.parametrize(
    ("kind", "parent_kind", "code"),
    [("group", None, "bad_parent"), ("committee", "branch", "bad_parent"), ("cell", None, "unknown_kind")],
)
def test_organisation_kinds_nest_as_the_party_does(world, kind, parent_kind, code):
    parent = PartyOrganisation.objects.filter(kind=parent_kind).first() if parent_kind else None
    before = PartyOrganisation.objects.count()
    with pytest.raises(WorkforceError) as caught:
        party.party_organisation_create(actor=None, name="x", kind=kind, area_code=G1, parent=parent)
    assert caught.value.code == code
    assert PartyOrganisation.objects.count() == before


def test_request_confirm_log_hours_and_the_grid_counts_them(world):
    # given the member asks to check in to their home grid's branch
    check_in = party.check_in_request(actor=world.member_user, member=world.member, pledge="周末辅导功课")
    assert (check_in.branch, check_in.area_code, check_in.year) == (world.branch, G1, 2026)
    assert check_in.status == CheckInStatus.REQUESTED
    # hours cannot be logged before the branch confirms
    with pytest.raises(WorkforceError) as caught:
        party.service_log(actor=world.member_user, check_in=check_in, hours=2, description="辅导")
    assert caught.value.code == "not_confirmed"
    # when the branch (village staff) confirms and the member logs hours
    check_in = party.check_in_confirm(actor=world.village_staff, check_in=check_in)
    party.service_log(actor=world.member_user, check_in=check_in, hours="2.5", description="辅导功课")
    party.service_log(
        actor=world.village_staff,
        check_in=check_in,
        hours=1,
        description="清扫",
        served_on=dt.date(2026, 5, 1),
    )
    # then the grid's figures count them
    figures = selectors.grid_figures(G1, year=2026)
    assert figures["checked_in_members"] == 1
    assert figures["service_hours"] == Decimal("3.5")
    assert selectors.grid_figures(G2, year=2026)["service_hours"] == 0
    assert selectors.grid_figures(G1, year=2025)["service_hours"] == 0


def test_one_check_in_per_year_and_a_new_request_after_a_decline(world):
    first = party.check_in_request(actor=world.member_user, member=world.member, pledge="巡逻")
    with pytest.raises(WorkforceError) as caught:
        party.check_in_request(actor=world.member_user, member=world.member, pledge="巡逻")
    assert caught.value.code == "already_checked_in"
    with pytest.raises(WorkforceError):
        party.check_in_decline(actor=world.village_staff, check_in=first, reason="  ")
    party.check_in_decline(actor=world.village_staff, check_in=first, reason="请先转接组织关系")
    with pytest.raises(WorkforceError) as caught:
        party.check_in_confirm(actor=world.village_staff, check_in=first)
    assert caught.value.code == "already_decided"
    second = party.check_in_request(actor=world.member_user, member=world.member, pledge="巡逻")
    assert second.pk != first.pk
    assert party.check_in_request(actor=None, member=world.member, pledge="x", year=2027).year == 2027


def test_members_without_a_grid_branch_or_checking_in_to_their_own_branch_are_told_what_to_do(world):
    world.member.home_grid_code = G2
    with pytest.raises(WorkforceError) as caught:
        party.check_in_request(actor=None, member=world.member, pledge="x")
    assert caught.value.code == "no_grid_branch"
    world.member.home_grid_code = ""
    with pytest.raises(WorkforceError) as caught:
        party.check_in_request(actor=None, member=world.member, pledge="x")
    assert caught.value.code == "no_home_grid"
    world.member.home_grid_code = G1
    world.member.organisation = world.branch  # a member of the grid's own branch
    with pytest.raises(WorkforceError) as caught:
        party.check_in_request(actor=None, member=world.member, pledge="x")
    assert caught.value.code == "own_branch"
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("member_user", True),
        ("village_staff", True),
        ("township_staff", True),
        ("administrator", True),
        ("resident", "403"),
        ("worker_user", "403"),
        ("outside_staff", "404"),
        ("supervisor", "403"),
    ],
)
def test_request_permission_matrix(world, who, allowed):
    actor = getattr(world, who)
    if allowed is True:
        party.check_in_request(actor=actor, member=world.member, pledge="巡逻")
        assert CheckIn.objects.count() == 1
        return
    with pytest.raises(OutOfScope if allowed == "404" else NotPermitted):
        party.check_in_request(actor=actor, member=world.member, pledge="巡逻")
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("village_staff", True),
        ("township_staff", True),
        ("administrator", True),
        ("member_user", "403"),  # the member cannot confirm their own check-in
        ("worker_user", "403"),
        ("supervisor", "403"),
        ("outside_staff", "404"),
    ],
)
def test_confirm_permission_matrix(world, who, allowed):
    check_in = party.check_in_request(actor=None, member=world.member, pledge="巡逻")
    actor = getattr(world, who)
    if allowed is True:
        assert party.check_in_confirm(actor=actor, check_in=check_in).status == CheckInStatus.CONFIRMED
        return
    with pytest.raises(OutOfScope if allowed == "404" else NotPermitted):
        party.check_in_confirm(actor=actor, check_in=check_in)
    with pytest.raises(OutOfScope if allowed == "404" else NotPermitted):
        party.check_in_decline(actor=actor, check_in=check_in, reason="no")
    check_in.refresh_from_db()
    assert check_in.status == CheckInStatus.REQUESTED and check_in.decided_by is None


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("member_user", True),
        ("village_staff", True),
        ("resident", "403"),
        ("other_worker_user", "403"),
        ("outside_staff", "404"),
    ],
)
def test_service_log_permission_matrix(world, who, allowed):
    check_in = party.check_in_confirm(
        actor=None, check_in=party.check_in_request(actor=None, member=world.member, pledge="巡逻")
    )
    actor = getattr(world, who)
    if allowed is True:
        party.service_log(actor=actor, check_in=check_in, hours=1, description="巡逻")
        assert ServiceRecord.objects.count() == 1
        return
    with pytest.raises(OutOfScope if allowed == "404" else NotPermitted):
        party.service_log(actor=actor, check_in=check_in, hours=1, description="巡逻")
    assert ServiceRecord.objects.count() == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hours=st.one_of(st.decimals(allow_nan=True, allow_infinity=True, places=2), st.text(max_size=6)))
def test_hours_are_accepted_exactly_when_above_zero_and_at_most_a_day(hours):
    try:
        parsed = party.parse_hours(hours)
    except DomainError as exc:
        assert exc.code == "bad_hours"
        return
    assert Decimal("0") < parsed <= Decimal("24")


def test_check_in_list_is_own_and_scoped(world, django_assert_num_queries):
    party.check_in_request(actor=None, member=world.member, pledge="巡逻")
    assert selectors.check_in_list_for(user=world.member_user).count() == 1
    assert selectors.check_in_list_for(user=world.village_staff, area_code=VILLAGE).count() == 1
    assert selectors.check_in_list_for(user=world.outside_staff).count() == 0
    assert selectors.check_in_list_for(user=world.resident).count() == 0
    with django_assert_num_queries(2):  # the grants, then the rows with their totals
        rows = list(selectors.check_in_list_for(user=world.township_staff))
        assert [r.member.name for r in rows] == ["王党员"]
