"""What the deliberation API answers and takes (a step action's input is declared with its row in ``actions.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from grassroots.masking import MaskedText

from ..actions import Count, Id

Code = Annotated[str, Field(min_length=2, max_length=15, pattern=r"^\d+$")]


# --- schemas ------------------------------------------------------------------------------------------------


class SeatOut(Schema):
    seat: int | None
    role: str
    name: str | None = Field(description="empty when the seat is vacant")
    chosen_how: str | None
    started_on: dt.date | None
    term_ends_on: dt.date | None
    has_login: bool


class CommitteeOut(Schema):
    id: int
    kind: str
    name: str
    area_code: str
    village_group: str | None
    process: str
    is_public: bool
    open_topics: int | None = None


class CommitteeDetailOut(CommitteeOut):
    seats: list[SeatOut]
    steps: list[dict]


class CommitteeIn(Schema):
    kind: str
    name: str
    area_code: str
    village_group_number: Count | None = None
    process: str | None = None
    is_public: bool = True
    description: str = ""


class CommitteePatch(Schema):
    is_public: bool | None = None
    process: str | None = None


class MembershipOut(Schema):
    id: int
    seat: int | None
    role: str
    name: str
    chosen_how: str
    chosen_note: MaskedText
    started_on: dt.date
    term_ends_on: dt.date | None
    ended_on: dt.date | None
    end_reason: MaskedText


class AppointIn(Schema):
    role: str
    chosen_how: str
    started_on: dt.date
    seat: Count | None = None
    name: str = ""
    username: str = Field("", description="the member's own login: they act from it")
    chosen_note: str = ""
    term_ends_on: dt.date | None = None


class EndIn(Schema):
    ended_on: dt.date
    reason: str


class TopicOut(Schema):
    id: int
    committee_id: Id
    kind: str
    title: MaskedText
    step: str
    step_label: str
    round: int
    version: int = Field(description="send it back as version with the next action")
    proposed_at: dt.datetime
    published_at: dt.datetime | None
    closed_at: dt.datetime | None
    progress_status: str
    progress_percent: int


class LineOut(Schema):
    seat: int | None
    role: str
    name: str | None
    entry: str | None = Field(description="stance, vote or signed/refused; null while waiting")


class OutcomeOut(Schema):
    expected: int
    present: int
    agree: int
    disagree: int
    abstain: int
    quorum_needed: int
    majority_needed: int
    passed: bool


class StatusOut(Schema):
    step: str
    label: str
    kind: str
    rule: str
    need: int
    have: int
    met: bool
    lines: list[LineOut]
    resolution_id: int | None
    resolution_text: MaskedText | None
    outcome: OutcomeOut | None


class TopicDetailOut(TopicOut):
    description: MaskedText
    proposer: str = Field(description="masked unless the caller is a member or staff")
    decline_reason: MaskedText
    steps: list[dict]
    status: StatusOut | None
    available_actions: list[str] = Field(description="what the caller's own seat can do now")
    warnings: list[str] = Field(
        [],
        description="for what the caller just wrote: each phone or ID number found, shown masked to others",
    )


class ProposeIn(Schema):
    kind: str
    title: str
    description: str


class TopicEventOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    what: str
    who: str
    step: str
    to_step: str
    round: int
    text: MaskedText
    note: MaskedText
    badge: str


class SignatureOut(Schema):
    name: str
    decision: str
    reason: MaskedText
    at: dt.datetime
    channel: str


class ResolutionOut(Schema):
    id: int
    step: str
    round: int
    text: MaskedText
    method: str
    status: str
    expected: int | None
    present: int | None
    agree: int | None
    disagree: int | None
    abstain: int | None
    closed_at: dt.datetime | None
    signed_at: dt.datetime | None
    signatures: list[SignatureOut]


class RatingIn(Schema):
    rating: str
    comment: str = ""


class RatingSummaryOut(Schema):
    satisfied: int
    basically: int
    unsatisfied: int
    total: int
    topics: int
    satisfaction: float | None


class CommentIn(Schema):
    text: str


class CommentOut(Schema):
    id: int
    author: str
    text: MaskedText = Field(description="empty when hidden")
    created_at: dt.datetime
    hidden_reason: MaskedText
    warnings: list[str] = Field(
        [],
        description="for what the caller just wrote: each phone or ID number found, shown masked to others",
    )


class HideIn(Schema):
    reason: str


class LinkIn(Schema):
    kind: str = Field(description="case or notice")
    target_id: str
    title: str = Field("", description="notices only")
    url: str = Field("", description="notices only: an address on this site")


class LinkOut(Schema):
    id: int
    kind: str
    target_id: str
    title: MaskedText
    url: str


class MeetingIn(Schema):
    title: str
    starts_at: dt.datetime
    place: str
    topic_ids: list[Id] = []


class OfflineMeetingIn(Schema):
    title: str
    starts_at: dt.datetime
    place: str
    minutes: str
    present: list[Id] = Field([], description="membership ids of the members present")
    topic_ids: list[Id] = []


class RecordIn(Schema):
    minutes: str
    present: list[Id] = []


class AttendanceOut(Schema):
    membership_id: Id
    name: str
    present: bool
    signed_at: dt.datetime | None


class MeetingOut(Schema):
    id: int
    committee_id: Id
    title: MaskedText
    starts_at: dt.datetime
    place: MaskedText
    status: str
    recorded_offline: bool
    minutes: MaskedText
    has_sign_in_sheet: bool
    agenda: list[int]
    attendance: list[AttendanceOut]
    decisions: list[int]
