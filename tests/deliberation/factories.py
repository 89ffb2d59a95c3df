"""Committees written through the services: a five-person group of 民主村's first village group and a
villagers' representatives meeting running 四议两公开, with a login for every member."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from grassroots.accounts.models import Role
from grassroots.areas.models import VillageGroup
from grassroots.deliberation import services
from grassroots.deliberation.models import (
    ChosenHow,
    Committee,
    CommitteeKind,
    Membership,
    ProcessKey,
    SeatRole,
    Topic,
    TopicKind,
)
from tests import world
from tests.factories import area, grid, user_with

TOWNSHIP = world.MINZHU_TOWNSHIP  # 临河区 干召庙镇
VILLAGE = world.MINZHU  # 民主村
GRID = world.MINZHU_G1
GRID_2 = world.MINZHU_G2
OTHER_VILLAGE = world.XINHUA
OTHER_GRID = world.XINHUA_GRID
START = dt.date(2024, 3, 1)

FIVE_SEATS = [
    (1, SeatRole.GROUP_LEADER, ChosenHow.EX_OFFICIO),
    (2, SeatRole.PARTY_GROUP_LEADER, ChosenHow.EX_OFFICIO),
    (3, SeatRole.ELECTED_VILLAGER, ChosenHow.ELECTED),
    (4, SeatRole.ELECTED_VILLAGER, ChosenHow.ELECTED),
    (5, SeatRole.ELECTED_VILLAGER, ChosenHow.ELECTED),
]
FOUR_TWO_SEATS = [
    SeatRole.PARTY_SECRETARY,
    SeatRole.BRANCH_MEMBER,
    SeatRole.COMMITTEE_CHAIR,
    SeatRole.COMMITTEE_MEMBER,
    SeatRole.REPRESENTATIVE,
    SeatRole.REPRESENTATIVE,
    SeatRole.REPRESENTATIVE,
]


def village(code: str = VILLAGE, name: str = "民主村"):
    world.place(code + "001")
    world.place(code + "002")
    return area(code, name)


def village_group(code: str = VILLAGE, number: int = 1) -> VillageGroup:
    v = village(code)
    group, _ = VillageGroup.objects.get_or_create(village=v, number=number, defaults={"name": f"{number}组"})
    return group


def manager(code: str = VILLAGE, **fields):
    village(code) if len(code) == 12 else area(code)
    return user_with(Role.VILLAGE_STAFF, code, **fields)


def resident(code: str = GRID, **fields):
    grid(code)
    return user_with(Role.RESIDENT, code, **fields)


@dataclass
class Group:
    committee: Committee
    members: list  # users, in seat order
    manager: object
    memberships: list = field(default_factory=list)


def five_person_group(*, number: int = 1, is_public: bool = True, boss=None, names=None) -> Group:
    boss = boss or manager()
    committee = services.committee_create(
        actor=boss,
        kind=CommitteeKind.FIVE_PERSON_GROUP,
        name=f"民主村{number}组五人小组",
        area_code=VILLAGE,
        village_group=village_group(VILLAGE, number),
        is_public=is_public,
    )
    names = names or ["王组长", "李党小组长", "张村民", "赵村民", "刘村民"]
    members, memberships = [], []
    for (seat, role, how), name in zip(FIVE_SEATS, names, strict=True):
        user = resident(GRID, display_name=name)
        members.append(user)
        memberships.append(
            services.membership_appoint(
                actor=boss,
                committee=committee,
                seat=seat,
                role=role,
                chosen_how=how,
                user=user,
                name=name,
                started_on=START,
                term_ends_on=START.replace(year=START.year + 3),
            )
        )
    return Group(committee, members, boss, memberships)


def four_two_committee(*, is_public: bool = True, boss=None) -> Group:
    boss = boss or manager()
    committee = services.committee_create(
        actor=boss,
        kind=CommitteeKind.REPRESENTATIVES_MEETING,
        name="民主村村民代表会议",
        area_code=VILLAGE,
        is_public=is_public,
    )
    members, memberships = [], []
    for n, role in enumerate(FOUR_TWO_SEATS, start=1):
        user = resident(GRID_2, display_name=f"代表{n}")
        members.append(user)
        memberships.append(
            services.membership_appoint(
                actor=boss,
                committee=committee,
                role=role,
                chosen_how=ChosenHow.ELECTED,
                user=user,
                name=f"代表{n}",
                started_on=START,
            )
        )
    return Group(committee, members, boss, memberships)


def propose(committee: Committee, by=None, **fields) -> Topic:
    by = by or resident(GRID)
    fields.setdefault("kind", TopicKind.DEVELOPMENT_PROPOSAL)
    fields.setdefault("title", "修建村组道路")
    fields.setdefault("description", "一组到二组之间的土路雨天无法通行, 建议硬化。")
    return services.topic_propose(actor=by, committee=committee, **fields)


def fresh(topic: Topic) -> Topic:
    return Topic.objects.select_related("committee").get(pk=topic.pk)


def five_person_to(topic: Topic, members: list, step: str) -> Topic:
    """Drive a five-person group's topic to ``step`` along the main line (everyone agrees)."""
    order = ["propose", "discuss", "resolve", "sign", "publish", "carry_out", "evaluate"]
    target = order.index(step)
    topic = fresh(topic)
    if target >= 1 and topic.step == "propose":
        topic = services.topic_put_on_agenda(actor=members[0], topic=topic)
    if target >= 2 and topic.step == "discuss":
        for m in members:
            topic = services.opinion_record(actor=m, topic=topic, stance="support", text="同意修路")
    if target >= 3 and topic.step == "resolve":
        topic = services.resolution_draft(
            actor=members[0], topic=topic, text="硬化道路1.2公里, 每户出工两天。"
        )
        for m in members:
            topic = services.ballot_cast(actor=m, topic=topic, choice="agree")
    if target >= 4 and topic.step == "sign":
        for m in members:
            topic = services.signature_sign(actor=m, topic=topic)
    if target >= 5 and topic.step == "publish":
        topic = services.decision_publish(actor=members[0], topic=topic)
    if target >= 6 and topic.step == "carry_out":
        topic = services.progress_record(
            actor=members[0], topic=topic, status="done", percent=100, note="完工"
        )
    assert topic.step == step, (topic.step, step)
    return fresh(topic)


def five_person_group_unaudited(*, number: int = 1, is_public: bool = True, names=None) -> Group:
    """The same group written straight to the tables, without the audit records the services append.

    For browser tests on SQLite: their database is flushed after each test, and the audit log's
    append-only trigger refuses that flush."""
    boss = manager()
    group = village_group(VILLAGE, number)
    committee = Committee.objects.create(
        kind=CommitteeKind.FIVE_PERSON_GROUP,
        name=f"民主村{number}组五人小组",
        area=group.village,
        area_code=VILLAGE,
        village_group=group,
        process=ProcessKey.FIVE_PERSON,
        is_public=is_public,
        formed_on=START,
    )
    names = names or ["王组长", "李党小组长", "张村民", "赵村民", "刘村民"]
    members, memberships = [], []
    for (seat, role, how), name in zip(FIVE_SEATS, names, strict=True):
        user = resident(GRID, display_name=name)
        members.append(user)
        memberships.append(
            Membership.objects.create(
                committee=committee,
                area_code=VILLAGE,
                seat=seat,
                role=role,
                name=name,
                user=user,
                chosen_how=how,
                started_on=START,
                term_ends_on=START.replace(year=START.year + 3),
            )
        )
    return Group(committee, members, boss, memberships)
