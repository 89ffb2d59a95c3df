"""Households and residents for every grid of the demo city, with key groups, places, visits and proxy
services. Everything here is synthetic and marked ``is_synthetic``.

ID numbers are valid by GB 11643 (check character) and clearly synthetic: the address code is the grid's
county, the order code is always 900–999 (real offices hand these out last and rarely), and each row says
it is synthetic. Phones are in the 170 0000 xxxx / 171 0000 xxxx ranges that the demo uses everywhere.

Rows are written in bulk with the same columns the register's services compute (ciphertext, keyed hash,
mask; pinyin, initials and name suffixes), so the demo behaves like real data in search and masking.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots import clock, personal
from grassroots.accounts.models import User
from grassroots.areas.codes import Level
from grassroots.areas.models import Area, Grid, GridKind
from grassroots.masking import mask_id_number
from grassroots.people import idnumber, names, person_numbers
from grassroots.people.codes import (
    VISIT_INTERVAL_DAYS,
    Attention,
    Ethnicity,
    KeyGroup,
    PlaceKind,
    PoliticalStatus,
    Relation,
    ResidenceType,
)
from grassroots.people.models import (
    Household,
    KeyGroupLabel,
    NameSuffix,
    Place,
    ProxyService,
    ProxyServiceStep,
    Resident,
    ServiceStatus,
    Visit,
)

from .city import CITY_CODE
from .logins import SAISHANG_GRID
from .steps import DemoContext

# Households per grid by scale and grid kind: small keeps the demo quick; city is a register to click
# through at size (the 1.5-million benchmark has its own generator under bench/).
HOUSEHOLDS = {
    "small": {GridKind.COMMUNITY: (10, 16), GridKind.DEDICATED: (2, 4), GridKind.RURAL: (5, 15)},
    "city": {GridKind.COMMUNITY: (40, 60), GridKind.DEDICATED: (4, 8), GridKind.RURAL: (5, 15)},
}
STREETS = [
    "幸福",
    "团结",
    "建设",
    "胜利",
    "和平",
    "民主",
    "友谊",
    "新华",
    "光明",
    "长青",
    "文化",
    "育才",
    "丰收",
    "富民",
    "振兴",
    "黄河",
]
KEY_GROUP_WEIGHTS = [
    (KeyGroup.ELDERLY_ALONE, 5), (KeyGroup.EMPTY_NEST, 6), (KeyGroup.LEFT_BEHIND_CHILD, 4),
    (KeyGroup.DISABLED, 4), (KeyGroup.MINIMUM_ALLOWANCE, 4), (KeyGroup.VETERAN, 3),
    (KeyGroup.SERIOUS_ILLNESS, 2), (KeyGroup.EXTREME_POVERTY, 1),
]  # fmt: skip
SERVICE_ITEMS = [
    "办理老年优待证",
    "代缴城乡居民医保",
    "申请临时救助",
    "办理残疾人证",
    "高龄津贴认证",
    "代办户籍证明",
]
FINDINGS = [
    "身体状况良好，生活能自理",
    "家中取暖正常",
    "反映路灯不亮",
    "子女每周探望",
    "用药按时",
    "院内有积水",
]


def _pick(rng, weighted):
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


class _Ids:
    """Unique synthetic ID numbers: county address code, a birth date, order code 900–999."""

    def __init__(self, rng):
        self.rng = rng
        self.used: set[str] = set()

    def make(self, county: str, birth: dt.date, male: bool) -> str:
        while True:
            order = self.rng.randrange(900, 1000)
            if order % 2 != (1 if male else 0):
                order = order + 1 if order < 999 else order - 1
            number = idnumber.compose(county, birth, order)
            if number not in self.used:
                self.used.add(number)
                return number


def _birth(rng, today: dt.date, low: int, high: int) -> dt.date:
    return today - dt.timedelta(days=rng.randrange(low * 365, high * 365 + 1))


class PeopleStep:
    name = "people"
    label = _("register: households, residents, key groups, places, visits")

    def run(self, ctx: DemoContext) -> dict[str, int]:
        rng = ctx.rng(self.name)
        fake = ctx.faker(self.name)
        today = clock.today()
        ids = _Ids(rng)
        phones = iter(range(10_000_000))
        grids = list(
            Grid.objects.filter(area__code__startswith=CITY_CODE)
            .select_related("area")
            .order_by("area__code")
        )
        households: list[Household] = []
        members: list[list[Resident]] = []
        for g in grids:
            low, high = HOUSEHOLDS[ctx.scale.name][g.kind]
            count = high if g.area.code == SAISHANG_GRID else rng.randint(low, high)
            street = rng.choice(STREETS)
            for n in range(1, count + 1):
                hh = Household(
                    area=g.area, area_code=g.area.code, number=f"{n:03d}", is_synthetic=True,
                    residence_type=_pick(rng, [(ResidenceType.REGISTERED, 85), (ResidenceType.MIGRANT, 12),
                                               (ResidenceType.OTHER, 3)]),
                )  # fmt: skip
                if g.kind == GridKind.RURAL:
                    hh.address = f"{g.area.name}{n}号"
                else:
                    hh.address = f"{street}路{rng.randint(1, 200)}号"
                    hh.building, hh.unit, hh.room = (
                        str(rng.randint(1, 12)),
                        str(rng.randint(1, 4)),
                        f"{rng.randint(1, 6)}0{rng.randint(1, 4)}",
                    )
                if rng.random() < 0.6:
                    hh.phone, hh.phone_hash, hh.phone_masked = person_numbers.phone_columns(
                        f"171{next(phones):08d}"
                    )
                households.append(hh)
                members.append(self._family(rng, fake, ids, phones, g.area.code[:6], today))
        Household.objects.bulk_create(households, batch_size=2000)
        residents: list[Resident] = []
        for hh, family in zip(households, members, strict=True):
            for r in family:
                r.household_id, r.area_code = hh.pk, hh.area_code
                residents.append(r)
        Resident.objects.bulk_create(residents, batch_size=2000)
        NameSuffix.objects.bulk_create(
            [
                NameSuffix(resident_id=r.pk, area_code=r.area_code, suffix=s)
                for r in residents
                for s in names.suffixes_of(r.name)
            ],
            batch_size=5000,
        )
        heads = [hh for hh, family in zip(households, members, strict=True) if family]
        for hh, family in zip(households, members, strict=True):
            hh.head_id = family[0].pk
        Household.objects.bulk_update(heads, ["head"], batch_size=2000)
        labels = self._labels(rng, households, members, today)
        places = self._places(rng, fake, phones)
        visits, services = self._visits_and_services(rng, households, members, today)
        return {
            "households": len(households), "residents": len(residents), "key-group labels": labels,
            "places": places, "visits": visits, "proxy services": services,
        }  # fmt: skip

    def _family(self, rng, fake, ids: _Ids, phones, county: str, today: dt.date) -> list[Resident]:
        """A synthetic family: a head, often a spouse, children or grandchildren, sometimes a parent."""
        surname = fake.last_name()
        ethnicity = _pick(
            rng, [(Ethnicity.HAN, 80), (Ethnicity.MONGOL, 16), (Ethnicity.HUI, 3), (Ethnicity.MAN, 1)]
        )
        male = rng.random() < 0.7
        head_birth = _birth(rng, today, 25, 88)
        family = [
            self._person(rng, fake, ids, phones, county, surname, male, head_birth, Relation.HEAD, ethnicity)
        ]
        age = (today - head_birth).days // 365
        if rng.random() < 0.8:
            family.append(self._person(rng, fake, ids, phones, county, fake.last_name(), not male,
                                       head_birth + dt.timedelta(days=rng.randint(-1500, 1500)), Relation.SPOUSE, ethnicity))  # fmt: skip
        if age < 75 and rng.random() < 0.75:
            for _n in range(rng.choice([1, 1, 2, 2, 3])):
                birth = min(
                    today - dt.timedelta(days=200),
                    head_birth + dt.timedelta(days=rng.randint(22 * 365, 36 * 365)),
                )
                son = rng.random() < 0.5
                family.append(self._person(rng, fake, ids, phones, county, surname, son, birth,
                                           Relation.SON if son else Relation.DAUGHTER, ethnicity))  # fmt: skip
        if age < 50 and rng.random() < 0.25:
            family.append(self._person(rng, fake, ids, phones, county, surname, rng.random() < 0.5,
                                       head_birth - dt.timedelta(days=rng.randint(22 * 365, 30 * 365)), Relation.PARENT, ethnicity))  # fmt: skip
        return family

    def _person(self, rng, fake, ids, phones, county, surname, male, birth, relation, ethnicity) -> Resident:
        given = fake.first_name_male() if male else fake.first_name_female()
        name = surname + given
        number = ids.make(county, birth, male)
        age = (clock.today() - birth).days // 365
        r = Resident(
            name=name, name_pinyin=names.pinyin_of(name), name_initials=names.initials_of(name),
            id_number=number, id_hash=personal.id_hash(number), id_masked=mask_id_number(number),
            birth_date=birth, sex="male" if male else "female", relation=relation, ethnicity=ethnicity,
            political_status=_pick(rng, [(PoliticalStatus.MASSES, 80), (PoliticalStatus.PARTY_MEMBER, 10),
                                         (PoliticalStatus.LEAGUE_MEMBER, 10 if age < 28 else 0)]),
            occupation="" if age < 18 else rng.choice(["农民", "牧民", "个体经营", "务工", "教师", "退休", "无业"]),
            is_synthetic=True,
        )  # fmt: skip
        if 18 <= age < 80 and rng.random() < 0.7:
            r.phone, r.phone_hash, r.phone_masked = person_numbers.phone_columns(f"170{next(phones):08d}")
        return r

    def _labels(self, rng, households, members, today: dt.date) -> int:
        labels = []
        due: list[Household] = []
        for hh, family in zip(households, members, strict=True):
            best = 0
            for r in family:
                age = (today - r.birth_date).days // 365
                kinds = set()
                if age >= 70 and len(family) == 1:
                    kinds.add(KeyGroup.ELDERLY_ALONE)
                elif age >= 65 and rng.random() < 0.3:
                    kinds.add(KeyGroup.EMPTY_NEST)
                if age < 14 and rng.random() < 0.12:
                    kinds.add(KeyGroup.LEFT_BEHIND_CHILD)
                if rng.random() < 0.04:
                    kinds.add(_pick(rng, KEY_GROUP_WEIGHTS))
                for kind in kinds:
                    attention = _pick(
                        rng, [(Attention.GENERAL, 55), (Attention.FOCUS, 35), (Attention.CLOSE, 10)]
                    )
                    best = max(best, attention)
                    labels.append(
                        KeyGroupLabel(
                            resident_id=r.pk, area_code=hh.area_code, kind=kind, attention=attention
                        )
                    )
            if best:
                interval = VISIT_INTERVAL_DAYS[best]
                hh.visit_interval_days = interval
                hh.last_visited_on = today - dt.timedelta(days=rng.randint(0, interval + 20))
                hh.next_visit_due = hh.last_visited_on + dt.timedelta(days=interval)
                due.append(hh)
        KeyGroupLabel.objects.bulk_create(labels, batch_size=5000)
        Household.objects.bulk_update(
            due, ["visit_interval_days", "last_visited_on", "next_visit_due"], batch_size=2000
        )
        return len(labels)

    def _places(self, rng, fake, phones) -> int:
        places = []

        def add(area, kind, name, accepts=False):
            contact = fake.name()
            p = Place(area=area, area_code=area.code, kind=kind, name=name, contact_name=contact,
                      accepts_cases=accepts, is_synthetic=True, address=area.name)  # fmt: skip
            p.contact_phone, p.contact_phone_hash, p.contact_phone_masked = person_numbers.phone_columns(
                f"171{next(phones):08d}"
            )
            places.append(p)

        for county in Area.objects.filter(code__startswith=CITY_CODE, level=Level.COUNTY):
            for dept in ("民政局", "住房和城乡建设局", "城市管理综合执法局", "卫生健康委员会", "应急管理局"):
                add(county, PlaceKind.DEPARTMENT, county.name + dept, accepts=True)
            add(county, PlaceKind.CO_BUILDING_UNIT, county.name + "供电公司", accepts=True)
        for village in Area.objects.filter(code__startswith=CITY_CODE, level=Level.VILLAGE):
            first_grid = Area.objects.filter(parent=village).order_by("code").first() or village
            add(first_grid, PlaceKind.SHOP, village.name + rng.choice(["便民超市", "日杂店", "农资店"]))
            add(
                first_grid,
                PlaceKind.CLINIC,
                village.name + ("卫生服务站" if "社区" in village.name else "卫生室"),
            )
            if "社区" in village.name:
                add(
                    village,
                    PlaceKind.PROPERTY_COMPANY,
                    fake.company_prefix() + "物业服务有限公司",
                    accepts=True,
                )
        Place.objects.bulk_create(places, batch_size=2000)
        return len(places)

    def _visits_and_services(self, rng, households, members, today: dt.date) -> tuple[int, int]:
        """Visits to the key-group households (and in the demo grid worker's grid, services)."""
        worker = User.objects.filter(username="gridworker").first()
        visits, services, steps = [], [], []
        for hh, family in zip(households, members, strict=True):
            if hh.last_visited_on is None:
                continue
            visits.append(Visit(
                household_id=hh.pk, area_code=hh.area_code, visited_on=hh.last_visited_on,
                visitor=worker if hh.area_code == SAISHANG_GRID else None,
                visitor_name=str(worker) if worker and hh.area_code == SAISHANG_GRID else "网格员",
                met_with=family[0].name, found=rng.choice(FINDINGS),
            ))  # fmt: skip
            if hh.area_code == SAISHANG_GRID or rng.random() < 0.05:
                status = rng.choice([ServiceStatus.REQUESTED, ServiceStatus.IN_PROGRESS, ServiceStatus.DONE])
                services.append((ProxyService(
                    resident_id=family[0].pk, area_code=hh.area_code, item=rng.choice(SERVICE_ITEMS), status=status,
                    handler=worker if hh.area_code == SAISHANG_GRID else None,
                    due_on=today + dt.timedelta(days=rng.randint(3, 20)),
                ), status))  # fmt: skip
        Visit.objects.bulk_create(visits, batch_size=2000)
        ProxyService.objects.bulk_create([s for s, _status in services], batch_size=2000)
        order = [ServiceStatus.REQUESTED, ServiceStatus.IN_PROGRESS, ServiceStatus.DONE]
        for service, status in services:
            previous = ""
            for step_status in order[: order.index(status) + 1]:
                action = {"requested": "request", "in_progress": "start", "done": "complete"}[step_status]
                steps.append(ProxyServiceStep(service=service, action=action, from_status=previous, to_status=step_status,
                                              actor_name="网格员", note="" if action != "complete" else "已办结"))  # fmt: skip
                previous = step_status
        ProxyServiceStep.objects.bulk_create(steps, batch_size=2000)
        return len(visits), len(services)

    def reset(self, ctx: DemoContext) -> None:
        synthetic = Q(area_code__startswith=CITY_CODE)
        ProxyServiceStep.objects.filter(service__area_code__startswith=CITY_CODE).delete()
        ProxyService.objects.filter(synthetic).delete()
        Visit.objects.filter(synthetic).delete()
        KeyGroupLabel.objects.filter(synthetic).delete()
        NameSuffix.objects.filter(synthetic).delete()
        Household.objects.filter(synthetic).update(head=None)
        Resident.objects.filter(synthetic, is_synthetic=True).update(merged_into=None)
        Resident.objects.filter(synthetic, is_synthetic=True).delete()
        Household.objects.filter(synthetic, is_synthetic=True).delete()
        Place.objects.filter(synthetic, is_synthetic=True).delete()
