"""Deliberation in the demo city: five-person groups in 民主村's village groups and elsewhere, a villagers'
representatives meeting in 民主村 running 四议两公开, a villager council, and topics in every step.

Committees and seats are seed data and are written in bulk (every member is a synthetic resident with a
login on a grid of the village, linked to a register entry when the register has one). Topics are driven
through the deliberation services with the clock frozen at each moment, so every opinion, vote, signature,
timeline line and notification is what the platform itself would have written. Everything is synthetic.

Member logins use the demo password: in 民主村 the group leader of group 1 is ``minzhu1-1``, its party group
leader ``minzhu1-2``, the elected villagers ``minzhu1-3`` … ``minzhu1-5`` (group 2: ``minzhu2-1`` …); the
representatives meeting's party secretary is ``minzhu-rep1``; residents who propose and rate are
``minzhu-cunmin1`` … .
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageDraw

from grassroots import clock
from grassroots.accounts.models import Role, RoleGrant, User
from grassroots.areas.codes import Level
from grassroots.areas.models import Area, Grid, VillageGroup
from grassroots.deliberation import services
from grassroots.deliberation.models import (
    Attendance,
    Ballot,
    ChosenHow,
    Comment,
    Committee,
    CommitteeKind,
    Follow,
    Meeting,
    MeetingItem,
    Membership,
    Opinion,
    ProcessKey,
    ProgressEntry,
    Resolution,
    SeatRole,
    Signature,
    Tally,
    Topic,
    TopicEvent,
    TopicKind,
    TopicLink,
    TopicRating,
)
from grassroots.errors import DomainError
from grassroots.notifications.models import Notification
from grassroots.people.models import Resident, ResidentStatus

from .city import CITY_CODE, SEED_CODES
from .logins import PASSWORD
from .steps import DemoContext

MINZHU = SEED_CODES["民主村"]
USER_PREFIXES = ("minzhu", "dlb-")
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
# Five-person groups at city scale: the seed's 1,187 village groups in 151 villages (DESIGN.md section 4);
# at small scale one or two groups in every village. Topics are driven through the services in 民主村 and in
# up to TOPIC_COMMITTEES other groups.
CITY_GROUPS, CITY_VILLAGES, TOPIC_COMMITTEES = 1187, 151, {"small": 16, "city": 60}

FIVE_PERSON_STATES = [
    "propose",
    "declined",
    "discuss",
    "resolve",
    "sign",
    "returned",
    "publish",
    "carry_out",
    "evaluate",
    "closed",
]
FOUR_TWO_STATES = ["consult", "review_failed", "decide", "carry_out", "publish_result", "evaluate"]

MATTERS = {
    TopicKind.DISPUTE_MEDIATION: [
        ("宅基地边界纠纷", "两户之间的院墙边界有争议，双方各执一词，请小组主持调解。"),
        ("灌溉用水轮次纠纷", "秋浇时上下游两户为放水先后发生争执，影响了浇地。"),
        ("排水沟堵塞纠纷", "邻户垫高院子后排水沟被堵，雨天积水进了我家院子。"),
        ("承包地界桩移动", "春耕时发现地界桩被挪动，相邻两户对地界有异议。"),
        ("牲畜啃食庄稼赔偿", "散养的羊进地啃了向日葵苗，双方对赔偿数额谈不拢。"),
    ],
    TopicKind.DEVELOPMENT_PROPOSAL: [
        ("硬化组内主路", "组内主路约1.2公里仍是土路，雨天无法通行，建议申请项目硬化。"),
        ("建设农机具停放场", "农机具沿路乱停，建议利用组东头空地建集中停放场。"),
        ("引进向日葵收购加工点", "建议与合作社联系，在组里设收购点，减少外运成本。"),
        ("修建文化小广场", "组里老人孩子没有活动场地，建议在老场院修建小广场。"),
        ("安装太阳能路灯", "组内主路晚上没有照明，建议安装二十盏太阳能路灯。"),
    ],
    TopicKind.GROUP_AFFAIRS: [
        ("组集体机动地发包方案", "组里二十亩机动地合同到期，需要商定重新发包的办法和底价。"),
        ("秋浇用水分配", "今年秋浇水量偏少，需要商定各户轮灌顺序和时间。"),
        ("垃圾清运费用分摊", "组里垃圾清运每年费用约六千元，需要商定各户分摊办法。"),
        ("防汛值班安排", "汛期将至，需要排定组内防汛值班人员和巡查路线。"),
    ],
    TopicKind.RESULT_EVALUATION: [
        ("去年道路修缮成效评议", "去年修缮的组内道路已使用一年，请大家评一评效果。"),
        ("秸秆还田补贴发放评议", "秸秆还田补贴已发放到户，请大家评议发放是否公平及时。"),
        ("保洁员工作评议", "组里保洁员上岗一年，请大家评议工作情况。"),
    ],
}
RESOLUTIONS = {
    TopicKind.DISPUTE_MEDIATION: "经现场丈量，以原有界址为准，双方各让一步，由小组监督执行，今后不再争议。",
    TopicKind.DEVELOPMENT_PROPOSAL: "同意实施，由组长牵头向村委会申报项目，资金不足部分按户均摊，每户出工两天。",
    TopicKind.GROUP_AFFAIRS: "按小组商定的方案执行，方案在组务公开栏公示七天，无异议后实施。",
    TopicKind.RESULT_EVALUATION: "评议结果在组务公开栏公布，存在的问题由组长限期整改。",
}
OPINIONS = {
    "support": [
        "同意，早办早好。",
        "赞成，建议先摸清各户意见。",
        "同意，资金要公开。",
        "支持，我家愿意多出工。",
    ],
    "oppose": ["不同意，眼下资金不够。", "反对，方案对几户不公平。"],
    "reserve": ["原则同意，但细节还要再商量。", "保留意见，补偿标准需要说清。"],
}
REFUSALS = [
    "补偿标准没有写进决议，我不签。",
    "决议和会上说的不一致，需要重新讨论。",
    "占地户的意见还没征求，暂不签字。",
]
PROGRESS = ["材料已进场。", "路基完成，开始铺设。", "已完成一半。", "主体完工，正在收尾。"]
DECLINES = ["属于村级事务，已转村委会办理。", "与上月已议定的议题重复，请关注原议题。"]


def _sheet_photo(title: str) -> SimpleUploadedFile:
    """A drawn stand-in for the photo of a paper sign-in sheet (synthetic)."""
    image = Image.new("RGB", (480, 360), (246, 243, 232))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 340), outline=(90, 90, 90), width=2)
    for y in range(70, 330, 36):
        draw.line((30, y, 450, y), fill=(160, 160, 160), width=1)
    draw.text((30, 30), "SIGN-IN SHEET (synthetic demo)", fill=(40, 40, 40))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=80)
    return SimpleUploadedFile(f"{title}.jpg", buf.getvalue(), content_type="image/jpeg")


@dataclass
class _Village:
    area: Area
    grid_by_group: dict[int, Area]
    first_grid: Area
    residents: list[str] = field(default_factory=list)  # register names, for members' names
    register: dict[str, Resident] = field(default_factory=dict)


class DeliberationStep:
    name = "deliberation"
    label = _("deliberation: five-person groups, councils, topics in every step")

    def run(self, ctx: DemoContext) -> dict[str, int]:
        self.rng = ctx.rng(self.name)
        self.fake = ctx.faker(self.name)
        self.password_hash = make_password(PASSWORD)
        self.counts: Counter = Counter()
        self.now = clock.now()
        # committees, their members' logins, grants and seats are seed data: built here as objects and written
        # in bulk (``_write``) before the services drive a topic that needs them, and at the end
        self.pending: dict[str, list] = {"committees": [], "users": [], "grants": [], "seats": []}
        self.pending_users: dict[str, User] = {}
        self.existing = set(
            User.objects.filter(
                Q(username__startswith=USER_PREFIXES[0]) | Q(username__startswith=USER_PREFIXES[1])
            ).values_list("username", flat=True)
        )
        villages = self._villages(ctx)
        if not villages:
            return {"committees": 0}
        minzhu = next((v for v in villages if v.area.code == MINZHU), None)
        self.residents_by_village: dict[str, list[User]] = {}
        driven = 0
        budget = TOPIC_COMMITTEES.get(ctx.scale.name, 30)
        # 民主村 first: every village group gets its five-person group; group 1 has a topic in every step.
        if minzhu is not None:
            for group in VillageGroup.objects.filter(village=minzhu.area).order_by("number"):
                committee, members = self._five_person_group(
                    minzhu, group, usernames=f"minzhu{group.number}-"
                )
                states = FIVE_PERSON_STATES if group.number == 1 else self.rng.sample(FIVE_PERSON_STATES, 4)
                self._topics(committee, members, minzhu, states)
                driven += 1
                if group.number == 1:
                    self._meetings(committee, members)
            self._representatives(minzhu)
        others = [v for v in villages if v is not minzhu]
        groups_left = (CITY_GROUPS if ctx.scale.name == "city" else 2 * len(others)) - self.counts[
            "five_person_groups"
        ]
        for n, village in enumerate(others):
            groups = list(VillageGroup.objects.filter(village=village.area).order_by("number"))
            take = groups if ctx.scale.name == "city" else groups[: self.rng.choice([1, 2])]
            for group in take[: max(groups_left, 0)]:
                committee, members = self._five_person_group(village, group)
                groups_left -= 1
                if driven < budget:
                    self._topics(committee, members, village, self.rng.sample(FIVE_PERSON_STATES, 2))
                    driven += 1
            if n == 0:
                self._council(village)
        self._write()
        return dict(sorted(self.counts.items()))

    def _write(self) -> None:
        """Write the committees, logins, grants and seats built since the last call, each table in the order
        they were built (so each gets the ids it would have got one row at a time)."""
        pending = self.pending
        Committee.objects.bulk_create(pending["committees"], batch_size=2000)
        User.objects.bulk_create(pending["users"], batch_size=2000)
        RoleGrant.objects.bulk_create(pending["grants"], batch_size=2000)
        Membership.objects.bulk_create(pending["seats"], batch_size=2000)
        for rows in pending.values():
            rows.clear()
        self.pending_users.clear()

    def reset(self, ctx: DemoContext) -> None:
        committees = Committee.objects.filter(is_synthetic=True, area_code__startswith=CITY_CODE)
        topics = Topic.objects.filter(committee__in=committees)
        topic_ids = [str(pk) for pk in topics.values_list("pk", flat=True)]
        meetings = Meeting.objects.filter(committee__in=committees)
        Notification.objects.filter(target_type="deliberation.topic", target_id__in=topic_ids).delete()
        Notification.objects.filter(
            target_type="deliberation.meeting",
            target_id__in=[str(pk) for pk in meetings.values_list("pk", flat=True)],
        ).delete()
        for model in (TopicRating, Comment, Follow, TopicLink, MeetingItem):
            model.objects.filter(topic__in=topics).delete()
        for model in (Signature, Tally, ProgressEntry, TopicEvent):
            model.objects.filter(topic__in=topics).delete()
        for model in (Ballot, Opinion):  # corrections point at what they correct: delete from the newest
            rows = model.objects.filter(topic__in=topics)
            while rows.exists():
                rows.filter(corrections__isnull=True).delete()
        Attendance.objects.filter(meeting__in=meetings).delete()
        Topic.objects.filter(pk__in=topics).update(resolution=None)
        Resolution.objects.filter(topic__in=topics).delete()
        meetings.delete()
        topics.delete()
        Membership.objects.filter(committee__in=committees).delete()
        committees.delete()
        people = User.objects.filter(
            Q(username__startswith=USER_PREFIXES[0]) | Q(username__startswith=USER_PREFIXES[1]),
            is_synthetic=True,
        )
        RoleGrant.objects.filter(user__in=people).delete()
        people.delete()

    # --- places and people ---------------------------------------------------------------------------------------

    def _villages(self, ctx: DemoContext) -> list[_Village]:
        areas = list(
            Area.objects.filter(level=Level.VILLAGE, code__startswith=CITY_CODE, village_groups__isnull=False)
            .distinct()
            .order_by("code")
        )
        if ctx.scale.name == "city":
            keep = {MINZHU} | {a.code for a in self.rng.sample(areas, min(CITY_VILLAGES, len(areas)))}
            areas = [a for a in areas if a.code in keep][:CITY_VILLAGES]
        grids = (
            Grid.objects.filter(area__parent__in=areas)
            .select_related("area")
            .prefetch_related("village_groups")
        )
        by_village: dict[int, list[Grid]] = {}
        for g in grids.order_by("area__code"):
            by_village.setdefault(g.area.parent_id, []).append(g)
        villages = []
        for area in areas:
            village_grids = by_village.get(area.pk, [])
            if not village_grids:
                continue
            by_group = {}
            for g in village_grids:
                for vg in g.village_groups.all():
                    by_group.setdefault(vg.number, g.area)
            villages.append(_Village(area, by_group, village_grids[0].area))
        registered = Resident.objects.filter(
            area_code__startswith=MINZHU, status=ResidentStatus.PRESENT, birth_date__lte=dt.date(2000, 1, 1)
        ).order_by("id")[:400]
        for village in villages:
            if village.area.code == MINZHU:
                village.register = {r.name: r for r in registered}
                village.residents = list(village.register)
        return villages

    def _name(self, village: _Village) -> str:
        if village.residents:
            return village.residents.pop(self.rng.randrange(len(village.residents)))
        return self.fake.name()

    def _login(self, username: str, name: str, grid: Area) -> User:
        user = self.pending_users.get(username)
        if user is None and username in self.existing:
            user = User.objects.get(username=username)
        if user is None:
            user = User(username=username, display_name=name, password=self.password_hash, is_synthetic=True)
            self.pending["users"].append(user)
            self.pending["grants"].append(
                RoleGrant(user=user, role=Role.RESIDENT, area=grid, area_code=grid.code)
            )
            self.pending_users[username] = user
            self.existing.add(username)
            self.counts["logins"] += 1
        return user

    def _residents(self, village: _Village, count: int = 8) -> list[User]:
        """Residents of the village with logins, who propose, comment, follow and rate."""
        if village.area.code not in self.residents_by_village:
            prefix = "minzhu-cunmin" if village.area.code == MINZHU else f"dlb-{village.area.code}-cunmin"
            self.residents_by_village[village.area.code] = [
                self._login(f"{prefix}{n}", self.fake.name(), village.first_grid) for n in range(1, count + 1)
            ]
        return self.residents_by_village[village.area.code]

    # --- committees -------------------------------------------------------------------------------------------

    def _committee(self, village: _Village, kind: str, name: str, process: str, group=None) -> Committee:
        self.counts[{CommitteeKind.FIVE_PERSON_GROUP: "five_person_groups"}.get(kind, "committees")] += 1
        committee = Committee(
            kind=kind,
            name=name,
            area=village.area,
            area_code=village.area.code,
            village_group=group,
            process=process,
            is_public=self.rng.random() < 0.9 or village.area.code == MINZHU,
            formed_on=dt.date(2023, 3, 1) + dt.timedelta(days=self.rng.randint(0, 200)),
            is_synthetic=True,
        )
        self.pending["committees"].append(committee)
        return committee

    def _seat(self, committee, village, grid, *, seat, role, how, note, username, started) -> User:
        name = self._name(village)
        user = self._login(username, name, grid)
        self.pending["seats"].append(Membership(
            committee=committee,
            area_code=committee.area_code,
            seat=seat,
            role=role,
            name=name,
            user=user,
            resident=village.register.get(name),
            chosen_how=how,
            chosen_note=note,
            started_on=started,
            term_ends_on=started.replace(year=started.year + 3),
        ))  # fmt: skip
        self.counts["members"] += 1
        return user

    def _five_person_group(self, village: _Village, group: VillageGroup, usernames: str = ""):
        committee = self._committee(
            village,
            CommitteeKind.FIVE_PERSON_GROUP,
            f"{village.area.name}{group.name}五人小组",
            ProcessKey.FIVE_PERSON,
            group,
        )
        grid = village.grid_by_group.get(group.number, village.first_grid)
        prefix = usernames or f"dlb-{village.area.code}-{group.number}-"
        started = committee.formed_on
        seats = [
            (SeatRole.GROUP_LEADER, ChosenHow.EX_OFFICIO, "村民小组长，当然成员"),
            (SeatRole.PARTY_GROUP_LEADER, ChosenHow.EX_OFFICIO, "党小组长，当然成员"),
            *[(SeatRole.ELECTED_VILLAGER, ChosenHow.ELECTED, "组民会议推选") for _ in range(3)],
        ]
        members = [
            self._seat(
                committee,
                village,
                grid,
                seat=n,
                role=role,
                how=how,
                note=note,
                username=f"{prefix}{n}",
                started=started,
            )
            for n, (role, how, note) in enumerate(seats, start=1)
        ]
        if self.rng.random() < 0.25:  # some groups show history: an earlier elected villager who moved away
            self.pending["seats"].append(Membership(
                committee=committee,
                area_code=committee.area_code,
                role=SeatRole.ELECTED_VILLAGER,
                name=self._name(village),
                chosen_how=ChosenHow.ELECTED,
                chosen_note="组民会议推选",
                started_on=started - dt.timedelta(days=700),
                ended_on=started - dt.timedelta(days=1),
                end_reason="外出务工，辞去成员",
            ))  # fmt: skip
        return committee, members

    def _representatives(self, village: _Village) -> None:
        committee = self._committee(
            village,
            CommitteeKind.REPRESENTATIVES_MEETING,
            f"{village.area.name}村民代表会议",
            ProcessKey.FOUR_TWO,
        )
        roles = [
            SeatRole.PARTY_SECRETARY,
            SeatRole.BRANCH_MEMBER,
            SeatRole.COMMITTEE_CHAIR,
            SeatRole.COMMITTEE_MEMBER,
            *[SeatRole.REPRESENTATIVE] * 5,
        ]
        members = [
            self._seat(
                committee,
                village,
                village.first_grid,
                seat=None,
                role=role,
                how=ChosenHow.ELECTED,
                note="村民选举产生" if role == SeatRole.REPRESENTATIVE else "村两委成员",
                username=f"minzhu-rep{n}",
                started=committee.formed_on,
            )
            for n, role in enumerate(roles, start=1)
        ]
        residents = self._residents(village)
        self._write()
        for state in FOUR_TWO_STATES:
            self._four_two_topic(committee, members, residents, state)

    def _council(self, village: _Village) -> None:
        committee = self._committee(
            village, CommitteeKind.VILLAGER_COUNCIL, f"{village.area.name}村民理事会", ProcessKey.FIVE_PERSON
        )
        roles = [
            SeatRole.COUNCIL_CHAIR,
            SeatRole.COUNCIL_VICE_CHAIR,
            SeatRole.COUNCILLOR,
            SeatRole.COUNCILLOR,
            SeatRole.COUNCILLOR,
        ]
        members = [
            self._seat(
                committee,
                village,
                village.first_grid,
                seat=n,
                role=role,
                how=ChosenHow.ELECTED,
                note="村民会议推选",
                username=f"dlb-{village.area.code}-council-{n}",
                started=committee.formed_on,
            )
            for n, role in enumerate(roles, start=1)
        ]
        self._topics(committee, members, village, ["carry_out", "discuss"])

    # --- topics -----------------------------------------------------------------------------------------------

    def _at(self, moment: dt.datetime, call, **kwargs):
        with clock.frozen(min(moment, self.now - dt.timedelta(minutes=5))):
            return call(**kwargs)

    def _topics(self, committee, members, village, states) -> None:
        residents = self._residents(village)
        self._write()
        for state in states:
            kind = self.rng.choice(list(MATTERS))
            title, description = self.rng.choice(MATTERS[kind])
            start = self.now - dt.timedelta(days=self.rng.randint(12, 300), hours=self.rng.randint(0, 12))
            proposer = self.rng.choice(residents + members[:1])
            topic = self._at(
                start,
                services.topic_propose,
                actor=proposer,
                committee=committee,
                kind=kind,
                title=title,
                description=description,
            )
            Topic.objects.filter(pk=topic.pk).update(is_synthetic=True)
            try:
                self._drive(topic, members, residents, state, start)
            except DomainError as exc:  # a bug in the generator must not leave a half-built demo unnoticed
                raise RuntimeError(f"demo topic {topic.pk} ({state}): {exc.code} {exc}") from exc
            self.counts["topics"] += 1
            self.counts[f"topics_{state}"] += 1

    def _drive(self, topic, members, residents, state, t) -> None:
        rng = self.rng
        kind = topic.kind
        tick = lambda hours=6: t + dt.timedelta(hours=rng.randint(1, hours))  # noqa: E731

        def act(call, **kwargs):
            nonlocal t
            t = tick()
            return self._at(t, call, topic=topic, **kwargs)

        for follower in rng.sample(residents, 2):
            self._at(t, services.topic_follow, actor=follower, topic=topic)
        if state == "propose":
            return
        if state == "declined":
            act(services.topic_decline, actor=members[0], reason=rng.choice(DECLINES))
            return
        act(services.topic_put_on_agenda, actor=members[rng.randrange(len(members))])
        self._at(
            t + HOUR,
            services.comment_add,
            actor=rng.choice(residents),
            topic=topic,
            text="支持，希望尽快落实。",
        )

        def discuss(how_many: int | None = None):
            for n, member in enumerate(members[:how_many]):
                stance = "support" if rng.random() < 0.75 else rng.choice(["oppose", "reserve"])
                act(services.opinion_record, actor=member, stance=stance, text=rng.choice(OPINIONS[stance]))
                if n == 1 and stance != "support" and rng.random() < 0.5:
                    mine = Opinion.objects.filter(topic=topic, author=member).latest("id")
                    self._at(
                        tick(), services.opinion_correct, actor=member, opinion=mine, stance="support",
                        text="听了大家的说明，改为同意。",
                    )  # fmt: skip

        def vote(voters=members, agree=True):
            act(services.resolution_draft, actor=members[0], text=RESOLUTIONS[kind])
            for member in voters:
                choice = "agree" if agree or rng.random() < 0.3 else "disagree"
                act(services.ballot_cast, actor=member, choice=choice)

        if state == "discuss":
            discuss(rng.randint(2, len(members) - 1))
            return
        discuss()
        if state == "resolve":
            vote(voters=members[: rng.randint(1, 3)])
            return
        vote()
        if state == "sign":
            for member in members[: rng.randint(2, 4)]:
                act(services.signature_sign, actor=member)
            return
        returned = state == "returned" or rng.random() < 0.3
        if returned:
            for member in members[:4]:
                act(services.signature_sign, actor=member)
            act(services.signature_refuse, actor=members[4], reason=rng.choice(REFUSALS))
            if state == "returned":
                discuss(rng.randint(1, 3))
                return
            discuss()
            vote()
        for member in members:
            act(services.signature_sign, actor=member)
        if state == "publish":
            return
        act(services.decision_publish, actor=members[0], note="决议已在组务公开栏张贴。")
        if state == "carry_out":
            act(services.progress_record, actor=members[0], status="in_progress", percent=rng.choice([20, 40, 60, 80]),
                note=rng.choice(PROGRESS))  # fmt: skip
            return
        act(
            services.progress_record,
            actor=members[0],
            status="in_progress",
            percent=50,
            note=rng.choice(PROGRESS),
        )
        act(services.progress_record, actor=members[0], status="done", percent=100, note="已全部完成。")
        for resident in rng.sample(residents, rng.randint(3, 6)):
            rating = rng.choices(["satisfied", "basically", "unsatisfied"], weights=[70, 22, 8])[0]
            self._at(tick(), services.topic_rate, actor=resident, topic=topic, rating=rating)
            self.counts["ratings"] += 1
        if state == "closed":
            act(services.topic_close, actor=members[0], note="评议结束。")

    def _four_two_topic(self, committee, members, residents, state) -> None:
        rng = self.rng
        secretary, branch, chair, committee_member = members[:4]
        title, description = {
            "consult": ("村集体机动地流转方案", "村集体二百亩机动地合同到期，拟公开流转。"),
            "review_failed": ("村部办公楼维修", "村部屋顶漏雨，拟维修，预算约八万元。"),
            "decide": ("申报高标准农田项目", "拟申报高标准农田建设项目，涉及三个村民小组。"),
            "carry_out": ("村内主干道亮化工程", "拟在主干道安装路灯六十盏。"),
            "publish_result": ("村集体收益分配方案", "去年村集体经营收益分配方案。"),
            "evaluate": ("村卫生室搬迁", "卫生室房屋老旧，拟搬迁到村部西侧。"),
        }[state]
        t = self.now - dt.timedelta(days=rng.randint(20, 250))
        proposer = rng.choice(residents)
        topic = self._at(t, services.topic_propose, actor=proposer, committee=committee, kind=TopicKind.GROUP_AFFAIRS,
                         title=title, description=description)  # fmt: skip
        Topic.objects.filter(pk=topic.pk).update(is_synthetic=True)
        clock_ = [t]

        def act(call, **kwargs):
            clock_[0] += dt.timedelta(hours=rng.randint(2, 30))
            return self._at(clock_[0], call, topic=topic, **kwargs)

        act(services.topic_put_on_agenda, actor=secretary, note="党支部提议。")
        opinions = [secretary, branch, chair, committee_member]
        for member in opinions[: 2 if state == "consult" else 4]:
            act(services.opinion_record, actor=member, stance="support", text=rng.choice(OPINIONS["support"]))
        if state == "consult":
            self._count(state)
            return

        def review(present, agree):
            act(
                services.tally_record, actor=secretary, text=f"{title}（草案）", expected=36, present=present,
                agree=agree, disagree=present - agree, abstain=0, held_on=clock_[0].date(), place="村党群服务中心",
                sign_in_sheet=_sheet_photo("党员大会签到表"),
            )  # fmt: skip

        if state == "review_failed":
            review(present=21, agree=20)  # 21 of 36 is below ⅔: back to the two committees
            act(
                services.opinion_record,
                actor=secretary,
                stance="reserve",
                text="党员到会不足三分之二，下周重新召开。",
            )
            self._count(state)
            return
        review(present=30, agree=26)
        act(services.resolution_draft, actor=chair, text=f"同意{title}，由村委会组织实施。")
        voters = members if state != "decide" else members[:5]
        for member in voters:
            act(services.ballot_cast, actor=member, choice="agree" if rng.random() < 0.85 else "disagree")
        if state == "decide":
            self._count(state)
            return
        if Topic.objects.get(pk=topic.pk).step != "publish_decision":
            self._count(state)
            return
        act(services.decision_publish, actor=chair, note="决议已在村务公开栏公示。")
        act(
            services.progress_record,
            actor=committee_member,
            status="in_progress",
            percent=40,
            note="已开始实施。",
        )
        if state == "carry_out":
            self._count(state)
            return
        act(services.progress_record, actor=committee_member, status="done", percent=100, note="实施完毕。")
        if state == "publish_result":
            self._count(state)
            return
        act(services.decision_publish, actor=chair, note="实施结果已公开。")
        for resident in rng.sample(residents, 5):
            self._at(clock_[0] + DAY, services.topic_rate, actor=resident, topic=topic,
                     rating=rng.choices(["satisfied", "basically", "unsatisfied"], weights=[65, 25, 10])[0])  # fmt: skip
            self.counts["ratings"] += 1
        self._count(state)

    def _count(self, state: str) -> None:
        self.counts["topics"] += 1
        self.counts[f"topics_{state}"] += 1

    def _meetings(self, committee, members) -> None:
        """A paper meeting recorded afterwards with its sign-in sheet, and one called for next week."""
        open_topics = list(
            Topic.objects.filter(committee=committee).exclude(step__in=["declined", "closed"])[:3]
        )
        held = self.now - dt.timedelta(days=9)
        self._at(
            held + DAY,
            services.meeting_record_offline,
            actor=members[0],
            committee=committee,
            title="五人小组月度议事会",
            starts_at=held,
            place="组长家院子",
            minutes="议了组内道路和秋浇用水，各成员发表了意见。",
            present=list(
                Membership.objects.filter(committee=committee, ended_on__isnull=True).values_list(
                    "pk", flat=True
                )[:4]
            ),
            sign_in_sheet=_sheet_photo("五人小组签到表"),
            topic_ids=[t.pk for t in open_topics],
        )
        upcoming = timezone.localtime(self.now + dt.timedelta(days=7)).replace(
            hour=19, minute=30, second=0, microsecond=0
        )
        self._at(
            self.now,
            services.meeting_schedule,
            actor=members[0],
            committee=committee,
            title="五人小组议事会",
            starts_at=upcoming,
            place="村民小组活动室",
            topic_ids=[t.pk for t in open_topics[:2]],
        )
        self.counts["meetings"] += 2
