"""A small world for tests of the whole API: one village (民主村) with two grids and a neighbouring village,
and in it an object of every kind the API reaches by id — a case, a household and a person, a proxy service,
a place, a five-person group with a topic, a board with a published notice and a draft, a notification,
a patrol, a volunteer team, a party branch with a check-in. The group's topic waits for its members'
signatures, so that the steps' operations meet a topic in the middle of its process.

The four callers are a resident (a member of the five-person group, and the case's reporter), the grid's
grid worker, the village's staff and an anonymous caller; each logged-in caller has a bearer token.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grassroots import clock
from grassroots.accounts.services import api_token_issue
from grassroots.areas import routing
from grassroots.cases import reference
from grassroots.cases import services as case_services
from grassroots.cases.models import Category
from grassroots.deliberation.models import Membership
from grassroots.disclosure import services as disclosure_services
from grassroots.notifications.models import Notification
from grassroots.people import services as people_services
from grassroots.workforce.models import PartyOrgKind
from grassroots.workforce.services import groups, party, patrols
from tests import world as shared
from tests.deliberation.factories import (
    GRID,
    GRID_2,
    OTHER_GRID,
    OTHER_VILLAGE,
    VILLAGE,
    five_person_group,
    five_person_to,
    propose,
)
from tests.factories import area

ON_GRID = shared.inside(GRID)


@dataclass
class World:
    resident: object
    grid_worker: object
    village_staff: object
    tokens: dict[str, str]
    # every id and code the world holds, by the name of the path parameter that takes it
    ids: dict[str, list[int]] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)

    def headers(self, caller: str) -> dict[str, str]:
        token = self.tokens.get(caller)
        return {"Authorization": f"Bearer {token}"} if token else {}


def build() -> World:
    # built once per module, before the per-test fixtures (tests/conftest.py) drop the process's copies: a
    # routing index or service types left by the test that ran before on this worker would answer for its world
    routing.reset_index()
    reference.reset()
    shared.seed_case_reference(years=(2025, 2026, 2027))
    group = five_person_group()  # 民主村 1组, its members live in GRID
    staff = group.manager
    resident = group.members[0]
    for code in (GRID, GRID_2, OTHER_GRID):
        shared.place(code)  # bounded: the case below is reported on the map

    worker_user, worker = shared.grid_worker(GRID, name="网格员甲")

    topic = five_person_to(propose(group.committee, by=resident), group.members, "sign")
    case = case_services.case_report(
        actor=resident,
        category=Category.objects.get(code="0101"),
        description="路灯不亮",
        lon=ON_GRID[0],
        lat=ON_GRID[1],
    )
    household = people_services.household_create(actor=staff, grid_code=GRID, address="幸福路8号")
    person = people_services.resident_create(actor=staff, household=household, name="张三", relation="head")
    service = people_services.service_request(actor=staff, resident=person, item="代办低保年审")
    place = people_services.place_create(actor=staff, name="民主村小学", kind="school", area_code=GRID)
    board = disclosure_services.board_create(actor=staff, village=area(VILLAGE))
    published = disclosure_services.notice_create(
        actor=staff, board=board, kind="text", title="春耕通知", body="三月十日开始春耕。"
    )
    disclosure_services.notice_publish(actor=staff, notice=published, window_days=5)
    draft = disclosure_services.notice_create(
        actor=staff, board=board, kind="text", title="修路公示", body="修路方案。"
    )
    objection = disclosure_services.objection_raise(actor=resident, notice=published, text="时间太早了")
    patrol = patrols.patrol_start(actor=worker_user, worker=worker)
    team = groups.group_create(
        actor=staff, kind="team", name="民主村志愿服务队", area_code=VILLAGE, members=["王五"], leader="王五"
    )
    party.party_organisation_create(  # the grid's own branch, where the member checks in
        actor=staff, name="民主村一网格党支部", kind=PartyOrgKind.BRANCH, area_code=GRID
    )
    work_branch = party.party_organisation_create(
        actor=staff, name="民主村小学党支部", kind=PartyOrgKind.BRANCH, area_code=VILLAGE
    )
    member = party.party_member_create(
        actor=staff, name="李党员", organisation=work_branch, kind="in_service", home_grid_code=GRID
    )
    check_in = party.check_in_request(actor=staff, member=member, pledge="周末巡逻", year=clock.today().year)

    tokens = {
        name: api_token_issue(user=user, name="fuzz")
        for name, user in (("resident", resident), ("grid_worker", worker_user), ("village_staff", staff))
    }
    notifications = list(Notification.objects.values_list("pk", flat=True)[:5])
    ids = {
        "case_id": [case.pk],
        "household_id": [household.pk],
        "resident_id": [person.pk],
        "service_id": [service.pk],
        "place_id": [place.pk],
        "committee_id": [group.committee.pk],
        "membership_id": list(
            Membership.objects.filter(committee=group.committee).values_list("pk", flat=True)
        ),
        "topic_id": [topic.pk],
        "board_id": [board.pk],
        "notice_id": [published.pk, draft.pk],
        "objection_id": [objection.pk],
        "notification_id": notifications,
        "user_id": [resident.pk, worker_user.pk, staff.pk],
        "pk": [patrol.pk, team.pk, check_in.pk, worker.pk],
    }
    return World(
        resident=resident,
        grid_worker=worker_user,
        village_staff=staff,
        tokens=tokens,
        ids=ids,
        codes=[VILLAGE, GRID, GRID_2, VILLAGE[:9], VILLAGE[:6], OTHER_VILLAGE, OTHER_GRID],
    )


CALLERS = ("anonymous", "resident", "grid_worker", "village_staff")
