"""Founding committees, changing them, seating and unseating members: village, township or county staff."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.accounts.services import audit_record
from grassroots.areas.codes import Level
from grassroots.areas.models import Area, VillageGroup

from .. import rules, selectors, workflow
from ..errors import DeliberationError
from ..models import (
    ChosenHow,
    Committee,
    CommitteeKind,
    Membership,
    SeatRole,
    Topic,
)
from ..process import TERMINAL, kind_config
from .guards import require_manager, required_text

# --- committees and seats ------------------------------------------------------------------------------------


@transaction.atomic
def committee_create(
    *,
    actor: User,
    kind: str,
    name: str,
    area_code: str,
    village_group: VillageGroup | None = None,
    process: str | None = None,
    is_public: bool = True,
    description: str = "",
    formed_on: dt.date | None = None,
    is_synthetic: bool = False,
    request=None,
) -> Committee:
    """Found a committee on a village. A five-person group belongs to one of the village's groups (one
    group at a time per village group)."""
    require_manager(actor, area_code)
    if kind not in CommitteeKind.values:
        raise DeliberationError(_("Choose the kind of committee."), code="bad_kind")
    config = kind_config(kind)
    area = Area.objects.filter(code=area_code).first()
    if area is None or area.level != Level.VILLAGE:
        raise DeliberationError(
            _("A committee belongs to a village or community: choose one (a 12-digit code)."), code="bad_area"
        )
    if config.needs_village_group and village_group is None:
        raise DeliberationError(
            _("A five-person group belongs to a village group: choose it."), code="group_required"
        )
    if village_group is not None and village_group.village_id != area.pk:
        raise DeliberationError(_("That village group belongs to another village."), code="bad_group")
    process = process or config.process
    if process not in config.processes:
        raise DeliberationError(_("This kind of committee cannot use that process."), code="bad_process")
    if (
        kind == CommitteeKind.FIVE_PERSON_GROUP
        and Committee.objects.filter(
            kind=kind, village_group=village_group, dissolved_on__isnull=True
        ).exists()
    ):
        raise DeliberationError(
            _("This village group already has a five-person group; change its members instead."),
            code="group_exists",
        )
    committee = Committee.objects.create(
        kind=kind,
        name=required_text(name, _("Give the committee a name."), limit=100),
        area=area,
        area_code=area.code,
        village_group=village_group,
        process=process,
        is_public=is_public,
        description=description.strip(),
        formed_on=formed_on or clock.today(),
        is_synthetic=is_synthetic,
    )
    audit_record(actor=actor, action="deliberation.committee.create", target=committee, request=request)
    return committee


@transaction.atomic
def committee_update(
    *,
    actor: User,
    committee: Committee,
    is_public: bool | None = None,
    process: str | None = None,
    request=None,
) -> Committee:
    """Open or close the committee's pages to everyone; change the process (new topics only)."""
    require_manager(actor, committee.area_code)
    changes: dict[str, list[object]] = {}
    if is_public is not None and is_public != committee.is_public:
        changes["is_public"] = [committee.is_public, is_public]
        committee.is_public = is_public
    if process is not None and process != committee.process:
        if process not in kind_config(committee.kind).processes:
            raise DeliberationError(_("This kind of committee cannot use that process."), code="bad_process")
        changes["process"] = [committee.process, process]
        committee.process = process
    if changes:
        committee.save(update_fields=[*changes])
        audit_record(
            actor=actor,
            action="deliberation.committee.update",
            target=committee,
            detail=changes,
            request=request,
        )
    return committee


def _check_seat(committee: Committee, plan, *, seat: int | None, role: str) -> None:
    """A fixed seat plan: the seat exists, is for this role, and is vacant; otherwise seats count from 1."""
    if plan.exact:
        seat_role = plan.role_of_seat(seat) if seat is not None else None
        if seat_role is None:
            raise DeliberationError(_("Choose a seat from 1 to %(n)d.") % {"n": plan.size}, code="bad_seat")
        if seat_role != role:
            raise DeliberationError(
                _("Seat %(seat)d is for the %(role)s.") % {"seat": seat, "role": SeatRole(seat_role).label},
                code="bad_seat",
            )
        if Membership.objects.filter(committee=committee, seat=seat, ended_on__isnull=True).exists():
            raise DeliberationError(
                _("Seat %(seat)d is taken; end its current membership first.") % {"seat": seat},
                code="seat_taken",
            )
    elif seat is not None and seat < 1:
        raise DeliberationError(_("Seats are numbered from 1."), code="bad_seat")


