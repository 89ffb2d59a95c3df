"""Who may open the insights pages and API: staff and leaders who may see case figures (the case queue's
viewers: every staff role but department handlers), each for the areas of their own scope."""

from __future__ import annotations

from grassroots.accounts.scoping import has_role
from grassroots.cases.workflow import VIEWERS


def can_use_insights(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and has_role(user, VIEWERS)
