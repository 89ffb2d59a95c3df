"""Every party member can check in (issue 20, item 6): in-service members and retired members or old cadres
where they live, members of property companies and co-building units where their unit is, members of a
branch here where they live unless that is their own branch. The check-in page says which rule applies, the
header leads members to it, and the grid branch's roll lists its own members and the year's check-ins by
kind (page and API)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grassroots import clock
from grassroots.accounts.models import Role
from grassroots.accounts.scoping import OutOfScope
from grassroots.people.codes import PlaceKind
from grassroots.people.models import Place
from grassroots.workforce import selectors
from grassroots.workforce.models import CheckIn, CheckInStatus, MemberKind, PartyMember
from grassroots.workforce.services import WorkforceError, party
from tests.factories import UserFactory, area, user_with

from .conftest import G1, G2, OTHER_GRID, VILLAGE

pytestmark = pytest.mark.django_db


NOW = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def town(world):
    """The world plus a second grid branch (G2), a retired cadres' branch, a property company in the village
    (two grid branches there) and a co-building unit on grid 1, each with a member who has a login."""
    committee = world.branch.parent
    g2_branch = party.party_organisation_create(
        actor=None, name="第二网格党支部", kind="branch", area_code=G2, parent=committee
    )
    retired_branch = party.party_organisation_create(
        actor=None, name="老干部局离退休干部党支部", kind="branch", area_code=VILLAGE[:6]
    )
    company = Place.objects.create(
        kind=PlaceKind.PROPERTY_COMPANY, name="安居物业服务有限公司", area=area(VILLAGE), area_code=VILLAGE
    )
    power = Place.objects.create(kind=PlaceKind.CO_BUILDING_UNIT, name="供电所", area=area(G1), area_code=G1)
    shop = Place.objects.create(kind=PlaceKind.SHOP, name="便民超市", area=area(G1), area_code=G1)
    company_branch = party.party_organisation_create(
        actor=None, name="安居物业党支部", kind="branch", area_code=VILLAGE
    )

    def member(name, organisation, kind, home="", unit=None):
        user = user_with(Role.RESIDENT, G1)
        return party.party_member_create(
            actor=None,
            name=name,
            organisation=organisation,
            kind=kind,
            home_grid_code=home,
            unit=unit,
            user=user,
        )

    world.g2_branch = g2_branch
    world.company, world.power, world.shop = company, power, shop
    world.retired = member("刘老", retired_branch, MemberKind.RETIRED, home=G1)
    world.property_member = member("陈物业", company_branch, MemberKind.ORGANISATION, unit=company)
    world.power_member = member("周电工", company_branch, MemberKind.ORGANISATION, unit=power)
    world.local_elsewhere = member("吴本地", g2_branch, MemberKind.LOCAL, home=G1)
    world.local_here = member("郑本地", world.branch, MemberKind.LOCAL, home=G1)
    return world


def _client(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


# --- the rules of each kind -------------------------------------------------------------------------------


def test_in_service_and_retired_members_check_in_where_they_live(town):
    for member in (town.member, town.retired):
        check_in = party.check_in_request(actor=member.user, member=member, pledge="周末巡逻")
        assert (check_in.branch, check_in.area_code, check_in.kind) == (town.branch, G1, member.kind)


def test_a_unit_on_a_grid_checks_in_there_and_a_unit_of_a_community_chooses_among_its_grids(town):
    # a co-building unit on grid 1: one target, its grid's branch
    targets = party.check_in_targets(town.power_member)
    assert targets.problem is None and targets.branches == [town.branch]
    check_in = party.check_in_request(
        actor=town.power_member.user, member=town.power_member, pledge="用电检查"
    )
    assert check_in.branch == town.branch and check_in.kind == MemberKind.ORGANISATION
    # a property company of the village: both grid branches are offered, and one must be chosen
    member = town.property_member
    assert party.check_in_targets(member).branches == [town.branch, town.g2_branch]
    with pytest.raises(WorkforceError) as caught:
        party.check_in_request(actor=member.user, member=member, pledge="小区维修")
    assert caught.value.code == "choose_branch"
    other = party.party_organisation_create(
        actor=None, name="别村网格党支部", kind="branch", area_code=OTHER_GRID
    )
    with pytest.raises(WorkforceError) as caught:
        party.check_in_request(actor=member.user, member=member, pledge="小区维修", branch=other)
    assert caught.value.code == "bad_branch"
    assert not CheckIn.objects.filter(member=member).exists()
    check_in = party.check_in_request(
        actor=member.user, member=member, pledge="小区维修", branch=town.g2_branch
    )
    assert (check_in.branch, check_in.area_code) == (town.g2_branch, G2)


def test_members_of_a_branch_here_check_in_where_they_live_unless_it_is_their_own_branch(town):
    check_in = party.check_in_request(actor=None, member=town.local_elsewhere, pledge="楼道保洁")
    assert check_in.branch == town.branch and check_in.kind == MemberKind.LOCAL
    with pytest.raises(WorkforceError) as caught:
        party.check_in_request(actor=None, member=town.local_here, pledge="楼道保洁")
    assert caught.value.code == "own_branch"
    group = party.party_organisation_create(
        actor=None, name="第一党小组", kind="group", area_code=G1, parent=town.branch
    )
    in_group = party.party_member_create(
        actor=None, name="小组党员", organisation=group, kind=MemberKind.RETIRED, home_grid_code=G1
    )
    assert party.check_in_targets(in_group).problem.code == "own_branch"


def test_a_unit_member_without_a_unit_of_the_right_kind_is_told_to_record_it(town):
    town.power_member.unit = town.shop
    assert party.check_in_targets(town.power_member).problem.code == "no_unit"
    town.power_member.unit = None
    with pytest.raises(WorkforceError) as caught:
        party.check_in_request(actor=None, member=town.power_member, pledge="x")
    assert caught.value.code == "no_unit"


@pytest.mark.parametrize(
    ("kind", "unit", "code"),
    [
        (MemberKind.ORGANISATION, None, "unit_required"),
        (MemberKind.ORGANISATION, "shop", "unit_required"),
        ("volunteer", None, "unknown_kind"),
    ],
)
def test_a_member_is_recorded_with_a_kind_and_the_unit_it_needs(town, kind, unit, code):
    before = PartyMember.objects.count()
    with pytest.raises(WorkforceError) as caught:
        party.party_member_create(
            actor=None,
            name="新党员",
            organisation=town.branch,
            kind=kind,
            unit=getattr(town, unit) if unit else None,
        )
    assert caught.value.code == code
    assert PartyMember.objects.count() == before


def test_a_unit_is_kept_only_for_unit_members(town):
    member = party.party_member_create(
        actor=None, name="新党员", organisation=town.branch, kind=MemberKind.RETIRED, unit=town.company
    )
    assert member.unit is None


# --- the page reflects the kind, the header leads to it -------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "heading", "shown"),
    [
        (
            "member",
            "Check in to the branch of the grid where you live",
            "In-service members check in where they",
        ),
        ("retired", "Check in to the branch of the grid where you live", "Retired members and old cadres"),
        (
            "property_member",
            "Check in with your unit to a grid branch where it serves",
            "Choose a grid branch",
        ),
        (
            "local_here",
            "Check in to the branch of the grid where you live",
            "is the member&#x27;s own branch",
        ),
    ],
)
def test_the_check_in_page_says_which_rule_applies(town, who, heading, shown):
    member = getattr(town, who)
    html = _client(member.user).get(reverse("workforce:check_in_mine")).content.decode()
    assert heading in html and shown in html
    assert f'data-kind="{member.kind}"' in html
    assert ('id="check-in-form"' in html) is (who != "local_here")


def test_a_unit_member_chooses_the_grid_branch_on_the_page(town):
    client = _client(town.property_member.user)
    url = reverse("workforce:check_in_mine")
    response = client.post(url, {"pledge": "小区维修"})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not CheckIn.objects.exists()
    response = client.post(url, {"pledge": "小区维修", "branch": str(town.g2_branch.pk)})
    assert response.status_code == 302
    check_in = CheckIn.objects.get()
    assert (check_in.member, check_in.branch, check_in.kind) == (
        town.property_member,
        town.g2_branch,
        MemberKind.ORGANISATION,
    )
    html = client.get(url).content.decode()
    assert 'id="check-in-form"' not in html and 'data-state="requested"' in html


def test_the_header_leads_party_members_to_their_check_in(town):
    member_page = _client(town.retired.user).get(reverse("cases:mine")).content.decode()
    assert f'href="{reverse("workforce:check_in_mine")}" data-nav="check-in"' in member_page
    other_page = _client(UserFactory()).get(reverse("cases:mine")).content.decode()
    assert 'data-nav="check-in"' not in other_page
    assert _client(UserFactory()).get(reverse("workforce:check_in_mine")).status_code == 404


def test_the_header_link_costs_no_query_per_page(town):
    client = _client(town.retired.user)
    client.get(reverse("cases:mine"))
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("cases:mine")).content.decode()
    assert 'data-nav="check-in"' in page
    assert not any("workforce_partymember" in q["sql"] for q in captured.captured_queries)


# --- the roll ---------------------------------------------------------------------------------------------


def _fill_roll(town):
    party.check_in_request(actor=None, member=town.member, pledge="辅导功课")
    retired = party.check_in_request(actor=None, member=town.retired, pledge="调解纠纷")
    party.check_in_confirm(actor=town.village_staff, check_in=retired)
    party.check_in_request(actor=None, member=town.power_member, pledge="用电检查")
    declined = party.check_in_request(actor=None, member=town.local_elsewhere, pledge="保洁")
    party.check_in_decline(actor=town.village_staff, check_in=declined, reason="已在本支部服务")


def test_the_roll_lists_the_branchs_members_and_the_years_check_ins_by_kind(town, django_assert_num_queries):
    _fill_roll(town)
    with django_assert_num_queries(3):
        roll = selectors.grid_branch_roll_for(user=town.village_staff, grid_code=G1)
    assert [m.name for m in roll.members] == ["郑本地"]
    by_kind = {s.kind: [c.member.name for c in s.check_ins] for s in roll.sections}
    assert by_kind == {
        MemberKind.IN_SERVICE: ["王党员"],
        MemberKind.RETIRED: ["刘老"],
        MemberKind.ORGANISATION: ["周电工"],
        MemberKind.LOCAL: [],  # the declined one is left out
    }
    assert roll.checked_in == 1
    assert selectors.grid_branch_roll_for(user=town.village_staff, grid_code=G1, year=2025).checked_in == 0


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("village_staff", True),
        ("township_staff", True),
        ("supervisor", True),
        ("administrator", True),
        ("worker_user", True),
        ("outside_staff", False),
        ("resident", False),
        ("member_user", False),
    ],
)
def test_roll_permission_matrix(town, who, allowed):
    _fill_roll(town)
    user = getattr(town, who)
    if not allowed:
        with pytest.raises(OutOfScope):
            selectors.grid_branch_roll_for(user=user, grid_code=G1)
    client = _client(user)
    page = client.get(reverse("workforce:branch_roll", args=[G1]))
    api = client.get(f"/api/v1/workforce/grids/{G1}/roll")
    assert page.status_code == (200 if allowed else 404)
    assert api.status_code == (200 if allowed else 404)
    if allowed:
        html = page.content.decode()
        for heading in (
            "In-service members, by residence",
            "Retired members and old cadres, by residence",
            "Members of property companies and co-building units, by organisation",
        ):
            assert heading in html
        assert "供电所" in html and "保洁" not in html
        body = api.json()
        assert body["branch"]["id"] == town.branch.pk and [m["name"] for m in body["members"]] == ["郑本地"]
        organisation = next(s for s in body["sections"] if s["kind"] == "organisation")
        assert organisation["check_ins"][0]["unit_name"] == "供电所"


def test_the_grid_page_links_to_the_roll_for_those_who_may_see_it(town):
    link = f'href="{reverse("workforce:branch_roll", args=[G1])}"'
    assert link in _client(town.village_staff).get(reverse("workforce:grid", args=[G1])).content.decode()
    assert link not in _client(town.resident).get(reverse("workforce:grid", args=[G1])).content.decode()


# --- the API --------------------------------------------------------------------------------------------------


def test_the_api_records_kinds_offers_the_targets_and_checks_in_by_organisation(town):
    staff = _client(town.village_staff)
    created = staff.post(
        "/api/v1/workforce/party/members",
        {
            "name": "孙物业",
            "organisation_id": town.property_member.organisation_id,
            "kind": "organisation",
            "unit_id": town.company.pk,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "organisation" and created.json()["unit_id"] == town.company.pk
    missing = staff.post(
        "/api/v1/workforce/party/members",
        {"name": "孙物业", "organisation_id": town.branch.pk, "kind": "organisation"},
        content_type="application/json",
    )
    assert missing.status_code == 400 and missing.json()["code"] == "unit_required"

    client = _client(town.property_member.user)
    targets = client.get("/api/v1/workforce/check-ins/targets").json()
    assert targets["basis"] == "organisation" and [b["area_code"] for b in targets["branches"]] == [G1, G2]
    refused = client.post(
        "/api/v1/workforce/check-ins", {"pledge": "小区维修"}, content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "choose_branch"
    done = client.post(
        "/api/v1/workforce/check-ins",
        {"pledge": "小区维修", "branch_id": town.g2_branch.pk},
        content_type="application/json",
    )
    assert done.status_code == 201 and done.json()["kind"] == "organisation"
    assert done.json()["area_code"] == G2 and done.json()["status"] == CheckInStatus.REQUESTED

    local = _client(town.local_here.user).get("/api/v1/workforce/check-ins/targets").json()
    assert local["branches"] == [] and local["problem"]["code"] == "own_branch"


def test_the_api_takes_a_unit_and_a_branch_only_from_what_the_caller_may_name(town):
    # a unit outside the staff member's village is not found, and no member is recorded
    foreign = Place.objects.create(
        kind=PlaceKind.PROPERTY_COMPANY, name="别村物业", area=area(OTHER_GRID), area_code=OTHER_GRID
    )
    staff = _client(town.village_staff)
    before = PartyMember.objects.count()
    refused = staff.post(
        "/api/v1/workforce/party/members",
        {
            "name": "钱物业",
            "organisation_id": town.property_member.organisation_id,
            "kind": "organisation",
            "unit_id": foreign.pk,
        },
        content_type="application/json",
    )
    assert refused.status_code == 404 and PartyMember.objects.count() == before
    # a branch that is not among the member's targets is refused, and nothing is requested
    other_branch = party.party_organisation_create(
        actor=None, name="别村网格党支部二", kind="branch", area_code=OTHER_GRID
    )
    client = _client(town.property_member.user)
    wrong = client.post(
        "/api/v1/workforce/check-ins",
        {"pledge": "小区维修", "branch_id": other_branch.pk},
        content_type="application/json",
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "bad_branch"
    assert not CheckIn.objects.filter(member=town.property_member).exists()
    # and someone else's member id is not found, for the targets as for the check-in
    outsider = _client(town.outside_staff)
    assert (
        outsider.get(f"/api/v1/workforce/check-ins/targets?member_id={town.property_member.pk}").status_code
        == 404
    )
