"""Party organisations, members, and members' check-in (报到) to a grid's party branch.

Where a member checks in depends on their kind (``workforce/check_in.py``): by residence to the branch of
the grid where they live, or by organisation to a grid branch where their unit is; never to their own
branch. A check-in is asked for by the member (or entered for them by the branch), then confirmed or
declined by the branch's managers (village/community staff, township staff, administrators over the grid).
Only a confirmed check-in collects service hours. One live check-in per member and year; after a decline
the member may ask again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.accounts.rules import require
from grassroots.accounts.services import audit_record
from grassroots.areas.codes import Level
from grassroots.areas.models import Area
from grassroots.people.models import Place

from .. import alerts
from ..check_in import ORGANISATION, rule_for
from ..models import (
    CheckIn,
    CheckInStatus,
    MemberKind,
    PartyMember,
    PartyOrganisation,
    PartyOrgKind,
    ServiceRecord,
)
from ..rules import can_log_service, can_manage_party, can_request_check_in
from . import WorkforceError
from .checks import require_on

# Which kinds may sit under which (a committee may also stand alone at the top).
_ALLOWED_PARENTS: dict[str, set[str | None]] = {
    PartyOrgKind.COMMITTEE: {None, PartyOrgKind.COMMITTEE},
    PartyOrgKind.GENERAL_BRANCH: {None, PartyOrgKind.COMMITTEE},
    PartyOrgKind.BRANCH: {None, PartyOrgKind.COMMITTEE, PartyOrgKind.GENERAL_BRANCH},
    PartyOrgKind.GROUP: {PartyOrgKind.BRANCH},
}


@transaction.atomic
def party_organisation_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    area_code: str,
    parent: PartyOrganisation | None = None,
    is_synthetic: bool = False,
    request=None,
) -> PartyOrganisation:
    """Create a party organisation bound to an area. A branch bound to a grid is the grid's party branch."""
    if actor is not None:
        require(actor, can_manage_party, area_code)
    name = (name or "").strip()
    if not name:
        raise WorkforceError(_("Enter the organisation's name."), code="name_required")
    if kind not in PartyOrgKind.values:
        raise WorkforceError(
            _("Choose party committee, general branch, branch or group as the kind."), code="unknown_kind"
        )
    area = Area.objects.filter(code=area_code).only("level").first()
    if area is None:
        raise WorkforceError(_("Choose an existing area for the organisation."), code="bad_area")
    parent_kind = parent.kind if parent else None
    if parent_kind not in _ALLOWED_PARENTS[PartyOrgKind(kind)]:
        raise WorkforceError(
            _("A %(kind)s cannot sit under %(parent)s; choose another parent organisation.")
            % {
                "kind": PartyOrgKind(kind).label,
                "parent": parent.name if parent else _("no organisation"),
            },
            code="bad_parent",
        )
    if parent is not None and not area_code.startswith(parent.area_code):
        raise WorkforceError(
            _("An organisation's area lies inside its parent's area; choose an area inside %(code)s.")
            % {"code": parent.area_code},
            code="bad_parent",
        )
    organisation = PartyOrganisation.objects.create(
        name=name,
        kind=kind,
        parent=parent,
        area_code=area_code,
        is_grid_branch=kind == PartyOrgKind.BRANCH and area.level == Level.GRID,
        is_synthetic=is_synthetic,
    )
    if actor is not None:
        audit_record(actor=actor, action="party_organisation.create", target=organisation, request=request)
    return organisation


@transaction.atomic
def party_member_create(
    *,
    actor: User | None,
    name: str,
    organisation: PartyOrganisation,
    kind: str = MemberKind.LOCAL,
    home_grid_code: str = "",
    unit: Place | None = None,
    user: User | None = None,
    is_synthetic: bool = False,
    request=None,
) -> PartyMember:
    """Record a party member in their branch (or group), with their kind: a member of a property company
    or co-building unit names the unit, the others may name the grid where they live."""
    if actor is not None:
        require(actor, can_manage_party, organisation.area_code)
    name = (name or "").strip()
    if not name:
        raise WorkforceError(_("Enter the member's name."), code="name_required")
    if kind not in MemberKind.values:
        raise WorkforceError(
            _(
                "Choose the member's kind: in-service, retired or old cadre, property company or co-building unit, or a member of a branch here."
            ),
            code="unknown_kind",
        )
    if organisation.kind not in (PartyOrgKind.BRANCH, PartyOrgKind.GROUP):
        raise WorkforceError(
            _("A member belongs to a party branch or group; choose one of those."), code="bad_organisation"
        )
    if home_grid_code and not Area.objects.filter(code=home_grid_code, level=Level.GRID).exists():
        raise WorkforceError(_("Choose the grid where the member lives."), code="bad_grid")
    rule = rule_for(kind)
    if rule.basis == ORGANISATION and (unit is None or unit.kind not in rule.unit_kinds):
        raise WorkforceError(
            _("Choose the property company or co-building unit the member works in."), code="unit_required"
        )
    if rule.basis != ORGANISATION:
        unit = None
    if user is not None and PartyMember.objects.filter(user=user).exists():
        raise WorkforceError(
            _("This login already belongs to another party member; choose another login or none."),
            code="user_taken",
        )
    member = PartyMember.objects.create(
        name=name,
        organisation=organisation,
        area_code=organisation.area_code,
        kind=kind,
        home_grid_code=home_grid_code,
        unit=unit,
        user=user,
        is_synthetic=is_synthetic,
    )
    if actor is not None:
        audit_record(actor=actor, action="party_member.create", target=member, request=request)
    return member


