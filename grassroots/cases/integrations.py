"""Where cases fills the extension points of the apps below it (called from ``CasesConfig.ready()``).

* people (the register): a need found on a household visit becomes a case in one step
  (:func:`visit_need_to_case`), and the household and person pages show the cases that came from that
  household's visits and those its people reported (:func:`household_cases_panel`,
  :func:`resident_cases_panel`). A case has no column pointing at a household or a person: the links are
  ``people.Visit.case_reference``, which the need handler writes, and the keyed hash of the reporter's
  phone, equal to the resident's (anonymous reports are never linked). Cases therefore need no merge
  handler.
* workforce: the workload table gets each worker's cases reported, handled and closed in the year
  (:func:`worker_case_figures`), counted with one aggregate query per figure; the grid page gets the
  grid's cases reported and closed (:func:`grid_case_figures`, through
  ``workforce.extensions.grid_case_providers``).
* patrols: a case reported from a patrol (``?patrol=<id>`` on the report page, ``patrol_id`` in the API) has
  the source ``patrol`` and is recorded on the patrol's findings (:func:`case_report_on_patrol`).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.scoping import OutOfScope, resolve_in_scope
from grassroots.errors import DomainError
from grassroots.people import extensions
from grassroots.people.extensions import Panel, PanelRow
from grassroots.people.models import Visit
from grassroots.workforce import extensions as workforce_extensions
from grassroots.workforce.models import GridWorker, Patrol
from grassroots.workforce.services.patrols import patrol_finding_add

from . import rules, selectors, services, workflow
from .models import Case, CaseEvent, EventAction, Source

# The service type of a case opened from a household visit: 困难帮扶、临时救助 under 民生服务, else the top
# class 民生服务, else 其他 (an administrator may have switched the first ones off).
VISIT_CATEGORY_CODES = ("1001", "10", "99")


def install() -> None:
    """Register every hook; calling it twice registers each once."""

    for hooks, hook in (
        (extensions.need_handlers, visit_need_to_case),
        (extensions.household_panels, household_cases_panel),
        (extensions.resident_panels, resident_cases_panel),
    ):
        if hook not in hooks:
            hooks.append(hook)
    workforce_extensions.workload_provider_register(worker_case_figures)
    if grid_case_figures not in workforce_extensions.grid_case_providers:
        workforce_extensions.grid_case_providers.append(grid_case_figures)
    if case_visible_to not in workforce_extensions.case_checkers:
        workforce_extensions.case_checkers.append(case_visible_to)


def case_visible_to(user, case_id) -> bool:
    """Whether ``user`` may name the case ``case_id`` (on a patrol finding): one they can see."""

    try:
        selectors.case_get_for(user=user, pk=case_id)
    except OutOfScope:
        return False
    return True


# --- people: a need found becomes a case ---------------------------------------------------------------


def _visit_category():
    for code in VISIT_CATEGORY_CODES:
        found = services.category_by_code(code)
        if found is not None:
            return found
    return None


def visit_need_to_case(*, visit, actor) -> str | None:
    """Enter the visit's need as a case (channel: household visit) in the household's grid, reported by the
    visiting worker. Runs inside the visit's transaction: if the case cannot be entered, the visit is not
    recorded either and the worker sees why. Returns the case's reference for ``Visit.case_reference``."""
    household = visit.household
    text = str(_("Household visit (household #%(id)s, %(address)s): %(need)s")) % {
        "id": household.pk,
        "address": household.address or "-",
        "need": visit.need,
    }
    case = services.case_enter(
        actor=actor,
        source=Source.VISIT,
        category=_visit_category(),
        description=text[: services.MAX_DESCRIPTION],
        area_code=household.area_code,
        address=household.address or "",
        reporter=actor,
        idempotency_key=f"people.visit:{visit.pk}",
    )
    return case.reference


# --- people: the household and person pages -----------------------------------------------------------


