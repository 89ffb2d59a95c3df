"""Every read of the register, always through ``accounts.scoping.scoped`` with the register's roles.

Outside the user's scope nothing exists: ``*_get_for`` raise ``OutOfScope`` (404) and lists and searches
simply do not contain the row. Lists never decrypt: they read the stored masks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from grassroots import clock, personal
from grassroots.accounts.scoping import OutOfScope, get_in_scope_or_404, is_unrestricted, scope_codes, scoped
from grassroots.areas.models import Area

from . import idnumber, names, person_numbers, rules
from .errors import IdNumberError, PeopleError
from .models import (
    GridMove,
    Household,
    KeyGroupLabel,
    NameSuffix,
    Place,
    ProxyService,
    RegisterImport,
    Resident,
    ResidentStatus,
    Visit,
    VisitPhoto,
)

SEARCH_LIMIT = 50
NARROW_SCOPE = 9  # code length from which a scope is narrow enough to lead a query (township)


def prefix_q(field: str, value: str) -> Q:
    """Rows whose ``field`` starts with ``value``, in the form each database answers from an index: a
    LIKE 'x%' on PostgreSQL (varchar_pattern_ops indexes), a range on SQLite (whose LIKE is case-blind and
    cannot use an ordinary index)."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": value, f"{field}__lt": value + "\U0010ffff"})
    return Q(**{f"{field}__startswith": value})


def under(queryset: QuerySet, code: str | None, field: str = "area_code") -> QuerySet:
    """Narrow a (scoped) queryset to the area ``code`` and below, as an indexable range."""
    if not code:
        return queryset
    return queryset.filter(prefix_q(field, code))


def _register(queryset: QuerySet, user, roles=rules.REGISTER_READ_ROLES, *, narrow: bool = True) -> QuerySet:
    """Scoped to the register's roles. On SQLite a narrow scope (a township or smaller) is repeated as
    ranges, which its planner can take from an index (its LIKE is case-blind and cannot); the rows are the
    same. A wide scope is left to the search's own index (a city-wide range would only mislead it)."""
    qs = scoped(queryset, user, roles=roles)
    if narrow and connection.vendor == "sqlite" and not is_unrestricted(user):
        codes = scope_codes(user, roles=roles)
        if codes and all(len(code) >= NARROW_SCOPE for code in codes):
            ranges = Q()
            for code in codes:
                ranges |= prefix_q("area_code", code)
            qs = qs.filter(ranges)
    return qs


def require_register_area(*, user, code: str) -> Area:
    """The area whose register the user opens: inside their register scope, else 404."""
    if not rules.can_read_register(user, code):
        raise OutOfScope
    area = Area.objects.select_related("parent").filter(code=code).first()
    if area is None:
        raise OutOfScope
    return area


def register_roots_for(*, user) -> list[Area]:
    """The areas a worker starts from: those of their register grants (for a superuser with none, the roots
    of the tree)."""
    codes = scope_codes(user, roles=rules.REGISTER_READ_ROLES) if not user.is_superuser else []
    roots = list(Area.objects.filter(code__in=codes).order_by("code")) if codes else []
    if user.is_superuser and not roots:
        roots = list(Area.objects.current().filter(parent__isnull=True))
    return roots


# --- households ---------------------------------------------------------------------------------------------


