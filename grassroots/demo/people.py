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
import functools
from collections import Counter

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots import clock, fieldcrypt, personal
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

# The register import's bulk writer: rows of column values, COPY on PostgreSQL, INSERT … RETURNING on SQLite.
from grassroots.people.services.transfer.write import _Insert as RowInsert
from grassroots.people.services.transfer.write import copy_rows

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
    """Unique synthetic ID numbers: county address code, a birth date, order code 900–999.

    One county, day and sex has 50 order codes in that range. Children whose drawn birth date lies ahead are
    born 200 days ago, so at city scale thousands of them share a day: when its 50 codes are used up the
    child is born a day earlier (before this, the draw looped for ever at city scale)."""

    def __init__(self, rng):
        self.rng = rng
        self.used: set[str] = set()
        self.taken: Counter[tuple[str, dt.date, bool]] = Counter()

    def make(self, county: str, birth: dt.date, male: bool) -> tuple[str, dt.date]:
        """A new ID number, and the birth date it carries (``birth``, or a day before it)."""
        while self.taken[county, birth, male] >= ORDERS_PER_DAY_AND_SEX:
            birth -= dt.timedelta(days=1)
        while True:
            order = self.rng.randrange(900, 1000)
            if order % 2 != (1 if male else 0):
                order = order + 1 if order < 999 else order - 1
            number = idnumber.compose(county, birth, order)
            if number not in self.used:
                self.used.add(number)
                self.taken[county, birth, male] += 1
                return number, birth


ORDERS_PER_DAY_AND_SEX = 50
REGISTER_BATCH = 20_000
_HOUSEHOLD_ROWS = RowInsert(
    Household,
    ("area_id", "area_code", "number", "address", "building", "unit", "room", "residence_type", "phone",
     "phone_hash", "phone_masked", "is_synthetic", "visit_interval_days", "last_visited_on", "next_visit_due"),
)  # fmt: skip
_RESIDENT_ROWS = RowInsert(
    Resident,
    ("household_id", "area_code", "name", "name_pinyin", "name_initials", "id_number", "id_hash", "id_masked",
     "birth_date", "sex", "relation", "ethnicity", "phone", "phone_hash", "phone_masked", "political_status",
     "occupation", "is_synthetic"),
)  # fmt: skip


class _Household:
    """A household's columns until it is written (then its ``pk``)."""

    __slots__ = ("address", "area_code", "area_id", "building", "last_visited_on", "next_visit_due", "number",
                 "phone", "phone_hash", "phone_masked", "pk", "residence_type", "room", "unit",
                 "visit_interval_days")  # fmt: skip

    def __init__(self, area_id: int, area_code: str, number: str):
        self.area_id, self.area_code, self.number, self.pk = area_id, area_code, number, 0
        self.address = self.building = self.unit = self.room = self.residence_type = ""
        self.phone, self.phone_hash, self.phone_masked = "", None, ""
        self.visit_interval_days = self.last_visited_on = self.next_visit_due = None


class _Person:
    """A resident's columns until it is written (then its ``pk``); the ID and phone still in plain text."""

    __slots__ = ("birth_date", "ethnicity", "id_hash", "id_masked", "id_number", "name", "name_initials",
                 "name_pinyin", "occupation", "phone", "phone_hash", "phone_masked", "pk", "political_status",
                 "relation", "sex")  # fmt: skip

    def __init__(self, name: str, birth_date: dt.date):
        self.name, self.birth_date, self.pk = name, birth_date, 0
        self.phone, self.phone_hash, self.phone_masked = "", None, ""


