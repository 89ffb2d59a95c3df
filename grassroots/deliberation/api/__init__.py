"""JSON API for deliberation (mounted at /api/v1/deliberation): committees and seats, topics and every step
action, timelines, comments, follows, ratings, links and meetings.

Reads of a public committee need no login (as its pages); everything else authenticates with a bearer token
or the session. Every action goes through the same services as the pages: a member acts from their own
account only (no operation takes a member's id), refusals come back as ``{code, message}`` with 403, 404
(cannot see the committee) or 409 (wrong step, stale ``version``). Texts are plain: escape them in HTML.

The operations are in modules by resource, each adding them to the one router of ``router.py``.
"""

from . import actions, committees, meetings, residents, topics  # noqa: F401 (they add the operations)
from .router import router

__all__ = ["router"]
