"""Volunteer teams and villager councils: the list, one group, create, members, activities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from grassroots.masking import MaskedText

from .. import selectors
from ..models import ServiceGroup
from ..services import groups as groups_service

router = Router()


class GroupIn(Schema):
    kind: str = Field(description="team | council")
    name: str
    area_code: str
    leader: str = ""
    members: list[str] = []


class GroupMemberOut(Schema):
    id: int
    name: str
    is_leader: bool


class ActivityOut(Schema):
    id: int
    held_on: dt.date
    description: MaskedText
    hours: Decimal
    participants: list[str]
    photo_url: str


class GroupOut(Schema):
    id: int
    kind: str
    name: str
    area_code: str
    leader_name: str
    members: list[GroupMemberOut] = []
    activities: list[ActivityOut] = []


def _group_out(group: ServiceGroup) -> dict:
    return {
        "id": group.pk,
        "kind": group.kind,
        "name": group.name,
        "area_code": group.area_code,
        "leader_name": group.leader_name,
        "members": list(group.members.all()),
        "activities": [
            {
                "id": a.pk,
                "held_on": a.held_on,
                "description": a.description,
                "hours": a.hours,
                "participants": [m.name for m in a.participants.all()],
                "photo_url": a.photo.url if a.photo else "",
            }
            for a in group.activities.prefetch_related("participants")
        ],
    }


@router.get("/groups", response=list[GroupOut], summary="Volunteer teams and councils open to you")
def groups(request, area: str = ""):
    rows = selectors.group_list_for(user=request.user, area_code=area or None)[:500]
    return [{**_group_out_brief(g)} for g in rows]


def _group_out_brief(g: ServiceGroup) -> dict:
    return {
        "id": g.pk,
        "kind": g.kind,
        "name": g.name,
        "area_code": g.area_code,
        "leader_name": g.leader_name,
    }


@router.get("/groups/{pk}", response=GroupOut, summary="A team or council with its activities")
def group_detail(request, pk: int):
    return _group_out(selectors.group_get_for(user=request.user, pk=pk))


@router.post("/groups", response={201: GroupOut}, summary="Create a volunteer team or villager council")
def group_create(request, payload: GroupIn):
    group = groups_service.group_create(
        actor=request.user,
        kind=payload.kind,
        name=payload.name,
        area_code=payload.area_code,
        leader=payload.leader,
        members=payload.members,
        request=request,
    )
    return Status(201, _group_out(group))


class GroupMemberIn(Schema):
    name: str


@router.post("/groups/{pk}/members", response={201: GroupMemberOut}, summary="Add a member")
def group_member_add(request, pk: int, payload: GroupMemberIn):
    group = selectors.group_get_for(user=request.user, pk=pk)
    member = groups_service.group_member_add(
        actor=request.user, group=group, name=payload.name, request=request
    )
    return Status(201, member)


@router.post(
    "/groups/{pk}/activities",
    response={201: ActivityOut},
    summary="Record an activity (multipart: description, hours, held_on, participant_ids, optional photo)",
)
def group_activity(
    request,
    pk: int,
    description: Form[str],
    hours: Form[Decimal],
    held_on: Form[dt.date | None] = None,
    participant_ids: Form[list[int]] = [],  # noqa: B006 - ninja reads the default, never mutates it
    photo: File[UploadedFile] = None,
):
    group = selectors.group_get_for(user=request.user, pk=pk)
    activity = groups_service.group_activity_record(
        actor=request.user,
        group=group,
        description=description,
        hours=hours,
        held_on=held_on,
        participant_ids=participant_ids,
        photo=photo,
        request=request,
    )
    return Status(
        201,
        {
            "id": activity.pk,
            "held_on": activity.held_on,
            "description": activity.description,
            "hours": activity.hours,
            "participants": [m.name for m in activity.participants.all()],
            "photo_url": activity.photo.url if activity.photo else "",
        },
    )
