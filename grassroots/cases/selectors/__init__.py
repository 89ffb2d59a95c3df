"""Every read of cases that a page or the API needs, scoped (views and the API call these, never the ORM).

Who sees what (the rules are ``workflow.can_see`` and ``rules.is_staff_viewer``; these functions only turn
them into queries):
- the staff queue holds the cases whose *current* area lies in the user's scope (an escalated case leaves the
  village's queue and enters the township's);
- a resident sees their own reports, a handler the cases assigned to them;
- a timeline shows internal notes only to staff who see the case through their scope or handle it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots import clock, geo
from grassroots.accounts.scoping import (
    OutOfScope,
    UnknownReference,
    in_scope,
    is_unrestricted,
    resolve_in_scope,
    scope_codes,
    scoped,
)
from grassroots.areas.models import Area
from grassroots.people import rules as people_rules
from grassroots.people.models import Visit
from grassroots.worktime import calendar

from .. import deadlines, reference, rules, workflow
from ..metrics import under
from ..models import (
    OPEN_STATES,
    CalendarYear,
    Case,
    CaseEvent,
    CasePhoto,
    CaseRating,
    Category,
    PhotoStage,
    SavedQueueView,
    Source,
    State,
    WorkingDay,
)

QUEUE_PAGE_SIZE = 25
DUPLICATE_RADIUS_M = 50
DUPLICATE_DAYS = 30


# --- the staff queue -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    """What the queue page and the API list may filter by. Empty values filter nothing.

    ``state`` is a :class:`State` value or ``"open"`` (every state not closed or cancelled); ``category`` a
    category code (its subtree counts: ``01`` includes ``0101``); ``area`` an area code inside the user's
    scope (its subtree); ``since``/``until`` local dates of the report, both inclusive.
    """

    state: str = ""
    overdue: bool = False
    category: str = ""
    level: int | None = None
    source: str = ""
    area: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def overdue_q(now: dt.datetime) -> Q:
    """Cases whose running clock has passed its deadline: not accepted in time, or not handled in time."""
    return Q(state=State.REPORTED, response_due_at__lt=now) | Q(
        state=State.DISPATCHED, handling_due_at__lt=now
    )


def case_queue_for(*, user, filters: QueueFilters | None = None) -> QuerySet[Case]:
    """The cases now owned by an area in the user's scope, newest report first, category loaded."""
    f = filters or QueueFilters()
    prefixes = queue_areas_for(user=user)
    by_time_or_type = bool(f.category or f.since or f.until)
    # On SQLite the scope's prefix as a range of codes (scoping.prefix_range_q), which its index can use,
    # with no LIKE beside it: per entry read, a LIKE costs as much as reading it (the count and the page's
    # ids of a county took three times as long with the two). Not with a service type or a period: then
    # the (category, time) and time indexes narrow better, and SQLite, offered the area range, takes it.
    ranged = len(prefixes) == 1 and not by_time_or_type
    qs = scoped(Case.objects.all(), user, roles=workflow.VIEWERS, ranged=ranged)
    if f.state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif f.state:
        qs = qs.filter(state=f.state)
    if f.overdue:
        # the states again on their own, so that the queue index can skip the closed rows unread
        qs = qs.filter(overdue_q(clock.now()), state__in=[State.REPORTED, State.DISPATCHED])
    if f.category:
        # the subtree's ids (a subquery), so that the (category, reported_at) index can serve it
        qs = qs.filter(category__in=Category.objects.filter(code__startswith=f.category).values("pk"))
    if f.level:
        qs = qs.filter(level=f.level)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.area:
        qs = qs.filter(under("area_code", f.area))
    if f.since:
        qs = qs.filter(reported_at__gte=_local_midnight(f.since))
    if f.until:
        qs = qs.filter(reported_at__lt=_local_midnight(f.until + dt.timedelta(days=1)))
    return qs.select_related("category").order_by("-reported_at", "-id")


class IdsFirst:
    """A queryset paged in two steps: the ids of one page (sorted within an index, without reading the
    rows), then only those rows. For the queue of a county, sorting whole rows to show 25 of them reads
    tens of thousands of rows; the ids alone come from the index. Hand it to a ``Paginator``."""

    def __init__(self, queryset: QuerySet[Case]):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("IdsFirst is sliced a page at a time")
        ids = list(self.queryset.values_list("pk", flat=True)[key])
        rows = Case.objects.filter(pk__in=ids).select_related("category").in_bulk()
        return [rows[pk] for pk in ids if pk in rows]


