"""Party organisations, members with check-ins and service hours, volunteer teams, villager councils and
patrols with tracks for the demo city.

Every community and village gets a party committee (community) or general branch (village) and a party
branch on each of its grids with two to four members of its own. Each county has office branches and a
retired cadres' branch, and every property company and co-building unit a branch of its own; their members
check in (报到) by their kind's rule: in-service members (about one per grid) and retired members or old
cadres (in about two grids in five) to the branch of the grid where they live, members of the companies and
units to a grid branch of the community or county where their unit is. Most check-ins are confirmed, with a
few service records. Every community and village has a
volunteer team; villages also a villager council; each with two activities. About one grid in four has a
patrol by its grid worker with a track of some forty positions; the demo grid worker login has one too.
The demo resident login is an in-service member with a confirmed check-in; the demo party member login a
retired cadre whose check-in waits for the grid branch. Inserted in bulk.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.areas.codes import Level
from grassroots.areas.models import Area, AreaKind, Grid
from grassroots.people.codes import PlaceKind
from grassroots.people.models import Place
from grassroots.people.services.transfer.write import copy_rows
from grassroots.workforce.models import (
    Assignment,
    AssignmentRole,
    CheckIn,
    CheckInStatus,
    GroupActivity,
    GroupKind,
    GroupMember,
    MemberKind,
    PartyMember,
    PartyOrganisation,
    PartyOrgKind,
    Patrol,
    PatrolPoint,
    ServiceGroup,
    ServiceRecord,
)

from .city import CITY_CODE
from .logins import PARTY_MEMBER_USERNAME
from .steps import DemoContext

PLEDGES = [
    "周末为独居老人代购",
    "辅导社区儿童作业",
    "参加夜间治安巡逻",
    "垃圾分类宣传",
    "义务理发",
    "政策法规宣讲",
]
SERVICES = ["走访独居老人", "清理楼道杂物", "协助核酸采样点秩序", "宣讲惠农政策", "陪同就医", "调解邻里纠纷"]
ACTIVITIES = ["清理村道垃圾", "关爱留守儿童", "义诊", "植树", "移风易俗宣讲", "修缮村民活动室"]
COMMUNITY_KINDS = {AreaKind.COMMUNITY}
OFFICE_BRANCHES = ["教育局机关党支部", "卫生健康委员会机关党支部", "住房和城乡建设局机关党支部"]


class WorkforceStep:
    name = "workforce"
    label = _("party organisations, check-ins, teams, councils and patrols")

    def run(self, ctx: DemoContext) -> dict[str, int]:
        rng = ctx.rng("workforce")
        fake = ctx.faker("workforce")
        today = clock.today()
        year = today.year
        villages = list(
            Area.objects.filter(code__startswith=CITY_CODE, level=Level.VILLAGE, is_synthetic=True)
            .order_by("code")
            .values_list("code", "name", "kind")
        )
        grids_by_village: dict[str, list[str]] = {}
        for code in (
            Grid.objects.filter(area__code__startswith=CITY_CODE)
            .order_by("area__code")
            .values_list("area__code", flat=True)
        ):
            grids_by_village.setdefault(code[:12], []).append(code)

        # organisations: the parent first, then the grid branches pointing at it
        tops = PartyOrganisation.objects.bulk_create(
            [
                PartyOrganisation(
                    name=f"{name}{'党委' if kind in COMMUNITY_KINDS else '党总支'}",
                    kind=PartyOrgKind.COMMITTEE if kind in COMMUNITY_KINDS else PartyOrgKind.GENERAL_BRANCH,
                    area_code=code,
                    is_synthetic=True,
                )
                for code, name, kind in villages
            ]
        )
        top_by_code = {o.area_code: o for o in tops}
        branches = PartyOrganisation.objects.bulk_create(
            [
                PartyOrganisation(
                    name=f"第{int(g[-3:])}网格党支部",
                    kind=PartyOrgKind.BRANCH,
                    parent=top_by_code[v],
                    area_code=g,
                    is_grid_branch=True,
                    is_synthetic=True,
                )
                for v, grids in grids_by_village.items()
                if v in top_by_code
                for g in grids
            ]
        )
        # the organisations members of other kinds belong to: a county's offices (in-service members),
        # its retired cadres' branch, and the branches of the property companies and co-building units
        counties = list(
            Area.objects.filter(code__startswith=CITY_CODE, level=Level.COUNTY)
            .order_by("code")
            .values_list("code", "name")
        )
        units = list(
            Place.objects.filter(
                area_code__startswith=CITY_CODE,
                kind__in=[PlaceKind.PROPERTY_COMPANY, PlaceKind.CO_BUILDING_UNIT],
                is_synthetic=True,
            ).order_by("area_code", "id")
        )
        offices = PartyOrganisation.objects.bulk_create(
            [
                PartyOrganisation(
                    name=f"{name}{office}", kind=PartyOrgKind.BRANCH, area_code=code, is_synthetic=True
                )
                for code, name in counties
                for office in OFFICE_BRANCHES
            ]
        )
        retired_branches = PartyOrganisation.objects.bulk_create(
            [
                PartyOrganisation(
                    name=f"{name}老干部局离退休干部党支部",
                    kind=PartyOrgKind.BRANCH,
                    area_code=code,
                    is_synthetic=True,
                )
                for code, name in counties
            ]
        )
        unit_branches = PartyOrganisation.objects.bulk_create(
            [
                PartyOrganisation(
                    name=f"{unit.name}党支部",
                    kind=PartyOrgKind.BRANCH,
                    area_code=unit.area_code,
                    is_synthetic=True,
                )
                for unit in units
            ]
        )
        offices_of = {code: [o for o in offices if o.area_code == code] for code, _name in counties}
        retired_of = {o.area_code: o for o in retired_branches}

        members = []
        for branch in branches:
            county = branch.area_code[:6]
            for _i in range(rng.randint(2, 4)):  # members of the grid's own branch
                members.append(self._member(fake, branch, MemberKind.LOCAL, branch.area_code))
            for _i in range(rng.choice((0, 1, 1, 2))):  # in-service members living in the grid
                if offices_of.get(county):
                    members.append(
                        self._member(
                            fake, rng.choice(offices_of[county]), MemberKind.IN_SERVICE, branch.area_code
                        )
                    )
            if county in retired_of and rng.random() < 0.4:  # a retired member or old cadre living here
                members.append(self._member(fake, retired_of[county], MemberKind.RETIRED, branch.area_code))
        for unit, unit_branch in zip(units, unit_branches, strict=True):
            for _i in range(rng.randint(1, 3)):  # members of the property company or co-building unit
                member = self._member(fake, unit_branch, MemberKind.ORGANISATION, "")
                member.unit = unit
                members.append(member)
        resident = User.objects.filter(username="resident", is_synthetic=True).first()
        if resident is not None and members:
            home = resident.grants.values_list("area_code", flat=True).first()
            target = next(
                (m for m in members if m.home_grid_code == home and m.kind == MemberKind.IN_SERVICE),
                next(m for m in members if m.kind == MemberKind.IN_SERVICE),
            )
            target.user, target.name = resident, resident.display_name or target.name
        members = PartyMember.objects.bulk_create(members, batch_size=2000)
        branch_by_code = {b.area_code: b for b in branches}
        branches_under: dict[str, list[PartyOrganisation]] = {}
        for b in branches:
            branches_under.setdefault(b.area_code[:12], []).append(b)
            branches_under.setdefault(b.area_code[:6], []).append(b)
        start = dt.datetime.combine(today.replace(month=1, day=1), dt.time(9), tzinfo=dt.UTC)
        check_ins = []
        for m in members:
            if m.kind == MemberKind.LOCAL:
                continue  # on their own branch's roll
            if m.kind == MemberKind.ORGANISATION:
                near = branches_under.get(m.unit.area_code[:12]) or branches_under.get(m.unit.area_code[:6])
                if not near:
                    continue
                target_branch = rng.choice(near)
            else:
                target_branch = branch_by_code[m.home_grid_code]
            check_ins.append(
                CheckIn(
                    member=m,
                    branch=target_branch,
                    area_code=target_branch.area_code,
                    year=year,
                    kind=m.kind,
                    pledge=rng.choice(PLEDGES),
                    status=CheckInStatus.CONFIRMED
                    if rng.random() < 0.85 or m.user_id
                    else CheckInStatus.REQUESTED,
                    requested_at=start,
                    decided_at=start + dt.timedelta(days=2),
                )
            )
        check_ins = CheckIn.objects.bulk_create(check_ins, batch_size=2000)
        days_so_far = max((today - start.date()).days, 1)
        records = [
            ServiceRecord(
                check_in=c,
                area_code=c.area_code,
                served_on=start.date() + dt.timedelta(days=rng.randrange(days_so_far)),
                hours=Decimal(rng.choice(["1", "1.5", "2", "3", "4"])),
                description=rng.choice(SERVICES),
            )
            for c in check_ins
            if c.status == CheckInStatus.CONFIRMED
            for _i in range(rng.randint(1, 4))
        ]
        ServiceRecord.objects.bulk_create(records)
        party_member_login = self._party_member_login(retired_of, branch_by_code, year, start)

        # teams and councils
        groups = []
        for code, name, kind in villages:
            groups.append(
                ServiceGroup(kind=GroupKind.TEAM, name=f"{name}志愿服务队", area_code=code, is_synthetic=True)
            )
            if kind not in COMMUNITY_KINDS:
                groups.append(
                    ServiceGroup(
                        kind=GroupKind.COUNCIL, name=f"{name}村民理事会", area_code=code, is_synthetic=True
                    )
                )
        groups = ServiceGroup.objects.bulk_create(groups)
        group_members = []
        for group in groups:
            names = list(dict.fromkeys(fake.name() for _i in range(rng.randint(5, 9))))
            group.leader_name = names[0]
            group_members += [GroupMember(group=group, name=n, is_leader=i == 0) for i, n in enumerate(names)]
        ServiceGroup.objects.bulk_update(groups, ["leader_name"])
        group_members = GroupMember.objects.bulk_create(group_members)
        by_group: dict[int, list[GroupMember]] = {}
        for gm in group_members:
            by_group.setdefault(gm.group_id, []).append(gm)
        activities = GroupActivity.objects.bulk_create(
            [
                GroupActivity(
                    group=group,
                    area_code=group.area_code,
                    held_on=start.date() + dt.timedelta(days=rng.randrange(days_so_far)),
                    description=rng.choice(ACTIVITIES),
                    hours=Decimal(rng.choice(["2", "3", "4"])),
                )
                for group in groups
                for _i in range(2)
            ]
        )
        Through = GroupActivity.participants.through
        Through.objects.bulk_create(
            [
                Through(groupactivity_id=a.pk, groupmember_id=m.pk)
                for a in activities
                for m in rng.sample(by_group[a.group_id], k=min(3, len(by_group[a.group_id])))
            ]
        )

        # patrols with tracks, ended, within the retention period
        patrol_workers = {}
        for a in (
            Assignment.objects.filter(
                area_code__startswith=CITY_CODE, role=AssignmentRole.WORKER, ended_on__isnull=True
            )
            .select_related("worker")
            .order_by("area_code", "worker_id")
        ):
            if a.worker.user_id or (a.area_code == a.worker.area_code and rng.random() < 0.25):
                patrol_workers.setdefault(a.worker_id, (a.worker, a.area_code))  # counted in that grid
        now = clock.now()
        patrols = []
        for worker, grid_code in patrol_workers.values():
            began = now - dt.timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 6))
            patrols.append(
                Patrol(
                    worker=worker,
                    area_code=grid_code,
                    started_at=began,
                    ended_at=began + dt.timedelta(minutes=40 * 30 // 60 + rng.randint(0, 40)),
                    point_count=40,
                    is_synthetic=True,
                )
            )
        patrols = Patrol.objects.bulk_create(patrols)
        bbox = {
            g.area.code: g
            for g in Grid.objects.filter(area__code__in={p.area_code for p in patrols}).select_related("area")
        }
        # a quarter of a million positions: as column values by the register's bulk writer (COPY on
        # PostgreSQL, a prepared INSERT on SQLite), not a model instance each
        adapt = connection.ops.adapt_datetimefield_value
        points = []
        for p in patrols:
            g = bbox.get(p.area_code)
            lon = (g.min_lon + g.max_lon) / 2 if g and g.min_lon is not None else 109.0 + rng.random()
            lat = (g.min_lat + g.max_lat) / 2 if g and g.min_lat is not None else 40.5 + rng.random()
            for i in range(40):
                lon += rng.uniform(-0.0004, 0.0004)
                lat += rng.uniform(-0.0004, 0.0004)
                points.append((p.pk, adapt(p.started_at + dt.timedelta(seconds=30 * i)), lon, lat))
        copy_rows(PatrolPoint._meta.db_table, ("patrol_id", "recorded_at", "lon", "lat"), points)
        return {
            "party organisations": len(tops)
            + len(branches)
            + len(offices)
            + len(retired_branches)
            + len(unit_branches),
            "party members": len(members) + party_member_login,
            "check-ins": len(check_ins) + party_member_login,
            "service records": len(records),
            "teams and councils": len(groups),
            "activities": len(activities),
            "patrols": len(patrols),
            "patrol positions": len(points),
        }

    @staticmethod
    def _party_member_login(retired_of, branch_by_code, year: int, start: dt.datetime) -> int:
        """The demo party member: a retired cadre whose branch is the county's retired cadres' branch, living
        in the grid where their login is a resident, who has asked this year to check in to that grid's
        branch (the community's staff confirm it from their list). Built apart from the random members, so
        that adding it changed none of them. 1 when built."""
        user = User.objects.filter(username=PARTY_MEMBER_USERNAME, is_synthetic=True).first()
        home = user.grants.values_list("area_code", flat=True).first() if user is not None else None
        if user is None or home is None or home[:6] not in retired_of:
            return 0
        if home not in branch_by_code:
            # the seed's real communities (塞上社区) get no generated organisations: give the login's grid
            # its branch under the community's committee
            village = Area.objects.filter(code=home[:12]).values_list("name", flat=True).first() or ""
            committee, _new = PartyOrganisation.objects.get_or_create(
                area_code=home[:12],
                kind=PartyOrgKind.COMMITTEE,
                defaults={"name": f"{village}党委", "is_synthetic": True},
            )
            branch_by_code[home] = PartyOrganisation.objects.create(
                name=f"第{int(home[-3:])}网格党支部",
                kind=PartyOrgKind.BRANCH,
                parent=committee,
                area_code=home,
                is_grid_branch=True,
                is_synthetic=True,
            )
        member = PartyMember.objects.create(
            name=user.display_name,
            user=user,
            organisation=retired_of[home[:6]],
            area_code=home[:6],
            kind=MemberKind.RETIRED,
            home_grid_code=home,
            is_synthetic=True,
        )
        branch = branch_by_code[home]
        CheckIn.objects.create(
            member=member,
            branch=branch,
            area_code=branch.area_code,
            year=year,
            kind=MemberKind.RETIRED,
            pledge="调解邻里纠纷，探望独居老人",
            status=CheckInStatus.REQUESTED,
            requested_at=start + dt.timedelta(days=3),
        )
        return 1

    @staticmethod
    def _member(fake, organisation: PartyOrganisation, kind: str, home_grid_code: str) -> PartyMember:
        return PartyMember(
            name=fake.name(),
            organisation=organisation,
            area_code=organisation.area_code,
            kind=kind,
            home_grid_code=home_grid_code,
            is_synthetic=True,
        )

    def reset(self, ctx: DemoContext) -> None:
        PatrolPoint.objects.filter(patrol__is_synthetic=True).delete()
        Patrol.objects.filter(is_synthetic=True).delete()
        ServiceGroup.objects.filter(is_synthetic=True).delete()
        CheckIn.objects.filter(member__is_synthetic=True).delete()
        PartyMember.objects.filter(is_synthetic=True).delete()
        PartyOrganisation.objects.filter(is_synthetic=True, kind=PartyOrgKind.BRANCH).delete()
        PartyOrganisation.objects.filter(is_synthetic=True).delete()
