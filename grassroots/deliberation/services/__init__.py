"""Every write in deliberation: committees and seats, proposals, the members' step actions (through
``workflow.perform``), comments, follows, ratings, links and meetings.

Each function takes the actor and checks the named permission of ``rules.py`` itself, whatever called it.
Step actions take the actor's own seat: there is no parameter naming the member, so nobody can record an
opinion, a vote or a signature for another.

The functions live in modules by topic (committees, topics, residents, meetings); this package exports them all,
so that callers say ``services.opinion_record``.
"""

from ..errors import ActionNotAllowed, DeliberationError
from ..transitions import Action, Origin
from .committees import committee_create, committee_update, membership_appoint, membership_end
from .meetings import (
    meeting_cancel,
    meeting_record,
    meeting_record_offline,
    meeting_schedule,
    meeting_sign_in,
)
from .residents import (
    comment_add,
    comment_hide,
    topic_follow,
    topic_link_case,
    topic_link_notice,
    topic_rate,
    topic_unfollow,
)
from .topics import (
    ballot_cast,
    decision_publish,
    opinion_correct,
    opinion_record,
    progress_record,
    resolution_draft,
    signature_refuse,
    signature_sign,
    tally_record,
    topic_close,
    topic_decline,
    topic_propose,
    topic_put_on_agenda,
    vote_close,
)

__all__ = [
    "Action",
    "ActionNotAllowed",
    "DeliberationError",
    "Origin",
    "ballot_cast",
    "comment_add",
    "comment_hide",
    "committee_create",
    "committee_update",
    "decision_publish",
    "meeting_cancel",
    "meeting_record",
    "meeting_record_offline",
    "meeting_schedule",
    "meeting_sign_in",
    "membership_appoint",
    "membership_end",
    "opinion_correct",
    "opinion_record",
    "progress_record",
    "resolution_draft",
    "signature_refuse",
    "signature_sign",
    "tally_record",
    "topic_close",
    "topic_decline",
    "topic_follow",
    "topic_link_case",
    "topic_link_notice",
    "topic_propose",
    "topic_put_on_agenda",
    "topic_rate",
    "topic_unfollow",
    "vote_close",
]  # fmt: skip
