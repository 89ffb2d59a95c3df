"""Committees, their seats and members, topics, and the records a deliberation leaves behind.

What is kept, not what happens: the steps and their rules live in ``process.py``, the transitions in
``workflow.py``. Every row that lives somewhere carries ``area_code`` (the committee's village), so scoping
and roll-ups are one prefix query. The models are in modules by what they keep (committees, topics,
records, meetings); this package exports them all.

Integrity (issue: "a recorded opinion, vote or signature is never edited in place"): :class:`Opinion`,
:class:`Ballot`, :class:`Signature`, :class:`Tally`, :class:`ProgressEntry` and :class:`TopicEvent` are
append-only — ``save()`` refuses to update, ``delete()`` refuses, and database triggers (migration 0002)
refuse UPDATE and DELETE underneath the ORM. A correction is a new row pointing at the one it corrects.
"""

from grassroots.appendonly import AppendOnlyError as AppendOnlyError

from .committees import (
    ChosenHow as ChosenHow,
)
from .committees import (
    Committee as Committee,
)
from .committees import (
    CommitteeKind as CommitteeKind,
)
from .committees import (
    Membership as Membership,
)
from .committees import (
    ProcessKey as ProcessKey,
)
from .committees import (
    SeatRole as SeatRole,
)
from .meetings import (
    Attendance as Attendance,
)
from .meetings import (
    Meeting as Meeting,
)
from .meetings import (
    MeetingItem as MeetingItem,
)
from .meetings import (
    MeetingStatus as MeetingStatus,
)
from .records import (
    AppendOnly as AppendOnly,
)
from .records import (
    Ballot as Ballot,
)
from .records import (
    Channel as Channel,
)
from .records import (
    Choice as Choice,
)
from .records import (
    EventKind as EventKind,
)
from .records import (
    Opinion as Opinion,
)
from .records import (
    ProgressEntry as ProgressEntry,
)
from .records import (
    RecordQuerySet as RecordQuerySet,
)
from .records import (
    Resolution as Resolution,
)
from .records import (
    ResolutionStatus as ResolutionStatus,
)
from .records import (
    Signature as Signature,
)
from .records import (
    SignatureDecision as SignatureDecision,
)
from .records import (
    Stance as Stance,
)
from .records import (
    Tally as Tally,
)
from .records import (
    TopicEvent as TopicEvent,
)
from .records import (
    VoteMethod as VoteMethod,
)
from .topics import (
    Comment as Comment,
)
from .topics import (
    Follow as Follow,
)
from .topics import (
    LinkKind as LinkKind,
)
from .topics import (
    ProgressStatus as ProgressStatus,
)
from .topics import (
    Rating as Rating,
)
from .topics import (
    Topic as Topic,
)
from .topics import (
    TopicKind as TopicKind,
)
from .topics import (
    TopicLink as TopicLink,
)
from .topics import (
    TopicRating as TopicRating,
)