def grid_branch_for(grid_code: str) -> PartyOrganisation | None:
    """The party branch of a grid (the first one recorded)."""
    return PartyOrganisation.objects.filter(area_code=grid_code, is_grid_branch=True).order_by("id").first()


@dataclass
class CheckInTargets:
    """Where a member may check in, by their kind's rule: the grid branches (one for a check-in by
    residence, those of the unit's area by organisation), or why there is none."""

    branches: list[PartyOrganisation] = field(default_factory=list)
    problem: WorkforceError | None = None


def _own_branch_ids(member: PartyMember) -> set[int]:
    """The member's own organisation, and the branch above it when it is a party group."""
    own = {member.organisation_id}
    if member.organisation.kind == PartyOrgKind.GROUP and member.organisation.parent_id:
        own.add(member.organisation.parent_id)
    return own


def check_in_targets(member: PartyMember) -> CheckInTargets:
    """The branches ``member`` may check in to, as their kind's rule says (``workforce/check_in.py``)."""
    rule = rule_for(member.kind)
    own = _own_branch_ids(member)
    if rule.basis == ORGANISATION:
        unit = member.unit
        if unit is None or unit.kind not in rule.unit_kinds or not unit.is_active:
            return CheckInTargets(
                problem=WorkforceError(
                    _(
                        "Record the property company or co-building unit you work in first; the check-in goes to a grid where it is."
                    ),
                    code="no_unit",
                )
            )
        branches = [
            b
            for b in PartyOrganisation.objects.filter(
                is_grid_branch=True, area_code__startswith=unit.area_code
            ).order_by("area_code", "id")
            if b.pk not in own
        ]
        if not branches:
            return CheckInTargets(
                problem=WorkforceError(
                    _("No grid where %(unit)s is has a party branch yet; ask the community to set one up.")
                    % {"unit": unit.name},
                    code="no_grid_branch",
                )
            )
        return CheckInTargets(branches=branches)
    if not member.home_grid_code:
        return CheckInTargets(
            problem=WorkforceError(
                _("Record the grid where the member lives first; the check-in goes to that grid's branch."),
                code="no_home_grid",
            )
        )
    branch = grid_branch_for(member.home_grid_code)
    if branch is None:
        return CheckInTargets(
            problem=WorkforceError(
                _(
                    "The grid where the member lives has no party branch yet; ask the community to set one up."
                ),
                code="no_grid_branch",
            )
        )
    if branch.pk in own:
        return CheckInTargets(
            problem=WorkforceError(
                _(
                    "%(branch)s is the member's own branch: they are on its roll already and need not check in."
                )
                % {"branch": branch.name},
                code="own_branch",
            )
        )
    return CheckInTargets(branches=[branch])


