"""Volunteer teams (志愿服务队) and villager councils (村民理事会): members, leader, activities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots import clock, photos
from grassroots.accounts.models import User
from grassroots.accounts.rules import require
from grassroots.accounts.services import audit_record
from grassroots.areas.models import Area

from ..models import GroupActivity, GroupKind, GroupMember, ServiceGroup
from ..rules import can_manage_groups
from . import WorkforceError
from .party import parse_hours


@transaction.atomic
def group_create(
    *,
    actor: User | None,
    kind: str,
    name: str,
    area_code: str,
    members: Sequence[str] = (),
    leader: str = "",
    is_synthetic: bool = False,
    request=None,
) -> ServiceGroup:
    """Create a team or council in an area with its members; ``leader`` is one of them (added if missing)."""
    if actor is not None:
        require(actor, can_manage_groups, area_code)
    if kind not in GroupKind.values:
        raise WorkforceError(_("Choose volunteer team or villager council as the kind."), code="unknown_kind")
    name = (name or "").strip()
    if not name:
        raise WorkforceError(_("Enter the name."), code="name_required")
    if not Area.objects.filter(code=area_code).exists():
        raise WorkforceError(_("Choose an existing area."), code="bad_area")
    leader = (leader or "").strip()
    names = list(dict.fromkeys(n.strip() for n in [*members, leader] if n and n.strip()))
    group = ServiceGroup.objects.create(
        kind=kind, name=name, area_code=area_code, leader_name=leader, is_synthetic=is_synthetic
    )
    GroupMember.objects.bulk_create(
        [GroupMember(group=group, name=n[:100], is_leader=n == leader) for n in names]
    )
    if actor is not None:
        audit_record(actor=actor, action="group.create", target=group, request=request)
    return group


@transaction.atomic
def group_member_add(*, actor: User | None, group: ServiceGroup, name: str, request=None) -> GroupMember:
    if actor is not None:
        require(actor, can_manage_groups, group.area_code)
    name = (name or "").strip()
    if not name:
        raise WorkforceError(_("Enter the member's name."), code="name_required")
    member, created = GroupMember.objects.get_or_create(group=group, name=name[:100])
    if not created:
        raise WorkforceError(_("%(name)s is already a member.") % {"name": name}, code="member_exists")
    if actor is not None:
        audit_record(
            actor=actor, action="group.member_add", target=group, detail={"name": name}, request=request
        )
    return member


@transaction.atomic
def group_activity_record(
    *,
    actor: User | None,
    group: ServiceGroup,
    description: str,
    hours,
    held_on: dt.date | None = None,
    participant_ids: Sequence[int] = (),
    photo=None,
    request=None,
) -> GroupActivity:
    """Record an activity: the day, what was done, who of the members took part, hours, an optional photo."""
    if actor is not None:
        require(actor, can_manage_groups, group.area_code)
    description = (description or "").strip()
    if not description:
        raise WorkforceError(pgettext_lazy("service", "Say what was done."), code="description_required")
    hours = parse_hours(hours)
    held_on = held_on or clock.today()
    if held_on > clock.today():
        raise WorkforceError(_("Choose a day that is not in the future."), code="bad_day")
    participants = list(GroupMember.objects.filter(group=group, pk__in=list(participant_ids)))
    if len(participants) != len(set(participant_ids)):
        raise WorkforceError(
            _("Only the group's own members can be recorded as taking part; choose from its members."),
            code="bad_participant",
        )
    # Re-encoded without metadata and kept under our own name (never the sender's name or extension).
    prepared = photos.prepare(photo) if photo is not None else None
    activity = GroupActivity(
        group=group, area_code=group.area_code, held_on=held_on, description=description[:300], hours=hours
    )
    if prepared is not None:
        activity.photo.name = photos.store(prepared, folder="workforce/activities", thumbnail=False).name
    activity.save()
    activity.participants.set(participants)
    if actor is not None:
        audit_record(actor=actor, action="group.activity", target=activity, request=request)
    return activity