@functools.lru_cache(maxsize=200_000)
def _pinyin(name: str) -> tuple[str, str]:
    """Pinyin and initials of a name (a city's synthetic names repeat: each is worked out once)."""
    return names.pinyin_of(name), names.initials_of(name)


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
        households: list[_Household] = []
        members: list[list[_Person]] = []
        for g in grids:
            low, high = HOUSEHOLDS[ctx.scale.name][g.kind]
            count = high if g.area.code == SAISHANG_GRID else rng.randint(low, high)
            street = rng.choice(STREETS)
            for n in range(1, count + 1):
                hh = _Household(g.area.pk, g.area.code, f"{n:03d}")
                hh.residence_type = _pick(rng, [(ResidenceType.REGISTERED, 85), (ResidenceType.MIGRANT, 12),
                                                (ResidenceType.OTHER, 3)])  # fmt: skip
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
        labels = self._labels(rng, households, members, today)
        self._write_register(households, members, labels)
        places = self._places(rng, fake, phones)
        visits, services = self._visits_and_services(rng, households, members, today)
        return {
            "households": len(households), "residents": sum(len(f) for f in members),
            "key-group labels": len(labels), "places": places, "visits": visits, "proxy services": services,
        }  # fmt: skip

    def _write_register(
        self,
        households: list[_Household],
        members: list[list[_Person]],
        labels: list[tuple[_Person, str, int]],
    ) -> None:
        """Households, residents, name suffixes, heads and labels by the register import's own bulk writer
        (``COPY`` on PostgreSQL, multi-row ``INSERT … RETURNING`` on SQLite): the same columns the services
        write — ciphertexts by :func:`fieldcrypt.encrypt_many`, keyed hashes, masks, pinyin and suffixes —
        without a model instance per row (at city scale the ORM's per-object cost took most of an hour)."""
        adapt = connection.ops.adapt_datefield_value
        household_ids = iter(
            _HOUSEHOLD_ROWS.run(
                [
                    (hh.area_id, hh.area_code, hh.number, hh.address, hh.building, hh.unit, hh.room,
                     hh.residence_type, fieldcrypt.encrypt(hh.phone) if hh.phone else "", hh.phone_hash,
                     hh.phone_masked, True, hh.visit_interval_days, adapt(hh.last_visited_on),
                     adapt(hh.next_visit_due))
                    for hh in households
                ]
            )
        )  # fmt: skip
        for hh in households:
            hh.pk = next(household_ids)
        people = [(hh, r) for hh, family in zip(households, members, strict=True) for r in family]
        for start in range(0, len(people), REGISTER_BATCH):
            batch = people[start : start + REGISTER_BATCH]
            id_tokens = iter(fieldcrypt.encrypt_many([r.id_number for _hh, r in batch]))
            phone_tokens = iter(fieldcrypt.encrypt_many([r.phone for _hh, r in batch if r.phone]))
            rows = [
                (hh.pk, hh.area_code, r.name, r.name_pinyin, r.name_initials, next(id_tokens), r.id_hash,
                 r.id_masked, adapt(r.birth_date), r.sex, r.relation, r.ethnicity,
                 next(phone_tokens) if r.phone else "", r.phone_hash, r.phone_masked, r.political_status,
                 r.occupation, True)
                for hh, r in batch
            ]  # fmt: skip
            for (_hh, r), pk in zip(batch, _RESIDENT_ROWS.run(rows), strict=True):
                r.pk = pk
            copy_rows(
                NameSuffix._meta.db_table,
                ("resident_id", "area_code", "suffix"),
                [(r.pk, hh.area_code, suffix) for hh, r in batch for suffix in names.suffixes_of(r.name)],
            )
        # Each household's head is its first member, the first of its residents inserted: one UPDATE … FROM
        # a grouped scan (a correlated "first resident" per household ran for minutes on PostgreSQL, whose
        # planner has no statistics for tables filled a moment ago).
        if households:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE people_household SET head_id = f.head FROM (SELECT household_id, MIN(id) AS head "
                    "FROM people_resident WHERE household_id BETWEEN %s AND %s GROUP BY household_id) AS f "
                    "WHERE people_household.id = f.household_id",
                    [households[0].pk, households[-1].pk],
                )
        now = connection.ops.adapt_datetimefield_value(clock.now())
        copy_rows(
            KeyGroupLabel._meta.db_table,
            ("resident_id", "area_code", "kind", "attention", "note", "created_at"),
            [(r.pk, area_code, kind, attention, "", now) for r, area_code, kind, attention in labels],
        )
        if connection.vendor == "postgresql":  # what the later steps' queries plan with
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE people_household, people_resident, people_namesuffix, people_keygrouplabel"
                )

    def _family(self, rng, fake, ids: _Ids, phones, county: str, today: dt.date) -> list[_Person]:
        """A synthetic family: a head, often a spouse, children or grandchildren, sometimes a parent."""
        surname = fake.last_name()
        ethnicity = _pick(
            rng, [(Ethnicity.HAN, 80), (Ethnicity.MONGOL, 16), (Ethnicity.HUI, 3), (Ethnicity.MAN, 1)]
        )
        male = rng.random() < 0.7
        head_birth = _birth(rng, today, 25, 88)
        family = [
            self._person(
                rng, fake, ids, phones, county, surname, male, head_birth, Relation.HEAD, ethnicity, today
            )
        ]
        age = (today - head_birth).days // 365
        if rng.random() < 0.8:
            family.append(self._person(rng, fake, ids, phones, county, fake.last_name(), not male,
                                       head_birth + dt.timedelta(days=rng.randint(-1500, 1500)), Relation.SPOUSE, ethnicity, today))  # fmt: skip
        if age < 75 and rng.random() < 0.75:
            for _n in range(rng.choice([1, 1, 2, 2, 3])):
                birth = min(
                    today - dt.timedelta(days=200),
                    head_birth + dt.timedelta(days=rng.randint(22 * 365, 36 * 365)),
                )
                son = rng.random() < 0.5
                family.append(self._person(rng, fake, ids, phones, county, surname, son, birth,
                                           Relation.SON if son else Relation.DAUGHTER, ethnicity, today))  # fmt: skip
        if age < 50 and rng.random() < 0.25:
            family.append(self._person(rng, fake, ids, phones, county, surname, rng.random() < 0.5,
                                       head_birth - dt.timedelta(days=rng.randint(22 * 365, 30 * 365)), Relation.PARENT, ethnicity, today))  # fmt: skip
        return family

    def _person(
        self, rng, fake, ids, phones, county, surname, male, birth, relation, ethnicity, today
    ) -> _Person:
        given = fake.first_name_male() if male else fake.first_name_female()
        name = surname + given
        number, birth = ids.make(county, birth, male)
        age = (today - birth).days // 365
        r = _Person(name, birth)
        r.name_pinyin, r.name_initials = _pinyin(name)
        r.id_number, r.id_hash, r.id_masked = number, personal.id_hash(number), mask_id_number(number)
        r.sex, r.relation, r.ethnicity = "male" if male else "female", relation, ethnicity
        r.political_status = _pick(rng, [(PoliticalStatus.MASSES, 80), (PoliticalStatus.PARTY_MEMBER, 10),
                                         (PoliticalStatus.LEAGUE_MEMBER, 10 if age < 28 else 0)])  # fmt: skip
        r.occupation = (
            "" if age < 18 else rng.choice(["农民", "牧民", "个体经营", "务工", "教师", "退休", "无业"])
        )
        if 18 <= age < 80 and rng.random() < 0.7:
            r.phone, r.phone_hash, r.phone_masked = person_numbers.phone_columns(f"170{next(phones):08d}")
        return r

    def _labels(self, rng, households, members, today: dt.date) -> list[tuple[_Person, str, str, int]]:
        labels = []
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
                    labels.append((r, hh.area_code, kind, attention))
            if best:
                interval = VISIT_INTERVAL_DAYS[best]
                hh.visit_interval_days = interval
                hh.last_visited_on = today - dt.timedelta(days=rng.randint(0, interval + 20))
                hh.next_visit_due = hh.last_visited_on + dt.timedelta(days=interval)
        return labels

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