def _case_ids(household_id) -> list[int]:

    ids = []
    for reference in (
        Visit.objects.filter(household_id=household_id)
        .exclude(case_reference="")
        .values_list("case_reference", flat=True)
    ):
        if reference.isdigit() and len(reference) >= 15:
            ids.append(int(reference[8:]))
    return ids


PANEL_ROWS = 20


def _reported_ids(phone_hashes: list[str]) -> list[int]:
    """Cases reported (not anonymously) from one of these phones: given on a phone or hotline call, or the
    phone of the resident's own login. Anonymous reports are never tied back to a person."""
    if not phone_hashes:
        return []
    return list(
        Case.objects.filter(
            Q(reporter_phone_hash__in=phone_hashes) | Q(reporter__phone_hash__in=phone_hashes),
            is_anonymous=False,
            merged_into__isnull=True,
        )
        .order_by("-reported_at", "-id")
        .values_list("pk", flat=True)[: PANEL_ROWS * 5]
    )


def _panel(*, user, household_id, phone_hashes, title, empty_text):
    """The cases from the household's visits and those its people reported, that ``user`` may see; a case
    someone reported is listed only to a viewer who may see who reported it."""

    from_visits = set(_case_ids(household_id)) if household_id is not None else set()
    reported = set(_reported_ids([h for h in phone_hashes if h]))
    rows = []
    if from_visits or reported:
        cases = (
            Case.objects.filter(pk__in=from_visits | reported)
            .select_related("category")
            .order_by("-reported_at", "-id")
        )
        for case in cases:
            if len(rows) == PANEL_ROWS:
                break
            if not workflow.can_see(user, case):
                continue
            how = []
            if case.pk in from_visits:
                how.append(str(_("from a visit")))
            if case.pk in reported and rules.can_see_reporter(user, case):
                how.append(str(_("reported by them")))
            if how:
                rows.append(
                    PanelRow(
                        text=str(case),
                        url=reverse("cases:detail", args=[case.pk]),
                        note=f"{case.get_state_display()} · {'、'.join(how)}",
                    )
                )
    return Panel(title=str(title), rows=rows, empty_text=str(empty_text))


def household_cases_panel(*, request, household):
    """The cases opened from this household's visits and those its people reported from their phones,
    that the viewing user may see, newest first."""
    hashes = [household.phone_hash, *household.members.values_list("phone_hash", flat=True)]
    return _panel(
        user=request.user,
        household_id=household.pk,
        phone_hashes=hashes,
        title=_("Cases of this household"),
        empty_text=_(
            "No case has come from this household: none opened on a visit, none reported by its people."
        ),
    )


def resident_cases_panel(*, request, resident):
    """The cases this person reported from their phone and those opened from visits to their household."""
    return _panel(
        user=request.user,
        household_id=resident.household_id,
        phone_hashes=[resident.phone_hash],
        title=_("Cases of this person"),
        empty_text=_("No case has come from this person or from visits to their household."),
    )


# --- workforce: the workload table ---------------------------------------------------------------------


def worker_case_figures(worker_ids, year) -> dict[int, dict[str, int]]:
    """For each grid worker: cases reported (entered by them or reported under their login), handled
    (their "handled" or "resolved on the spot" steps, one per case) and closed (closed while assigned to
    them) in the year. Three aggregate queries whatever the number of workers."""

    worker_of = dict(
        GridWorker.objects.filter(pk__in=list(worker_ids), user__isnull=False).values_list("user_id", "pk")
    )
    if not worker_of:
        return {}
    users = list(worker_of)
    out: dict[int, dict[str, int]] = {
        pk: {"cases_reported": 0, "cases_handled": 0, "cases_closed": 0} for pk in worker_of.values()
    }
    reported = (
        Case.objects.filter(reported_at__year=year)
        .annotate(by=Coalesce("entered_by_id", "reporter_id"))
        .filter(by__in=users)
        .values("by")
        .annotate(n=Count("id"))
    )
    for row in reported:
        out[worker_of[row["by"]]]["cases_reported"] = row["n"]
    handled = (
        CaseEvent.objects.filter(
            at__year=year,
            actor_id__in=users,
            action__in=[EventAction.HANDLE, EventAction.RESOLVE_ON_THE_SPOT],
        )
        .values("actor_id")
        .annotate(n=Count("case_id", distinct=True))
    )
    for row in handled:
        out[worker_of[row["actor_id"]]]["cases_handled"] = row["n"]
    closed = (
        Case.objects.filter(closed_at__year=year, assignee_user_id__in=users)
        .values("assignee_user_id")
        .annotate(n=Count("id"))
    )
    for row in closed:
        out[worker_of[row["assignee_user_id"]]]["cases_closed"] = row["n"]
    return out


