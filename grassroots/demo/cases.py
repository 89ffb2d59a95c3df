"""A year of cases for the demo city, created through the case services so that every row, timeline event,
deadline and notification is what the platform itself would have written.

Each case gets a fate drawn from the seed: closed after verification (sometimes after rework, often rated),
resolved on the spot, escalated and closed higher up, cancelled, shelved, merged as a duplicate, reopened
because the resident said it was not solved, or still open in any state (the recent ones; some overdue).
It comes in through every channel: the mobile form and the API (residents), phone, hotline, visits, walk-ins
and patrols (entered by staff). The clock is frozen at each step's moment, so deadlines, traffic lights and
the metrics read like a real year.

In 乌拉特后旗 the demo logins act (the grid worker in 塞上社区's first grid, the community, the township,
the banner, its department and command centre), so every demo login finds work in its own lists. Elsewhere a
synthetic operator per county (county staff) stands in for the local staff, and a synthetic supervisor of
the county verifies: whoever handled a case never verifies it (verification is independent of handling), nor
rates it. Reporters are synthetic residents and, in 塞上社区, the demo resident.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from PIL import Image

from grassroots import clock
from grassroots.accounts.models import Role, RoleGrant, User
from grassroots.accounts.scoping import STAFF_ROLES, has_role
from grassroots.accounts.services import role_grant, user_create
from grassroots.areas.codes import CODE_LENGTH, Level
from grassroots.areas.models import Area, Grid, GridKind
from grassroots.cases import reference, services
from grassroots.cases.models import AssigneeKind, Case, CasePhoto, Category, Rating, Source, State
from grassroots.cases.workflow import DispatchTarget
from grassroots.errors import DomainError
from grassroots.notifications.models import Notification
from grassroots.people.models import Resident
from grassroots.workforce.models import GridWorker
from grassroots.workforce.selectors import responsible_workers_for

from .case_texts import case_description
from .city import CITY_CODE, SEED_CODES
from .logins import SAISHANG_GRID
from .steps import DemoContext

HOME_COUNTY = "150825"  # 乌拉特后旗: where the demo logins work
RESIDENT_PREFIX = "demo-resident-"
OPERATOR_PREFIX = "demo-operator-"
# Cases per county over the year: the home county gets the most, so that the demo logins' lists are full.
PER_COUNTY = {"small": (300, 40), "city": (1200, 300)}
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

FATES = [
    ("closed", 50),
    ("closed_rework", 8),
    ("escalated", 9),
    ("on_the_spot", 7),
    ("cancelled", 4),
    ("shelved", 3),
    ("merged", 3),
    ("reopened", 2),
    ("open_overdue", 4),
]
CHANNELS = [
    (Source.MOBILE_WEB, 42),
    (Source.API, 10),
    (Source.PHONE, 12),
    (Source.HOTLINE, 12),
    (Source.VISIT, 9),
    (Source.WALK_IN, 6),
    (Source.PATROL, 9),
]
RATINGS = [(Rating.SATISFIED, 70), (Rating.BASICALLY, 20), (Rating.UNSATISFIED, 10)]


def _pick(rng: random.Random, table):
    return rng.choices([v for v, _w in table], weights=[w for _v, w in table])[0]


def _jpeg(rng: random.Random) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (96, 72), (rng.randrange(256), rng.randrange(256), rng.randrange(256))).save(out, "JPEG")
    return SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg")


@dataclass
class Crew:
    """Who acts in one county."""

    county: str
    desk: User  # accepts, dispatches, enters calls, handles for workers without a login
    verifier: User
    department: User | None
    grid_worker: User | None  # the demo grid worker (塞上社区 grid 001 only)
    village: User | None
    township: User | None


class _Later(Exception):
    """The next step of a case's fate would happen after today: it stays where it is."""


