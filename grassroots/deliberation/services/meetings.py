"""Meetings: called, signed in to from the phone, recorded with minutes (or afterwards, from a paper sheet), cancelled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.errors import NotPermitted
from grassroots.notifications.services import notify

from .. import rules, selectors, timeline
from ..errors import ActionNotAllowed, DeliberationError
from ..models import (
    Attendance,
    Committee,
    EventKind,
    Meeting,
    MeetingItem,
    MeetingStatus,
    Topic,
)
from ..transitions import Origin
from .guards import required_text
from .sheets import store_photo


def _agenda_topics(committee: Committee, topic_ids: Iterable[int]) -> list[Topic]:
    ids = list(dict.fromkeys(int(t) for t in topic_ids))
    topics = {t.pk: t for t in Topic.objects.filter(pk__in=ids, committee=committee)}
    if len(topics) != len(ids):
        raise DeliberationError(_("Every agenda item must be a topic of this committee."), code="bad_agenda")
    return [topics[i] for i in ids]


def _meeting_with_agenda(*, actor: User, committee, title, starts_at, place, topic_ids) -> Meeting:
    meeting = Meeting.objects.create(
        committee=committee,
        area_code=committee.area_code,
        title=required_text(title, _("Give the meeting a title."), limit=120),
        starts_at=starts_at,
        place=required_text(place, _("Say where the meeting takes place."), limit=200),
        created_by=actor,
        created_at=clock.now(),
    )
    for order, topic in enumerate(_agenda_topics(committee, topic_ids), start=1):
        MeetingItem.objects.create(meeting=meeting, topic=topic, order=order)
        timeline.record(
            topic=topic,
            area_code=topic.area_code,
            kind=EventKind.MEETING,
            step=topic.step,
            round=topic.round,
            actor=actor,
            actor_name=(getattr(actor, "display_name", "") or actor.get_username())[:100],
            text=meeting.title,
            detail={"meeting": meeting.pk, "starts_at": starts_at.isoformat(), "place": meeting.place},
            at=meeting.created_at,
        )
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, membership=m, name=m.name) for m in selectors.seated(committee)]
    )
    return meeting


@transaction.atomic
def meeting_schedule(
    *,
    actor: User,
    committee: Committee,
    title: str,
    starts_at: dt.datetime,
    place: str,
    topic_ids: Iterable[int] = (),
) -> Meeting:
    """Call a meeting: every current member is expected; the agenda's topics show it on their timelines."""
    rules.require(actor, rules.can_record_meeting, committee)
    meeting = _meeting_with_agenda(
        actor=actor, committee=committee, title=title, starts_at=starts_at, place=place, topic_ids=topic_ids
    )
    notify(
        recipients=[a.membership.user for a in meeting.attendance.select_related("membership__user")],
        title=gettext("Meeting: %(title)s, %(when)s, %(place)s")
        % {
            "title": meeting.title,
            "when": f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M}",
            "place": meeting.place,
        },
        target=meeting,
    )
    return meeting


@transaction.atomic
def meeting_sign_in(*, actor: User, meeting: Meeting, origin: Origin | None = None) -> Attendance:
    """A member signs the attendance sheet from their own account."""
    rules.require(actor, rules.can_view_committee, meeting.committee)
    row = (
        Attendance.objects.select_for_update()
        .filter(meeting=meeting, membership__user=actor, membership__ended_on__isnull=True)
        .first()
    )
    if row is None:
        raise NotPermitted(
            _("Only the members expected at this meeting sign in, each for themself."), code="not_expected"
        )
    if meeting.status == MeetingStatus.CANCELLED:
        raise ActionNotAllowed(_("This meeting was cancelled."), code="meeting_cancelled")
    if row.signed_at is None:
        row.present = True
        row.signed_at = clock.now()
        row.signed_channel = (origin or Origin()).channel
        row.save(update_fields=["present", "signed_at", "signed_channel"])
    return row


@transaction.atomic
def meeting_record(
    *,
    actor: User,
    meeting: Meeting,
    minutes: str,
    present: Iterable[int] = (),
    sign_in_sheet=None,
) -> Meeting:
    """Close a held meeting (as Decidim closes one): its minutes, who was present (members who did not sign
    in themselves are marked from the paper sheet, whose photo is then required), its decisions."""
    rules.require(actor, rules.can_record_meeting, meeting.committee)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.PLANNED:
        raise ActionNotAllowed(
            _("The minutes of this meeting are already recorded."), code="meeting_recorded"
        )
    rows = {a.membership_id: a for a in meeting.attendance.all()}
    marked = {int(p) for p in present}
    if marked - set(rows):
        raise DeliberationError(
            _("Only the members expected at the meeting can be marked present."), code="bad_attendance"
        )
    newly_marked = [rows[m] for m in marked if rows[m].signed_at is None]
    if newly_marked and sign_in_sheet is None and not meeting.sign_in_sheet:
        raise DeliberationError(
            _(
                "Members who did not sign in on their phones are marked from the paper sign-in sheet: add its photo."
            ),
            code="sheet_required",
        )
    for row in newly_marked:
        row.present = True
        row.marked_by = actor
        row.save(update_fields=["present", "marked_by"])
    if sign_in_sheet is not None:
        meeting.sign_in_sheet = store_photo(sign_in_sheet, folder="meetings")
    meeting.minutes = required_text(minutes, _("Write the minutes: what was discussed and decided."))
    meeting.status = MeetingStatus.HELD
    meeting.recorded_offline = bool(newly_marked)
    meeting.held_recorded_by = actor
    meeting.held_recorded_at = clock.now()
    meeting.save()
    return meeting


@transaction.atomic
def meeting_record_offline(
    *,
    actor: User,
    committee: Committee,
    title: str,
    starts_at: dt.datetime,
    place: str,
    minutes: str,
    present: Iterable[int],
    sign_in_sheet,
    topic_ids: Iterable[int] = (),
) -> Meeting:
    """Record afterwards a meeting held on paper: the photo of its sign-in sheet is required."""
    rules.require(actor, rules.can_record_meeting, committee)
    if sign_in_sheet is None:
        raise DeliberationError(
            _("A meeting recorded afterwards needs the photo of its paper sign-in sheet."),
            code="sheet_required",
        )
    if starts_at > clock.now():
        raise DeliberationError(
            _("A meeting is recorded afterwards: its date is in the future."), code="bad_date"
        )
    meeting = _meeting_with_agenda(
        actor=actor, committee=committee, title=title, starts_at=starts_at, place=place, topic_ids=topic_ids
    )
    return meeting_record(
        actor=actor, meeting=meeting, minutes=minutes, present=present, sign_in_sheet=sign_in_sheet
    )


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    rules.require(actor, rules.can_record_meeting, meeting.committee)
    if meeting.status != MeetingStatus.PLANNED:
        raise ActionNotAllowed(_("Only a planned meeting can be cancelled."), code="meeting_recorded")
    meeting.status = MeetingStatus.CANCELLED
    meeting.minutes = required_text(reason, _("Say why the meeting is cancelled."), limit=500)
    meeting.save(update_fields=["status", "minutes"])
    return meeting
