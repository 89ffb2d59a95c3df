"""Reads of API keys, webhook subscriptions and their deliveries, scoped like every protected read."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from grassroots.accounts.models import User
from grassroots.accounts.rules import ADMIN_ROLES
from grassroots.accounts.scoping import OutOfScope, scope_q, scoped
from grassroots.areas.models import Area
from grassroots.cases import reference
from grassroots.cases.models import Case, CaseEvent, Category
from grassroots.cases.roles import VIEWERS

from .models import ApiKey, Open311Submission


def key_digest(raw: str) -> str:
    """The stored form of a key: its SHA-256 (the key is 256 random bits, so no slow hash is needed)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_for(raw: str) -> ApiKey | None:
    """The active key whose secret is ``raw``, with its system account; None for anything else."""
    if not raw or not isinstance(raw, str) or len(raw) > 200:
        return None
    return (
        ApiKey.objects.select_related("account")
        .filter(key_hash=key_digest(raw), revoked_at__isnull=True, account__is_active=True)
        .first()
    )


def api_key_list_for(*, user: User) -> QuerySet[ApiKey]:
    """The keys issued on areas the administrator administers."""
    return scoped(ApiKey.objects.select_related("area", "issued_by"), user, roles=ADMIN_ROLES)


# --- Open311 ------------------------------------------------------------------------------------------------


def open311_services() -> list[Category]:
    """The services of the Open311 endpoint: the active service types that have no active sub-types (a top
    type with sub-types is their group), in the order of the report form."""
    active = reference.active_categories()
    parents = {c.parent_id for c in active if c.parent_id}
    return [c for c in active if c.pk not in parents]


def open311_service(code: str) -> Category | None:
    return next((c for c in open311_services() if c.code == code), None)


def jurisdiction_area(code: str | None) -> Area | None:
    """The area a non-empty ``jurisdiction_id`` names (an area code), else None."""
    return Area.objects.filter(code=code).first() if code else None


def _case_scope(user: User, jurisdiction: str | None) -> Q:
    """The cases the key sees: where they are now or where they were reported lies in its area (as
    ``cases.workflow.can_see`` has it for staff), narrowed to the jurisdiction when one is named."""
    q = scope_q(user, field="area_code", roles=VIEWERS) | scope_q(user, field="origin_code", roles=VIEWERS)
    if jurisdiction:
        q &= Q(area_code__startswith=jurisdiction) | Q(origin_code__startswith=jurisdiction)
    return q


def _request_rows(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("category", "open311_submission")


def case_id_of(reference_text: str) -> int | None:
    """The case id of a service_request_id (our case reference: the report date, 8 digits, then the id)."""
    text = (reference_text or "").strip()
    if not text.isdigit() or len(text) < 9 or not text.isascii():
        return None
    return int(text[8:])


@dataclass(frozen=True)
class RequestFilters:
    references: list[str] | None = None
    service_codes: list[str] | None = None
    status_q: Q | None = None  # statuses.cases_q of the status filter
    start: dt.datetime | None = None
    end: dt.datetime | None = None


def open311_request_list(
    *, user: User, filters: RequestFilters, jurisdiction: str | None = None
) -> QuerySet[Case]:
    """The cases a key may read, filtered as GET requests asks, newest report first. A list of
    ``references`` overrides every other filter (the specification's rule)."""
    qs = Case.objects.filter(_case_scope(user, jurisdiction))
    if filters.references is not None:
        ids = [i for i in (case_id_of(r) for r in filters.references) if i is not None]
        found = qs.filter(pk__in=ids)
        wanted = set(filters.references)
        keep = [c.pk for c in found.only("pk", "reported_at") if c.reference in wanted]
        return _request_rows(Case.objects.filter(pk__in=keep)).order_by("-reported_at", "-id")
    if filters.service_codes:
        qs = qs.filter(category__code__in=filters.service_codes)
    if filters.status_q is not None:
        qs = qs.filter(filters.status_q)
    if filters.start is not None:
        qs = qs.filter(reported_at__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(reported_at__lte=filters.end)
    return _request_rows(qs).order_by("-reported_at", "-id")


def open311_request_get(*, user: User, reference_text: str, jurisdiction: str | None = None) -> Case:
    """One case a key may read, by its reference, else :class:`OutOfScope` (404)."""
    pk = case_id_of(reference_text)
    case = (
        _request_rows(Case.objects.filter(_case_scope(user, jurisdiction))).filter(pk=pk).first()
        if pk is not None
        else None
    )
    if case is None or case.reference != reference_text.strip():
        raise OutOfScope
    return case


def open311_token_get(*, user: User, token: str, jurisdiction: str | None = None) -> Open311Submission:
    """A submission by its token, among the cases the key may read, else :class:`OutOfScope`."""
    found = (
        Open311Submission.objects.select_related("case")
        .filter(token=(token or "").strip()[:36])
        .filter(case__in=Case.objects.filter(_case_scope(user, jurisdiction)))
        .first()
    )
    if found is None:
        raise OutOfScope
    return found


def open311_update_list(
    *,
    user: User,
    start: dt.datetime | None,
    end: dt.datetime | None,
    references: list[str] | None = None,
    jurisdiction: str | None = None,
) -> QuerySet[CaseEvent]:
    """The timeline rows that the reporter may read (never a staff-only row) of the cases a key may read,
    oldest first: the updates of mySociety's ``servicerequestupdates``."""
    cases = Case.objects.filter(_case_scope(user, jurisdiction))
    if references is not None:
        cases = cases.filter(pk__in=[i for i in (case_id_of(r) for r in references) if i is not None])
    qs = CaseEvent.objects.filter(internal=False, case__in=cases)
    if start is not None:
        qs = qs.filter(at__gte=start)
    if end is not None:
        qs = qs.filter(at__lte=end)
    return qs.select_related("case").order_by("at", "id")


def area_names(codes) -> dict[str, str]:
    return dict(Area.objects.filter(code__in=set(codes)).values_list("code", "name"))