class CasesStep:
    name = "cases"
    label = _("a year of cases")

    def run(self, ctx: DemoContext) -> dict[str, int]:
        rng = ctx.rng(self.name)
        fake = ctx.faker(self.name)
        self.now = clock.now()
        self.rng = rng
        self.fake = fake
        # descriptions draw from their own generator, so that the fates drawn from ``rng`` stay as they were
        self.texts = ctx.rng(f"{self.name}-texts")
        self._callers: dict[str, list[tuple[str, str]]] = {}
        self.categories = list(Category.objects.filter(is_active=True, parent__isnull=False))
        self.residents = [
            user_create(
                username=f"{RESIDENT_PREFIX}{n:03d}",
                password=None,
                display_name=fake.name(),
                is_synthetic=True,
            )
            for n in range(40)
        ]
        self.demo_resident = User.objects.filter(username="resident", is_synthetic=True).first()
        counts: Counter = Counter()
        home, other = PER_COUNTY.get(ctx.scale.name, PER_COUNTY["small"])
        counties = list(
            Area.objects.filter(level=Level.COUNTY, code__startswith=CITY_CODE)
            .order_by("code")
            .values_list("code", flat=True)
        )
        for county in counties:
            crew = self._crew(county)
            grids = list(
                Grid.objects.filter(area__code__startswith=county, min_lon__isnull=False)
                .select_related("area")
                .order_by("area__code")
            )
            if not grids:
                continue
            for _n in range(home if county == HOME_COUNTY else other):
                fate = self._one(county, crew, grids)
                counts[fate] += 1
        synthetic = Case.objects.filter(origin_code__startswith=CITY_CODE, is_synthetic=False)
        total = synthetic.update(is_synthetic=True)
        return {"cases": total, **{f"fate_{k}": v for k, v in sorted(counts.items())}}

    def reset(self, ctx: DemoContext) -> None:
        cases = Case.objects.filter(is_synthetic=True, origin_code__startswith=CITY_CODE)
        ids = [str(pk) for pk in cases.values_list("pk", flat=True)]
        Notification.objects.filter(target_type="cases.case", target_id__in=ids).delete()
        for photo in CasePhoto.objects.filter(case__in=cases):
            for name in (photo.image.name, photo.thumbnail.name):
                if name and default_storage.exists(name):
                    default_storage.delete(name)
        cases.filter(merged_into__isnull=False).delete()
        cases.delete()
        people = User.objects.filter(
            Q(username__startswith=RESIDENT_PREFIX) | Q(username__startswith=OPERATOR_PREFIX),
            is_synthetic=True,
        )
        RoleGrant.objects.filter(user__in=people).delete()
        people.delete()

    # --- actors ------------------------------------------------------------------------------------------------

    def _crew(self, county: str) -> Crew:
        if county == HOME_COUNTY:
            logins = {
                u.username: u
                for u in User.objects.filter(
                    is_synthetic=True,
                    username__in=["gridworker", "village", "township", "county", "department", "supervisor"],
                )
            }
            if {"county", "supervisor"} <= set(logins):
                return Crew(
                    county=county,
                    desk=logins["county"],
                    verifier=logins["supervisor"],
                    department=logins.get("department"),
                    grid_worker=logins.get("gridworker"),
                    village=logins.get("village"),
                    township=logins.get("township"),
                )
        area = Area.objects.get(code=county)
        operator = user_create(
            username=f"{OPERATOR_PREFIX}{county}",
            password=None,
            display_name=f"{area.name}指挥中心（演示）",
            is_synthetic=True,
        )
        role_grant(actor=None, user=operator, role=Role.COUNTY_STAFF, area=area)
        supervisor = user_create(
            username=f"{OPERATOR_PREFIX}{county}-supervisor",
            password=None,
            display_name=f"{area.name}监督员（演示）",
            is_synthetic=True,
        )
        role_grant(actor=None, user=supervisor, role=Role.SUPERVISOR, area=area)
        return Crew(
            county=county,
            desk=operator,
            verifier=supervisor,
            department=None,
            grid_worker=None,
            village=None,
            township=None,
        )

    def _desk_for(self, crew: Crew, code: str) -> User:
        """The most local login that acts on ``code``: the demo community or township staff in their area."""
        if crew.village and code.startswith(SEED_CODES["塞上社区"]):
            return crew.village
        if crew.township and code.startswith(SEED_CODES["巴音宝力格镇"]):
            return crew.township
        return crew.desk

    # --- one case ----------------------------------------------------------------------------------------------

    def _one(self, county: str, crew: Crew, grids: list[Grid]) -> str:
        rng = self.rng
        # the demo grid gets a good share of the home county's cases, so its worker's list is not empty
        if crew.grid_worker and rng.random() < 0.2:
            grid = next((g for g in grids if g.area.code == SAISHANG_GRID), rng.choice(grids))
        else:
            grid = rng.choice(grids)
        age = dt.timedelta(seconds=rng.uniform(0, 365 * 86400))
        t = self.now - age
        fate = _pick(rng, FATES)
        if age < 4 * DAY or (age < 21 * DAY and rng.random() < 0.5):
            fate = rng.choice(["reported", "accepted", "dispatched", "dispatched", "handled"])
        on_demo_grid = grid.area.code == SAISHANG_GRID and crew.grid_worker is not None
        if fate == "on_the_spot" and not on_demo_grid:
            fate = "closed"
        try:
            self._play(fate, t, grid, crew, on_demo_grid)
        except _Later:
            return "still_open"
        except DomainError as exc:
            return f"refused_{exc.code}"  # a drawn combination the rules do not allow: left where it stood
        except Http404:
            return "refused_out_of_scope"
        return fate

    def _describe(self, category: Category, grid: Grid) -> str:
        return case_description(self.texts, category.code, rural=grid.kind == GridKind.RURAL)

    def _at(self, t: dt.datetime):
        if t > self.now:
            raise _Later
        return clock.frozen(t)

    def _point(self, grid: Grid) -> tuple[float, float]:
        rng = self.rng
        lon = rng.uniform(grid.min_lon, grid.max_lon)
        lat = rng.uniform(grid.min_lat, grid.max_lat)
        # towards the middle: a grid's bounding box is larger than the grid
        centre_lon, centre_lat = (grid.min_lon + grid.max_lon) / 2, (grid.min_lat + grid.max_lat) / 2
        return centre_lon + (lon - centre_lon) * 0.4, centre_lat + (lat - centre_lat) * 0.4

    def _report(self, t: dt.datetime, grid: Grid, crew: Crew, on_demo_grid: bool) -> Case:
        rng = self.rng
        channel = _pick(rng, CHANNELS)
        category = rng.choice(self.categories)
        lon, lat = self._point(grid)
        description = self._describe(category, grid)
        with clock.frozen(t):
            if channel in (Source.MOBILE_WEB, Source.API):
                reporter = (
                    self.demo_resident
                    if on_demo_grid and self.demo_resident and rng.random() < 0.5
                    else rng.choice(self.residents)
                )
                return services.case_report(
                    actor=reporter,
                    category=category.code,
                    description=description,
                    lon=lon,
                    lat=lat,
                    accuracy_m=round(rng.uniform(4, 40), 1),
                    kind=rng.choice(["problem", "problem", "problem", "request", "suggestion", "service"]),
                    anonymous=rng.random() < 0.08,
                    photo_files=[_jpeg(rng)] if rng.random() < 0.15 else [],
                    source=channel,
                )
            village = grid.area.code[: CODE_LENGTH[Level.VILLAGE]]
            actor = (
                crew.grid_worker
                if (channel == Source.PATROL and on_demo_grid)
                else self._desk_for(crew, village)
            )
            # a caller who cannot say where exactly: the staff member files it under the village
            where = {"area_code": village} if rng.random() < 0.3 else {"lon": lon, "lat": lat}
            return services.case_enter(
                actor=actor,
                source=channel,
                category=category.code,
                description=description,
                **self._caller(channel, grid, rng),
                **where,
            )

    def _caller(self, channel: str, grid: Grid, rng) -> dict:
        """Who called: on a phone or hotline call, often a registered resident of the grid, so that their
        person page lists what they reported (the link is the phone's keyed hash); else a passer-by."""
        if channel == Source.PATROL:
            return {"reporter_name": "", "reporter_phone": ""}
        phone = f"139{rng.randrange(10**8):08d}" if channel in (Source.PHONE, Source.HOTLINE) else ""
        name = self.fake.name()
        if phone:
            registered = self._registered_callers(grid.area.code)
            if registered and self.texts.random() < 0.6:
                name, phone = self.texts.choice(registered)
        return {"reporter_name": name, "reporter_phone": phone}

    def _registered_callers(self, grid_code: str) -> list[tuple[str, str]]:
        if grid_code not in self._callers:
            self._callers[grid_code] = [
                (r.name, r.phone)
                for r in Resident.objects.filter(area_code=grid_code, phone_hash__isnull=False)
                .exclude(phone_hash="")
                .order_by("pk")[:30]
            ]
        return self._callers[grid_code]

    def _grid_target(self, case: Case, crew: Crew) -> DispatchTarget:
        if crew.grid_worker and case.area_code == SAISHANG_GRID and self.rng.random() < 0.8:
            w = GridWorker.objects.filter(user=crew.grid_worker).first()
            if w is not None:  # the demo grid worker's login takes most of its grid's work
                return DispatchTarget(AssigneeKind.GRID_WORKER, str(w.pk), w.name, w.user)
        if len(case.area_code) == CODE_LENGTH[Level.GRID]:
            workers = responsible_workers_for(case.area_code)
            if workers:
                w = workers[0]
                return DispatchTarget(AssigneeKind.GRID_WORKER, str(w.pk), w.name, w.user)
        desk = self._desk_for(crew, case.area_code)
        return DispatchTarget(AssigneeKind.USER, str(desk.pk), str(desk), desk)

    def _handler(self, case: Case, crew: Crew) -> User:
        """Who reports the handling: the assignee's login, else the desk on the worker's behalf."""
        return case.assignee_user or self._desk_for(crew, case.area_code)

    def _play(self, fate: str, t: dt.datetime, grid: Grid, crew: Crew, on_demo_grid: bool) -> None:
        rng = self.rng
        if fate == "on_the_spot":
            lon, lat = self._point(grid)
            category = rng.choice(self.categories)
            with self._at(t):
                case = services.case_resolve_on_the_spot(
                    actor=crew.grid_worker,
                    category=category.code,
                    description=self._describe(category, grid),
                    note="已现场处理完毕。",
                    lon=lon,
                    lat=lat,
                    before_photos=[_jpeg(rng)],
                    after_photos=[_jpeg(rng)],
                )
            self._maybe_rate(case, t + rng.uniform(2, 48) * HOUR)
            return
        case = self._report(t, grid, crew, on_demo_grid)
        if fate == "reported" or not case.area_code.startswith(crew.county):
            return  # routed across the county line: it waits there, which is what would happen
        if fate == "merged":
            master = (
                Case.objects.filter(
                    area_code=case.area_code,
                    state__in=[State.ACCEPTED, State.DISPATCHED, State.CLOSED],
                    merged_into__isnull=True,
                    reported_at__lt=case.reported_at,
                )
                .exclude(pk=case.pk)
                .order_by("-reported_at")
                .first()
            )
            if master is not None:
                with self._at(t + rng.uniform(1, 8) * HOUR):
                    services.case_merge(
                        actor=self._desk_for(crew, case.area_code),
                        case=case,
                        expected_version=case.version,
                        master=master,
                        note="同一事项，合并办理。",
                    )
                return
            fate = "closed"
        if fate == "cancelled":
            with self._at(t + rng.uniform(1, 20) * HOUR):
                services.case_cancel(
                    actor=self._desk_for(crew, case.area_code),
                    case=case,
                    expected_version=case.version,
                    reason="经核实不属于受理范围，已电话告知。",
                )
            return
        # accept (late for a few, so that the response rate is not perfect)
        t += (rng.uniform(20, 60) if rng.random() < 0.1 else rng.uniform(0.3, 6)) * HOUR
        accepter = (
            crew.grid_worker if on_demo_grid and rng.random() < 0.6 else self._desk_for(crew, case.area_code)
        )
        with self._at(t):
            case = services.case_accept(actor=accepter, case=case, expected_version=case.version)
        if fate == "accepted":
            return
        if fate == "escalated":
            case, t = self._escalate(case, t, crew)
        if fate == "shelved":
            with self._at(t + rng.uniform(1, 24) * HOUR):
                services.case_shelve(
                    actor=self._desk_for(crew, case.area_code),
                    case=case,
                    expected_version=case.version,
                    reason="需待来年春季施工条件具备后处理。",
                )
            return
        # dispatch
        t += rng.uniform(0.5, 24) * HOUR
        target = self._escalated_target(case, crew) if fate == "escalated" else self._grid_target(case, crew)
        dispatcher = (
            crew.grid_worker
            if on_demo_grid and case.level == Level.GRID and rng.random() < 0.5
            else (self._desk_for(crew, case.area_code))
        )
        with self._at(t):
            case = services.case_dispatch(
                actor=dispatcher, case=case, expected_version=case.version, target=target
            )
        if fate in ("dispatched", "open_overdue"):
            return
        # handle (late for some), with rework for some
        rounds = 2 if fate == "closed_rework" else 1
        for round_ in range(rounds):
            t += (rng.uniform(5, 12) * DAY) if rng.random() < 0.15 else rng.uniform(2, 96) * HOUR
            with self._at(t):
                case = services.case_handle(
                    actor=self._handler(case, crew),
                    case=case,
                    expected_version=case.version,
                    note=rng.choice(_canned(case.category) or ["已处理完毕。"]),
                    photo_files=[_jpeg(rng)] if rng.random() < 0.15 else [],
                )
            if fate == "handled":
                return
            t += rng.uniform(2, 48) * HOUR
            with self._at(t):
                case = services.case_verify(
                    actor=crew.verifier,
                    case=case,
                    expected_version=case.version,
                    passed=round_ == rounds - 1,
                    note="" if round_ == rounds - 1 else "现场复核仍有遗留，请返工。",
                )
        if fate == "reopened" and self._resident(case):
            with self._at(t + rng.uniform(4, 72) * HOUR):
                services.case_rate(
                    actor=case.reporter,
                    case=case,
                    expected_version=case.version,
                    rating=Rating.UNSATISFIED,
                    really_solved=False,
                    comment="问题又出现了。",
                    reopen_if_unsolved=True,
                )
            return
        self._maybe_rate(case, t + rng.uniform(4, 72) * HOUR)

    def _escalate(self, case: Case, t: dt.datetime, crew: Crew) -> tuple[Case, dt.datetime]:
        """Up one level (grid → village), sometimes two (→ township), rarely three (→ county)."""
        rng = self.rng
        steps = 1 if case.level == Level.GRID else 0
        steps += 1 if rng.random() < 0.4 else 0
        steps += 1 if rng.random() < 0.1 else 0  # now and then all the way to the county
        for _n in range(max(steps, 1)):
            if case.level <= Level.COUNTY:
                break
            t += rng.uniform(2, 30) * HOUR
            with self._at(t):
                case = services.case_escalate(
                    actor=self._desk_for(crew, case.area_code),
                    case=case,
                    expected_version=case.version,
                    reason="本级无法解决，需上级协调。",
                )
        return case, t

    def _escalated_target(self, case: Case, crew: Crew) -> DispatchTarget:
        if crew.department is not None and self.rng.random() < 0.5:
            d = crew.department
            return DispatchTarget(AssigneeKind.DEPARTMENT, str(d.pk), str(d), d)
        desk = self._desk_for(crew, case.area_code)
        return DispatchTarget(AssigneeKind.USER, str(desk.pk), str(desk), desk)

    @staticmethod
    def _resident(case: Case) -> bool:
        """Reported by a resident (not by staff on patrol): the reporter rates."""
        return case.reporter_id is not None and not has_role(case.reporter, STAFF_ROLES)

    def _maybe_rate(self, case: Case, t: dt.datetime) -> None:
        if not self._resident(case) or self.rng.random() > 0.65 or t > self.now:
            return
        rating = _pick(self.rng, RATINGS)
        with self._at(t):
            services.case_rate(
                actor=case.reporter,
                case=case,
                expected_version=case.version,
                rating=rating,
                really_solved=rating != Rating.UNSATISFIED or self.rng.random() < 0.3,
            )


def _canned(category: Category) -> list[str]:
    """The canned replies of a service type's parent, from the per-process copy of the service types."""
    cached = reference.category(category.code)
    parent = cached.parent if cached is not None else category.parent
    return parent.canned_replies if parent is not None else []