def queue_views_for(*, user) -> list[SavedQueueView]:
    """The user's saved queue views, by name."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(SavedQueueView.objects.filter(user=user).order_by("name"))


def queue_view_get_for(*, user, pk) -> SavedQueueView:
    """One of the user's own saved views, else 404."""
    if not getattr(user, "is_authenticated", False):
        raise OutOfScope
    view = SavedQueueView.objects.filter(user_id=user.pk, pk=pk).first()
    if view is None:
        raise OutOfScope
    return view


def queue_areas_for(*, user) -> list[str]:
    """The area prefixes the user's queue covers (empty: no queue at all, e.g. a resident)."""
    if is_unrestricted(user):
        return [""]
    return scope_codes(user, roles=workflow.VIEWERS)


def has_queue(user) -> bool:
    return bool(queue_areas_for(user=user))


# --- one case ----------------------------------------------------------------------------------------------


def case_get_for(*, user, pk: int) -> Case:
    """One case the user may see (reporter, assignee, staff in scope of where it is or came from), else 404."""
    try:
        case = Case.objects.select_related("category", "category__parent").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise OutOfScope from None
    if not workflow.can_see(user, case):
        raise OutOfScope
    return case


def case_visible_to(user, pk: int) -> bool:
    """Whether the user may still see the case (after an action that may have moved it out of their scope)."""
    case = Case.objects.filter(pk=pk).first()
    return case is not None and workflow.can_see(user, case)


def timeline_for(*, user, case: Case) -> list[CaseEvent]:
    """The case's events, oldest first, with their photos. Internal rows only for staff viewers/handlers."""

    events = case.events.all().prefetch_related("photos").order_by("at", "id")
    if not rules.is_staff_viewer(user, case):
        events = events.filter(internal=False)
    return list(events)


def timeline_of_written(*, user, case: Case, events: list[CaseEvent]) -> list[CaseEvent]:
    """:func:`timeline_for` of a case just written, from the events its writer kept (oldest first)."""

    if not rules.is_staff_viewer(user, case):
        events = [e for e in events if not e.internal]
    return sorted(events, key=lambda e: (e.at, e.pk))


@dataclass(frozen=True)
class CasePhotos:
    report: list[CasePhoto]
    before: list[CasePhoto]
    after: list[CasePhoto]


def photos_for(case: Case) -> CasePhotos:
    by_stage: dict[str, list[CasePhoto]] = {s: [] for s in PhotoStage.values}
    for photo in case.photos.all().order_by("id"):
        by_stage[photo.stage].append(photo)
    return CasePhotos(by_stage[PhotoStage.REPORT], by_stage[PhotoStage.BEFORE], by_stage[PhotoStage.AFTER])


# --- a resident's reports, a handler's tasks --------------------------------------------------------------


def my_reports_for(*, user) -> QuerySet[Case]:
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return Case.objects.filter(reporter=user).select_related("category").order_by("-reported_at", "-id")


def my_tasks_for(*, user, include_closed: bool = False) -> QuerySet[Case]:
    """Cases assigned to the user's login (a grid worker's or a department handler's work list): the most
    urgent deadline first, cases without a running deadline after them."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    qs = Case.objects.filter(assignee_user=user).select_related("category")
    if not include_closed:
        qs = qs.filter(state__in=OPEN_STATES)
    return qs.order_by("handling_due_at", "response_due_at", "-reported_at", "-id")


# --- traffic lights -----------------------------------------------------------------------------------------


def lights_for(cases, *, now: dt.datetime | None = None) -> dict[int, list[deadlines.Light]]:
    """The traffic lights of many cases with one shared working calendar (one query per year touched)."""
    at = now or clock.now()
    cal = calendar.Calendar()
    return {case.pk: deadlines.case_lights(case, at, cal=cal) for case in cases}


def unentered_years_for(case) -> list[int]:
    """The years that a running deadline of the case crosses whose holidays have not been entered."""
    return sorted({year for light in lights_for([case])[case.pk] for year in light.unentered_years})


@dataclass(frozen=True)
class Clock:
    """The running clock of a case for a list row: which step, its deadline, and the light's colour."""

    step: str  # "response" or "handling"
    due_at: dt.datetime
    colour: str