def grid_case_figures(*, area_code: str, year: int) -> dict[str, dict[str, int]]:
    """Per grid under ``area_code``: cases reported in the year there and how many of them are closed.
    One aggregate query."""
    rows = (
        Case.objects.filter(area_code__startswith=area_code, reported_at__year=year)
        .values("area_code")
        .annotate(reported=Count("id"), closed=Count("id", filter=Q(closed_at__isnull=False)))
    )
    return {r["area_code"]: {"cases_reported": r["reported"], "cases_closed": r["closed"]} for r in rows}


# --- workforce: patrols ---------------------------------------------------------------------------------


def open_patrol_of(actor, patrol_id):
    """The actor's own patrol with this id when it is still open, else None (a wrong, foreign or ended id)."""

    try:
        patrol = Patrol.objects.select_related("worker").get(pk=int(patrol_id))
    except (Patrol.DoesNotExist, TypeError, ValueError):
        return None
    if patrol.ended_at is not None or patrol.worker.user_id != getattr(actor, "pk", None):
        return None
    return patrol


def own_patrol_for(actor, patrol_id, *, field: str = "patrol_id"):
    """The patrol a report names: one of the actor's own patrols (through their grid worker record, inside
    their scope), else :class:`~grassroots.accounts.scoping.UnknownReference` — someone else's patrol or a
    number that names none is refused, never quietly ignored."""

    return resolve_in_scope(
        Patrol.objects.select_related("worker").filter(worker__user_id=getattr(actor, "pk", None)),
        actor,
        patrol_id,
        field=field,
        what=_("patrol"),
    )


def case_report_on_patrol(*, actor, patrol_id, **report) -> Case:
    """A report made on the way during a patrol (the report page with ``?patrol=<id>``, the API with
    ``patrol_id``): with the actor's own open patrol, the case has the source ``patrol`` and is recorded
    on the patrol's findings in the same transaction. The actor's own patrol that has ended meanwhile (a
    report sent again once the signal came back) files an ordinary report; a patrol that is not the
    actor's own is refused (400), and nothing is stored."""
    if patrol_id in (None, ""):
        return services.case_report(actor=actor, **report)
    patrol = own_patrol_for(actor, patrol_id)
    if patrol.ended_at is not None:
        return services.case_report(actor=actor, **report)
    with transaction.atomic():
        case = services.case_report(actor=actor, patrol=patrol, **report)
        if not getattr(case, "replayed", False):
            patrol_case_record(actor=actor, patrol_id=patrol.pk, case=case)
    return case


def patrol_case_record(*, actor, patrol_id, case: Case) -> bool:
    """Record a case reported from a patrol as one of the patrol's findings (with the case's id), when the
    patrol is the actor's own and still open. Returns whether a finding was written; never blocks the
    report itself."""

    patrol = open_patrol_of(actor, patrol_id)
    if patrol is None:
        return False
    try:
        patrol_finding_add(
            actor=actor,
            patrol=patrol,
            description=case.description[:300],
            lon=case.lon,
            lat=case.lat,
            case_id=case.pk,
        )
    except DomainError:
        return False
    return True