@transaction.atomic
def membership_appoint(
    *,
    actor: User,
    committee: Committee,
    role: str,
    chosen_how: str,
    started_on: dt.date,
    user=None,
    resident=None,
    name: str = "",
    seat: int | None = None,
    chosen_note: str = "",
    term_ends_on: dt.date | None = None,
    request=None,
) -> Membership:
    """Seat a person. A five-person group has exactly five numbered seats: 1 the village group leader,
    2 the party group leader, 3–5 elected villagers; a seat is filled only while it is vacant."""
    require_manager(actor, committee.area_code)
    if committee.dissolved_on is not None:
        raise DeliberationError(_("This committee has been dissolved."), code="dissolved")
    plan = kind_config(committee.kind).seats
    if role not in plan.roles:
        raise DeliberationError(_("This committee has no seat with that role."), code="bad_role")
    if chosen_how not in ChosenHow.values:
        raise DeliberationError(_("Say how the member was chosen."), code="bad_chosen_how")
    _check_seat(committee, plan, seat=seat, role=role)
    if user is not None and not selectors.member_logins(committee).filter(pk=user.pk).exists():
        raise DeliberationError(
            _(
                "A member's login belongs to the committee's village: a resident registered there or its staff."
            ),
            code="no_such_account",
        )
    if (
        user is not None
        and Membership.objects.filter(committee=committee, user=user, ended_on__isnull=True).exists()
    ):
        raise DeliberationError(
            _("This person already holds a seat on the committee."), code="already_member"
        )
    if resident is not None and not resident.area_code.startswith(committee.area_code):
        raise DeliberationError(
            _("A member is a resident of the committee's village."), code="not_a_resident"
        )
    if term_ends_on is not None and term_ends_on <= started_on:
        raise DeliberationError(_("The term ends after it starts."), code="bad_term")
    name = (name or (resident.name if resident else "") or (str(user) if user else "")).strip()
    membership = Membership.objects.create(
        committee=committee,
        area_code=committee.area_code,
        seat=seat,
        role=role,
        name=required_text(name, _("Give the member's name."), limit=100),
        user=user,
        resident=resident,
        chosen_how=chosen_how,
        chosen_note=chosen_note.strip(),
        started_on=started_on,
        term_ends_on=term_ends_on,
        appointed_by=actor if rules.is_active(actor) else None,
    )
    audit_record(
        actor=actor,
        action="deliberation.membership.appoint",
        target=membership,
        detail={"committee": committee.pk, "seat": seat, "role": role, "user": getattr(user, "pk", None)},
        request=request,
    )
    _reconsider_open_topics(committee, actor)
    return membership


def _reconsider_open_topics(committee: Committee, actor: User) -> None:
    for topic in Topic.objects.filter(committee_id=committee.pk).exclude(step__in=TERMINAL).only("pk"):
        workflow.reconsider(topic, actor=actor)


def membership_end(
    *, actor: User, membership: Membership, ended_on: dt.date, reason: str, request=None
) -> Membership:
    """End a membership (moved away, resigned, term over). Open topics are settled again: with fewer
    seats to count, a step's rule may now be met."""
    with transaction.atomic():
        require_manager(actor, membership.area_code)
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.ended_on is not None:
            raise DeliberationError(_("This membership has already ended."), code="already_ended")
        if ended_on < membership.started_on:
            raise DeliberationError(_("A membership ends after it starts."), code="bad_term")
        membership.ended_on = ended_on
        membership.end_reason = required_text(reason, _("Say why the member leaves."), limit=200)
        membership.save(update_fields=["ended_on", "end_reason"])
        audit_record(
            actor=actor,
            action="deliberation.membership.end",
            target=membership,
            reason=membership.end_reason,
            request=request,
        )
    _reconsider_open_topics(membership.committee, actor)
    return membership