def running_clocks_for(cases, *, now: dt.datetime | None = None) -> dict[int, Clock | None]:
    """For list pages: the one running clock of each case (None when no clock runs).

    A clock past its deadline is red whatever else is true, so those need no working-time arithmetic
    (which walks the calendar day by day from the start of the step); only the others get
    :func:`deadlines.case_lights`, with one shared calendar.
    """
    at = now or clock.now()
    cal = None
    out: dict[int, Clock | None] = {}
    for case in cases:
        waiting = case.previous_state if case.state == State.SHELVED else case.state
        moment = case.shelved_at if case.state == State.SHELVED and case.shelved_at else at
        if waiting == State.REPORTED and case.response_due_at:
            step, due = "response", case.response_due_at
        elif waiting == State.DISPATCHED and case.handling_due_at and case.handling_started_at:
            step, due = "handling", case.handling_due_at
        else:
            out[case.pk] = None
            continue
        if moment > due:
            out[case.pk] = Clock(step, due, "red")
            continue
        cal = cal or calendar.Calendar()
        lights = deadlines.case_lights(case, at, cal=cal)
        out[case.pk] = Clock(step, due, worst_light(lights) or "green")
    return out


def worst_light(lights: list[deadlines.Light]) -> str:
    order = {"green": 0, "yellow": 1, "red": 2}
    if not lights:
        return ""
    return max((light.colour for light in lights), key=lambda c: order.get(c, 0))


# --- duplicates ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Nearby:
    case: Case
    distance_m: float


def duplicates_near(
    *,
    category: Category,
    lon: float,
    lat: float,
    exclude_pk: int | None = None,
    radius_m: float = DUPLICATE_RADIUS_M,
    days: int = DUPLICATE_DAYS,
    limit: int = 5,
) -> list[Nearby]:
    """Recent reports of the same service type within ``radius_m`` of a point, nearest first.

    Not closed as duplicates or cancelled. Unscoped: callers decide what to show of them (a resident sees
    only that a similar report exists; staff see the cases in their scope).
    """
    min_lon, min_lat, max_lon, max_lat = geo.box_around(lon, lat, radius_m)
    since = clock.now() - dt.timedelta(days=days)
    candidates = (
        Case.objects.filter(
            category=category,
            reported_at__gte=since,
            lon__range=(min_lon, max_lon),
            lat__range=(min_lat, max_lat),
        )
        .exclude(state=State.CANCELLED)
        .exclude(merged_into__isnull=False)
        .select_related("category")
        .order_by("-reported_at")[:50]
    )
    found = []
    for case in candidates:
        if (exclude_pk is not None and case.pk == exclude_pk) or case.lon is None or case.lat is None:
            continue  # (the ranges above leave out cases without a point)
        distance = geo.distance_m(lon, lat, case.lon, case.lat)
        if distance <= radius_m:
            found.append(Nearby(case, distance))
    found.sort(key=lambda n: (n.distance_m, -n.case.pk))
    return found[:limit]


def duplicates_for_case(*, user, case: Case) -> list[Nearby]:
    """Possible duplicates of a case that the user may see (for merging from the case page)."""
    if case.lon is None or case.lat is None:
        return []
    return [
        n
        for n in duplicates_near(category=case.category, lon=case.lon, lat=case.lat, exclude_pk=case.pk)
        if workflow.can_see(user, n.case)
    ]


# --- choices for forms and filters ---------------------------------------------------------------------------


def categories_for_choice() -> list[Category]:
    """Active service types, parents before children, with the parent loaded (for grouped selects)."""

    return reference.active_categories()  # the process's copy (the service types change rarely)


SOURCE_CHOICES = Source.choices


def merge_master_for(*, user, value, field: str = "master") -> Case:
    """The case to merge a duplicate into, named by its id, its reference (``20250301`` + 7 digits) or its bare
    number: a case whose current area lies in the user's intake scope (where they may merge), else
    :class:`~grassroots.accounts.scoping.UnknownReference`. Being its reporter or its handler is not enough."""
    text = str(value if value is not None else "").strip()
    pk = int(text[8:]) if text.isdigit() and len(text) >= 15 else text
    case = resolve_in_scope(
        Case.objects.select_related("category"),
        user,
        pk,
        field=field,
        what=_("case"),
        roles=workflow.INTAKE,
        code="bad_merge",
    )
    if text.isdigit() and len(text) >= 15 and case.reference != text:
        raise UnknownReference(field=field, what=_("case"), value=text, code="bad_merge")
    return case


