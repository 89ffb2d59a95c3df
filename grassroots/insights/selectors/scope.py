"""Who may read an area's insights: the one rule every insights read checks (through accounts.scoping)."""

from __future__ import annotations

from grassroots.accounts.scoping import in_scope
from grassroots.cases import workflow

VIEWERS = workflow.VIEWERS


def may_see(*, user, code: str) -> bool:
    """Staff and leaders whose scope holds the whole area (a grid worker: their grid)."""
    return in_scope(user, code, roles=VIEWERS)