def _count(model, field: str, **filters):
    return Coalesce(
        Subquery(
            model.objects.filter(**{field: OuterRef("pk")}, **filters)
            .order_by()
            .values(field)
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def household_list_for(*, user, area_code: str | None = None, due_only: bool = False) -> QuerySet[Household]:
    """Households in scope (optionally under an area), with member and key-group counts; no decryption."""
    qs = under(_register(Household.objects.all(), user), area_code)
    if due_only:
        qs = qs.filter(next_visit_due__lte=clock.today())
    return (
        qs.select_related("head")
        .defer("phone", "head__id_number", "head__phone")
        .annotate(
            member_count=_count(Resident, "household", status=ResidentStatus.PRESENT),
            key_group_count=_count(
                KeyGroupLabel, "resident__household", resident__status=ResidentStatus.PRESENT
            ),
        )
        .order_by("area_code", "address", "building", "unit", "room", "id")
    )


def household_get_for(*, user, pk: int) -> Household:
    return get_in_scope_or_404(
        Household.objects.select_related("area", "head"), user, roles=rules.REGISTER_READ_ROLES, pk=pk
    )


def household_members(household: Household) -> list[Resident]:
    return list(
        Resident.objects.filter(household=household)
        .exclude(status=ResidentStatus.MERGED)
        .defer("id_number", "phone")
        .prefetch_related("labels")
        .order_by("status", "relation", "birth_date", "id")
    )


def household_visits(household: Household, limit: int = 20) -> list[Visit]:
    return list(Visit.objects.filter(household=household).prefetch_related("photos")[:limit])


def household_moves(household: Household) -> list[GridMove]:
    return list(
        GridMove.objects.filter(
            Q(household=household) | Q(to_household=household) | Q(from_household=household)
        ).select_related("resident")[:20]
    )


# --- residents ----------------------------------------------------------------------------------------------


def resident_list_for(
    *, user, area_code: str | None = None, key_group: str | None = None
) -> QuerySet[Resident]:
    qs = under(_register(Resident.objects.exclude(status=ResidentStatus.MERGED), user), area_code)
    if key_group:
        qs = qs.filter(labels__kind=key_group)
    return (
        qs.select_related("household")
        .defer("id_number", "phone", "household__phone")
        .prefetch_related("labels")
        .order_by("area_code", "name", "id")
    )


def resident_get_for(*, user, pk: int) -> Resident:
    return get_in_scope_or_404(
        Resident.objects.select_related("household", "merged_into"),
        user,
        roles=rules.REGISTER_READ_ROLES,
        pk=pk,
    )


def resident_labels(resident: Resident) -> list[KeyGroupLabel]:
    return list(resident.labels.all())


def resident_visits(resident: Resident, limit: int = 20) -> list[Visit]:
    if not resident.household_id:
        return []
    return list(Visit.objects.filter(household_id=resident.household_id)[:limit])


def resident_services(resident: Resident) -> list[ProxyService]:
    return list(ProxyService.objects.filter(resident=resident).select_related("handler"))


def resident_moves(resident: Resident) -> list[GridMove]:
    return list(
        GridMove.objects.filter(resident=resident).select_related("from_household", "to_household")[:20]
    )


# --- key groups, grid page ----------------------------------------------------------------------------------


def key_group_counts_for(*, user, area_code: str) -> dict[str, int]:
    """How many people on the register under ``area_code`` carry each key-group label (in scope only)."""
    qs = under(_register(KeyGroupLabel.objects.all(), user), area_code).filter(
        resident__status=ResidentStatus.PRESENT
    )
    return {row["kind"]: row["n"] for row in qs.order_by().values("kind").annotate(n=Count("id"))}


def register_totals_for(*, user, area_code: str) -> dict[str, int]:
    households = under(_register(Household.objects.all(), user), area_code).count()
    residents = under(
        _register(Resident.objects.filter(status=ResidentStatus.PRESENT), user), area_code
    ).count()
    return {"households": households, "residents": residents}


def child_areas_for(*, user, area: Area) -> list[Area]:
    """The children of an area whose register the user may open."""
    return [
        a
        for a in Area.objects.current().filter(parent=area).order_by("code")
        if rules.can_read_register(user, a.code)
    ]


# --- visits -------------------------------------------------------------------------------------------------


def visits_due_for(*, user, within_days: int = 7) -> QuerySet[Household]:
    """Key-group households in the user's care whose next visit is due within ``within_days`` (or overdue),
    the most overdue first. For grid workers this is their grid; the task list of workforce/cases can
    include it."""
    horizon = clock.today() + dt.timedelta(days=within_days)
    return (
        scoped(Household.objects.all(), user, roles=rules.REGISTER_WRITE_ROLES)
        .filter(next_visit_due__isnull=False, next_visit_due__lte=horizon)
        .select_related("head")
        .defer("phone", "head__id_number", "head__phone")
        .order_by("next_visit_due", "id")
    )


def visit_get_for(*, user, pk: int) -> Visit:
    return get_in_scope_or_404(
        Visit.objects.select_related("household"), user, roles=rules.REGISTER_READ_ROLES, pk=pk
    )


def visit_photo_get_for(*, user, pk: int) -> VisitPhoto:
    """A photo of a visit the user may read; else 404 (photos of homes are not public media)."""
    photo = VisitPhoto.objects.select_related("visit").filter(pk=pk).first()
    if photo is None:
        raise OutOfScope
    visit_get_for(user=user, pk=photo.visit_id)
    return photo


def visit_list_for(*, user, area_code: str | None = None) -> QuerySet[Visit]:
    return under(_register(Visit.objects.select_related("household"), user), area_code)


def visit_counts_by_visitor(user_ids, year: int) -> dict[int, int]:
    """How many visits each login recorded as the visitor on days of ``year`` (one aggregate query).

    Counts only, no personal data, and unscoped: the workforce workload calls it for workers whose figures
    the caller is already allowed to see."""
    ids = [pk for pk in user_ids if pk is not None]
    if not ids:
        return {}
    return dict(
        Visit.objects.filter(visitor_id__in=ids, visited_on__year=year)
        .values("visitor_id")
        .annotate(n=Count("id"))
        .values_list("visitor_id", "n")
    )


def visit_count_for_area(area_code: str, year: int) -> int:
    """Visits to households in the area (a grid, or everything under a code) on days of ``year``. Unscoped
    count, for figures whose page already checked the area."""
    return Visit.objects.filter(prefix_q("area_code", area_code), visited_on__year=year).count()


# --- proxy services -----------------------------------------------------------------------------------------


def service_list_for(
    *, user, status: str | None = None, area_code: str | None = None
) -> QuerySet[ProxyService]:
    qs = under(_register(ProxyService.objects.all(), user), area_code)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("resident", "handler").defer("resident__id_number", "resident__phone")


def service_get_for(*, user, pk: int) -> ProxyService:
    return get_in_scope_or_404(
        ProxyService.objects.select_related("resident", "resident__household", "handler").prefetch_related(
            "steps"
        ),
        user,
        roles=rules.REGISTER_READ_ROLES,
        pk=pk,
    )


# --- places -------------------------------------------------------------------------------------------------


def place_list_for(
    *, user, area_code: str | None = None, kind: str | None = None, accepts_cases: bool | None = None
) -> QuerySet[Place]:
    qs = under(scoped(Place.objects.all(), user, roles=rules.PLACE_READ_ROLES), area_code)
    if kind:
        qs = qs.filter(kind=kind)
    if accepts_cases is not None:
        qs = qs.filter(accepts_cases=accepts_cases)
    return qs.defer("contact_phone").order_by("area_code", "kind", "name")


def place_get_for(*, user, pk: int) -> Place:
    return get_in_scope_or_404(
        Place.objects.select_related("area"), user, roles=rules.PLACE_READ_ROLES, pk=pk
    )


def dispatch_units_for(*, user, area_code: str) -> QuerySet[Place]:
    """Units a case in ``area_code`` can be dispatched to: those at the area or any of its ancestors."""
    ancestors = [area_code[:n] for n in (2, 4, 6, 9, 12, 15) if n <= len(area_code)]
    return (
        scoped(
            Place.objects.filter(area_code__in=ancestors, accepts_cases=True, is_active=True),
            user,
            roles=rules.PLACE_READ_ROLES,
        )
        .defer("contact_phone")
        .order_by("area_code", "name")
    )


# --- duplicates ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class DuplicateGroup:
    name: str
    birth_date: dt.date
    residents: list[Resident]


def duplicate_groups_for(*, user, area_code: str | None = None, limit: int = 100) -> list[DuplicateGroup]:
    """Possible duplicates in scope: present records with the same name and date of birth.

    Records with the same ID number cannot both be stored (the keyed hash is unique): entering one again is
    refused at the door with a pointer to the existing record, and the import updates it instead.
    """
    base = under(
        scoped(Resident.objects.exclude(status=ResidentStatus.MERGED), user, roles=rules.MERGE_ROLES),
        area_code,
    ).filter(birth_date__isnull=False)
    keys = list(
        base.order_by()
        .values("name", "birth_date")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("name", "birth_date")[:limit]
    )
    if not keys:
        return []
    match = Q()
    for key in keys:
        match |= Q(name=key["name"], birth_date=key["birth_date"])
    members: dict[tuple, list[Resident]] = {}
    for r in base.filter(match).select_related("household").defer("id_number", "phone").order_by("id"):
        members.setdefault((r.name, r.birth_date), []).append(r)
    return [
        DuplicateGroup(k["name"], k["birth_date"], members.get((k["name"], k["birth_date"]), []))
        for k in keys
    ]


# --- search -------------------------------------------------------------------------------------------------


class SearchField:
    AUTO = "auto"
    NAME = "name"
    PINYIN = "pinyin"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    ADDRESS = "address"

    ALL = (AUTO, NAME, PINYIN, ID_NUMBER, PHONE, ADDRESS)


@dataclasses.dataclass
class SearchResult:
    field: str
    residents: list[Resident]
    households: list[Household]
    message: str = ""


def detect_field(q: str) -> str:
    compact = idnumber.normalise(q)
    if len(compact) in (15, 18) and compact[:-1].isdigit() and (compact[-1].isdigit() or compact[-1] == "X"):
        return SearchField.ID_NUMBER
    digits = "".join(ch for ch in compact if ch.isdigit())
    if compact and len(digits) >= 7 and all(ch.isdigit() or ch in "-+()" for ch in compact):
        return SearchField.PHONE
    if compact.isascii() and compact.isalpha():
        return SearchField.PINYIN
    if names.is_chinese(q) and not any(ch.isdigit() for ch in q) and len(compact) <= 12:
        return SearchField.NAME
    return SearchField.ADDRESS


def _resident_rows(qs: QuerySet) -> QuerySet:
    """Search hits without an ORDER BY, so that LIMIT stops the index scan early (ranked afterwards)."""
    return (
        qs.order_by()
        .exclude(status=ResidentStatus.MERGED)
        .select_related("household")
        .defer("id_number", "phone", "household__phone")
        .prefetch_related("labels")
    )


def search_for(*, user, q: str, field: str = SearchField.AUTO, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Search the register in the user's scope by name (substring), pinyin or initials (prefix), exact ID
    or phone number (through the keyed hash) or address (substring).

    Every branch starts from an index: name substrings are prefixes of the stored name suffixes; an ID or a
    phone number is looked up by its keyed hash and never compared in clear.
    """
    q = " ".join((q or "").split())[:100]
    if not q:
        return SearchResult(field, [], [])
    if field not in SearchField.ALL:
        raise PeopleError(_("Unknown search field."), code="bad_field")
    if field == SearchField.AUTO:
        field = detect_field(q)
    # Searches lead with their own index (search column first, scope beside it): no scope ranges here.
    residents = _register(Resident.objects.all(), user, narrow=False)
    if field == SearchField.ID_NUMBER:
        try:
            parsed = idnumber.parse(q)
        except IdNumberError as exc:
            return SearchResult(field, [], [], message=str(exc.message))
        found = list(_resident_rows(residents.filter(id_hash=personal.id_hash(parsed.number)))[:limit])
        return SearchResult(field, found, [])
    if field == SearchField.PHONE:
        try:
            digits = person_numbers.phone_digits(q)
        except PeopleError as exc:
            return SearchResult(field, [], [], message=str(exc.message))
        digest = personal.phone_hash(digits)
        found = list(_resident_rows(residents.filter(phone_hash=digest))[:limit])
        households = list(
            _register(Household.objects.filter(phone_hash=digest), user)
            .defer("phone")
            .select_related("head")[:limit]
        )
        return SearchResult(field, found, households)
    if field == SearchField.PINYIN:
        key = "".join(ch for ch in q.lower() if ch.isascii() and ch.isalpha())
        if not key:
            return SearchResult(field, [], [])
        by_initials = list(_resident_rows(residents.filter(prefix_q("name_initials", key)))[:limit])
        seen = {r.pk for r in by_initials}
        rest = limit - len(by_initials)
        by_pinyin = []
        if rest > 0 and len(key) > 1:
            by_pinyin = [
                r
                for r in _resident_rows(residents.filter(prefix_q("name_pinyin", key)))[:limit]
                if r.pk not in seen
            ][:rest]
        return SearchResult(
            field,
            _rank(by_initials + by_pinyin, lambda r: r.name_initials == key or r.name_pinyin == key),
            [],
        )
    if field == SearchField.NAME:
        key = "".join(ch for ch in names.clean(q) if ch not in " ·•・.-")
        ids = list(
            _register(NameSuffix.objects.filter(prefix_q("suffix", key)), user, narrow=False).values_list(
                "resident_id", flat=True
            )[: limit * 2]
        )
        found = list(_resident_rows(Resident.objects.filter(pk__in=set(ids))))
        found = _rank(found, lambda r: r.name == key, lambda r: r.name.startswith(key))[:limit]
        return SearchResult(field, found, [])
    # address
    households = list(
        _register(Household.objects.filter(address__contains=q), user)
        .select_related("head")
        .defer("phone", "head__id_number", "head__phone")
        .order_by()[:limit]
    )
    return SearchResult(SearchField.ADDRESS, [], households)


def _rank(rows: list, *better) -> list:
    return sorted(rows, key=lambda r: (*[not test(r) for test in better], r.name_pinyin, r.name, r.pk))


# --- imports ------------------------------------------------------------------------------------------------


def import_list_for(*, user) -> QuerySet[RegisterImport]:
    return scoped(RegisterImport.objects.select_related("created_by"), user, roles=rules.TRANSFER_ROLES)


def import_get_for(*, user, pk: int) -> RegisterImport:
    return get_in_scope_or_404(RegisterImport.objects.all(), user, roles=rules.TRANSFER_ROLES, pk=pk)


def visit_photo_readable_by(user, name: str) -> bool:
    """Whether ``user`` may see the stored visit photo ``name``: the visit's household is in their scope."""

    return scoped(
        VisitPhoto.objects.filter(image=name), user, field="visit__area_code", roles=rules.REGISTER_READ_ROLES
    ).exists()