def household_link_for(*, user, case: Case):
    """The household whose visit this case came from (``people.Visit.case_reference``), if the user may read
    the register there; else None. Cases carry no column pointing at a household."""

    if not case.reference:
        return None
    visit = (
        scoped(
            Visit.objects.filter(case_reference=case.reference), user, roles=people_rules.REGISTER_READ_ROLES
        )
        .select_related("household")
        .first()
    )
    return visit.household if visit is not None else None


# --- metrics pages --------------------------------------------------------------------------------------------


def may_see_metrics(*, user, code: str) -> bool:
    """Staff (and leaders) whose scope holds the whole area see its figures."""

    return in_scope(user, code, roles=workflow.VIEWERS)


def area_names(*, codes: list[str]) -> dict[str, str]:

    return dict(Area.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


# --- ratings ----------------------------------------------------------------------------------------------


def ratings_of(case: Case) -> list[CaseRating]:
    """Every closure round's rating of a case the caller may see, oldest round first."""
    if case.rated_round == 0:
        return []
    return list(CaseRating.objects.filter(case=case).order_by("round"))


# --- the working calendar ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarYearRow:
    year: int
    entry: CalendarYear | None  # None: not entered, deadlines there count weekends only
    days_off: int  # weekdays off and weekend days of holidays written for the year (official and local)
    make_up_days: int
    local_days: int  # local overrides
    known_to_package: bool  # the chinese-calendar package has the year (its page offers its lines)


def calendar_years_overview(*, today: dt.date) -> list[CalendarYearRow]:
    """Every year entered, and last year to the year after next in any case, with what was entered."""
    entries = {e.year: e for e in CalendarYear.objects.select_related("entered_by")}
    years = sorted(set(entries) | set(range(today.year - 1, today.year + 3)))
    counts: dict[tuple[int, bool, bool], int] = {}
    for day, working, local in WorkingDay.objects.filter(date__year__in=years).values_list(
        "date", "is_working", "is_local"
    ):
        key = (day.year, working, local)
        counts[key] = counts.get(key, 0) + 1
    return [
        CalendarYearRow(
            year=year,
            entry=entries.get(year),
            days_off=counts.get((year, False, False), 0),
            make_up_days=counts.get((year, True, False), 0),
            local_days=counts.get((year, False, True), 0) + counts.get((year, True, True), 0),
            known_to_package=calendar.official_schedule(year) is not None,
        )
        for year in years
    ]


def calendar_year_get(year: int) -> CalendarYear | None:
    return CalendarYear.objects.select_related("entered_by").filter(year=year).first()


def photo_readable_by(user, name: str) -> bool:
    """Whether ``user`` may see the stored case photo (or thumbnail) ``name``: whoever may see its case
    (``grassroots/media.py`` serves ``MEDIA_URL/cases/…`` only then)."""
    photo = CasePhoto.objects.select_related("case").filter(Q(image=name) | Q(thumbnail=name)).first()
    return photo is not None and workflow.can_see(user, photo.case)


# The parts kept in modules of their own, read from here like the rest.
from .callbacks import CALLBACK_PAGE_SIZE as CALLBACK_PAGE_SIZE  # noqa: E402
from .callbacks import callback_calls_of as callback_calls_of  # noqa: E402
from .callbacks import callback_get_for as callback_get_for  # noqa: E402
from .callbacks import callback_list_for as callback_list_for  # noqa: E402
from .callbacks import callback_rows_for as callback_rows_for  # noqa: E402
from .callbacks import callbacks_to_make_for as callbacks_to_make_for  # noqa: E402
from .callbacks import with_round_calls as with_round_calls  # noqa: E402
from .maps import MAP_POINTS_LIMIT as MAP_POINTS_LIMIT  # noqa: E402
from .maps import case_points_for as case_points_for  # noqa: E402
from .maps import home_counties as home_counties  # noqa: E402
from .maps import reporter_home_code as reporter_home_code  # noqa: E402
from .targets import Target as Target  # noqa: E402
from .targets import dispatch_targets_for as dispatch_targets_for  # noqa: E402
from .targets import resolve_target as resolve_target  # noqa: E402
from .targets import target_key as target_key  # noqa: E402
from .waiting import WAITING_STEPS as WAITING_STEPS  # noqa: E402
from .waiting import work_waiting_for as work_waiting_for  # noqa: E402