@transaction.atomic
def check_in_request(
    *,
    actor: User | None,
    member: PartyMember,
    pledge: str,
    year: int | None = None,
    branch: PartyOrganisation | None = None,
    request=None,
) -> CheckIn:
    """A party member asks to check in, pledging a service, for ``year`` (this year when omitted), to the
    branch their kind's rule gives (``branch`` chooses among several, as for a unit in a community with
    several grids)."""
    if actor is not None:
        require_on(actor, can_request_check_in, member, member.home_grid_code or member.area_code)
    pledge = (pledge or "").strip()
    if not pledge:
        raise WorkforceError(
            _("Say which service you pledge (for example: tutoring children, patrols on weekends)."),
            code="pledge_required",
        )
    targets = check_in_targets(member)
    if targets.problem is not None:
        raise targets.problem
    if branch is None:
        if len(targets.branches) > 1:
            raise WorkforceError(
                _("Choose the grid branch to check in to (your unit is in %(n)s grids).")
                % {"n": len(targets.branches)},
                code="choose_branch",
            )
        branch = targets.branches[0]
    elif branch.pk not in {b.pk for b in targets.branches}:
        raise WorkforceError(
            _("%(branch)s is not a branch you check in to; choose one of those offered.")
            % {"branch": branch.name},
            code="bad_branch",
        )
    year = year or clock.today().year
    try:
        with transaction.atomic():
            check_in = CheckIn.objects.create(
                member=member,
                branch=branch,
                area_code=branch.area_code,
                year=year,
                kind=member.kind,
                pledge=pledge,
                requested_at=clock.now(),
            )
    except IntegrityError:
        raise WorkforceError(
            _("%(name)s has already checked in for %(year)s; log service hours on that check-in instead.")
            % {"name": member.name, "year": year},
            code="already_checked_in",
        ) from None
    if actor is not None:
        audit_record(actor=actor, action="check_in.request", target=check_in, request=request)
    alerts.tell(check_in, alerts.REQUESTED, actor)
    return check_in


def _decide(*, actor: User | None, check_in: CheckIn, status: str, reason: str, request) -> CheckIn:
    if actor is not None:
        require(actor, can_manage_party, check_in.area_code)
    locked = CheckIn.objects.select_for_update().get(pk=check_in.pk)
    if locked.status != CheckInStatus.REQUESTED:
        raise WorkforceError(
            _("This check-in was already %(status)s; nothing more to decide.")
            % {"status": locked.get_status_display()},
            code="already_decided",
        )
    locked.status = status
    locked.decided_at = clock.now()
    locked.decided_by = actor
    locked.decline_reason = reason
    locked.save(update_fields=["status", "decided_at", "decided_by", "decline_reason"])
    if actor is not None:
        audit_record(actor=actor, action=f"check_in.{status}", target=locked, reason=reason, request=request)
    alerts.tell(locked, alerts.CONFIRMED if status == CheckInStatus.CONFIRMED else alerts.DECLINED, actor)
    return locked


@transaction.atomic
def check_in_confirm(*, actor: User | None, check_in: CheckIn, request=None) -> CheckIn:
    """The branch confirms a requested check-in."""
    return _decide(actor=actor, check_in=check_in, status=CheckInStatus.CONFIRMED, reason="", request=request)


@transaction.atomic
def check_in_decline(*, actor: User | None, check_in: CheckIn, reason: str, request=None) -> CheckIn:
    """The branch declines a requested check-in, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkforceError(_("Say why the check-in is declined."), code="reason_required")
    return _decide(
        actor=actor, check_in=check_in, status=CheckInStatus.DECLINED, reason=reason, request=request
    )


def parse_hours(raw) -> Decimal:
    try:
        hours = Decimal(str(raw).strip())
        hours = hours.quantize(Decimal("0.1")) if hours.is_finite() else Decimal("0")
    except (InvalidOperation, ValueError):
        hours = Decimal("0")
    if not (Decimal("0") < hours <= Decimal("24")):
        raise WorkforceError(
            _("Hours are a number above 0 and at most 24 (for example 2 or 1.5)."), code="bad_hours"
        )
    return hours


@transaction.atomic
def service_log(
    *,
    actor: User | None,
    check_in: CheckIn,
    hours,
    description: str,
    served_on: dt.date | None = None,
    request=None,
) -> ServiceRecord:
    """Log hours a checked-in member served. Only on a confirmed check-in, within its year, not in the future."""
    if actor is not None:
        require_on(actor, can_log_service, check_in, check_in.area_code)
    if check_in.status != CheckInStatus.CONFIRMED:
        raise WorkforceError(
            _("Hours are logged once the branch has confirmed the check-in; wait for the confirmation."),
            code="not_confirmed",
        )
    hours = parse_hours(hours)
    description = (description or "").strip()
    if not description:
        raise WorkforceError(pgettext_lazy("service", "Say what was done."), code="description_required")
    served_on = served_on or clock.today()
    if served_on > clock.today() or served_on.year != check_in.year:
        raise WorkforceError(
            _("Choose a day in %(year)s that is not in the future.") % {"year": check_in.year},
            code="bad_day",
        )
    record = ServiceRecord.objects.create(
        check_in=check_in,
        area_code=check_in.area_code,
        served_on=served_on,
        hours=hours,
        description=description[:300],
    )
    if actor is not None:
        audit_record(
            actor=actor,
            action="service.log",
            target=record,
            detail={"check_in": check_in.pk, "hours": str(hours)},
            request=request,
        )
    return record
