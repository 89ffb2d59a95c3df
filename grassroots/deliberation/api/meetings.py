"""Meetings: called, signed in to, recorded (also afterwards, from a paper sign-in sheet)."""

from __future__ import annotations

from ninja import File, Form, Status
from ninja.files import UploadedFile

from .. import selectors, services
from ..actions import Id
from .answers import PUBLIC, meeting_answer, origin_of
from .router import router
from .schemas import MeetingIn, MeetingOut, OfflineMeetingIn, RecordIn


@router.post(
    "/committees/{committee_id}/meetings",
    response={201: MeetingOut},
    summary="Call a meeting (member or staff)",
)
def meeting_schedule(request, committee_id: Id, payload: MeetingIn):
    committee = selectors.committee_get_for(user=request.user, pk=committee_id)
    meeting = services.meeting_schedule(actor=request.user, committee=committee, **payload.dict())
    return Status(201, meeting_answer(meeting))


@router.post(
    "/committees/{committee_id}/meetings/offline",
    response={201: MeetingOut},
    summary="Record a paper meeting afterwards, with the photo of its sign-in sheet",
)
def meeting_record_offline(
    request, committee_id: Id, payload: Form[OfflineMeetingIn], sign_in_sheet: File[UploadedFile]
):
    committee = selectors.committee_get_for(user=request.user, pk=committee_id)
    meeting = services.meeting_record_offline(
        actor=request.user, committee=committee, sign_in_sheet=sign_in_sheet, **payload.dict()
    )
    return Status(201, meeting_answer(meeting))


@router.get(
    "/meetings/{meeting_id}",
    auth=PUBLIC,
    response=MeetingOut,
    summary="A meeting: agenda, attendance, decisions",
)
def meeting_detail(request, meeting_id: Id):
    return meeting_answer(selectors.meeting_get_for(user=request.user, pk=meeting_id))


@router.post(
    "/meetings/{meeting_id}/sign-in", response=MeetingOut, summary="Sign in to a meeting, as oneself"
)
def meeting_sign_in(request, meeting_id: Id):
    meeting = selectors.meeting_get_for(user=request.user, pk=meeting_id)
    services.meeting_sign_in(actor=request.user, meeting=meeting, origin=origin_of(request))
    return meeting_answer(meeting)


@router.post("/meetings/{meeting_id}/record", response=MeetingOut, summary="Record the minutes and who came")
def meeting_record(
    request, meeting_id: Id, payload: Form[RecordIn], sign_in_sheet: File[UploadedFile] = None
):
    meeting = selectors.meeting_get_for(user=request.user, pk=meeting_id)
    meeting = services.meeting_record(
        actor=request.user,
        meeting=meeting,
        minutes=payload.minutes,
        present=payload.present,
        sign_in_sheet=sign_in_sheet,
    )
    return meeting_answer(meeting)
