"""Browser journey: every kind of party member checks in (issue 20, item 6).

A retired cadre, on the phone, finds "My check-in" in the header, reads that retired members check in where
they live and asks to; a member of the village's property company reads that members of a unit check in
where it is, must choose one of the village's two grid branches, and does; the village's staff see both
check-ins with their kinds, confirm them, and open the grid branch's roll from the grid's page: its own
member, and the year's check-ins in one section per kind.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from grassroots.accounts.models import Role
from grassroots.people.codes import PlaceKind
from grassroots.people.models import Place
from grassroots.workforce.models import CheckIn, CheckInStatus, MemberKind
from grassroots.workforce.services import party
from tests.e2e.conftest import open_menu
from tests.factories import area, user_with
from tests.workforce.conftest import G1, G2, VILLAGE, build_world

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(transactional_db):
    world = build_world()
    committee = world.branch.parent
    world.g2_branch = party.party_organisation_create(
        actor=None, name="第二网格党支部", kind="branch", area_code=G2, parent=committee
    )
    party.party_member_create(actor=None, name="郑本地", organisation=world.branch, home_grid_code=G1)
    retired_branch = party.party_organisation_create(
        actor=None, name="老干部局离退休干部党支部", kind="branch", area_code=VILLAGE[:6]
    )
    world.retired_user = user_with(Role.RESIDENT, G1, username="laoganbu", display_name="刘老")
    party.party_member_create(
        actor=None,
        name="刘老",
        organisation=retired_branch,
        kind=MemberKind.RETIRED,
        home_grid_code=G1,
        user=world.retired_user,
    )
    company = Place.objects.create(
        kind=PlaceKind.PROPERTY_COMPANY, name="安居物业服务有限公司", area=area(VILLAGE), area_code=VILLAGE
    )
    company_branch = party.party_organisation_create(
        actor=None, name="安居物业党支部", kind="branch", area_code=VILLAGE
    )
    world.company_user = user_with(Role.RESIDENT, G2, username="wuye", display_name="陈物业")
    party.party_member_create(
        actor=None,
        name="陈物业",
        organisation=company_branch,
        kind=MemberKind.ORGANISATION,
        unit=company,
        user=world.company_user,
    )
    return world


def test_a_retired_cadre_and_a_property_company_member_check_in_and_the_roll_lists_them_by_kind(
    live_server, page, phone_page, log_in, world
):
    # the retired cadre, on the phone, follows the header to the check-in
    log_in(phone_page, live_server, username="laoganbu")
    open_menu(phone_page)
    phone_page.click("header nav a[data-nav=check-in]")
    expect(phone_page.locator("h1")).to_have_text("我的报到")
    expect(phone_page.locator(".member-kind")).to_have_text("离退休党员、老干部")
    card = phone_page.locator(".check-in-form-card")
    expect(card).to_have_attribute("data-basis", "residence")
    expect(card).to_contain_text("离退休党员、老干部到居住地报到")
    expect(card.locator(".check-in-target")).to_contain_text("第一网格党支部")
    phone_page.fill("#id_pledge", "调解邻里纠纷")
    phone_page.click("#check-in-form button[type=submit]")
    expect(phone_page.locator(".check-in[data-status=requested]")).to_contain_text("调解邻里纠纷")

    # the property company's member must choose one of the village's grid branches
    log_in(page, live_server, username="wuye")
    page.click("header nav a[data-nav=check-in]")
    card = page.locator(".check-in-form-card")
    expect(card).to_have_attribute("data-basis", "organisation")
    expect(card).to_contain_text("物业公司、共建单位的党员到单位驻地报到")
    options = page.locator("#id_branch option")
    expect(options).to_have_count(3)  # the prompt and the two grid branches
    page.fill("#id_pledge", "小区水电维修")
    page.click("#check-in-form button[type=submit]")
    expect(page.locator("#id_branch:invalid")).to_have_count(1)  # the browser asks for the choice first
    assert not CheckIn.objects.filter(member__user=world.company_user).exists()
    page.select_option("#id_branch", label=f"第一网格党支部（{G1}）")
    page.fill("#id_pledge", "小区水电维修")
    page.click("#check-in-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("第一网格党支部")
    expect(page.locator(".check-in[data-status=requested]")).to_contain_text("小区水电维修")
    page.context.clear_cookies()

    # the village's staff confirm both, each shown with its kind
    log_in(page, live_server, username=world.village_staff.username)
    page.goto(f"{live_server.url}/grids/check-ins/")
    for check_in in CheckIn.objects.all():
        row = page.locator(f"tr[data-check-in='{check_in.pk}']")
        expect(row).to_contain_text(check_in.get_kind_display())
        row.locator("form[action$='/confirm/'] button").click()
        expect(page.locator(".messages")).to_be_visible()
    assert set(CheckIn.objects.values_list("status", flat=True)) == {CheckInStatus.CONFIRMED}

    # and open the roll from the grid's page
    page.goto(f"{live_server.url}/grids/{G1}/")
    page.click("a[data-link=branch-roll]")
    expect(page.locator("h1")).to_have_text("第一网格党支部")
    expect(page.locator(".roll-members")).to_contain_text("郑本地")
    expect(page.locator(".roll-section[data-kind=retired]")).to_contain_text("刘老")
    expect(page.locator(".roll-section[data-kind=retired]")).to_contain_text("调解邻里纠纷")
    organisation = page.locator(".roll-section[data-kind=organisation]")
    expect(organisation).to_contain_text("陈物业")
    expect(organisation).to_contain_text("安居物业服务有限公司")
    expect(page.locator(".roll-section[data-kind=in_service]")).to_contain_text("今年暂无")
