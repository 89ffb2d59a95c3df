"""The checks every deliberation write shares: the manager of a committee's area, a required text."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import User
from grassroots.accounts.scoping import OutOfScope, covers
from grassroots.errors import NotPermitted

from .. import rules
from ..errors import DeliberationError


def require_manager(actor: User, code: str) -> None:
    if rules.can_manage_committee(actor, code):
        return
    if not (rules.is_active(actor) and covers(actor, code)):
        raise OutOfScope
    raise NotPermitted(_("Only village, township or county staff of this area may manage its committees."))


def required_text(value: str, message, *, code: str = "text_required", limit: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise DeliberationError(message, code=code)
    if limit is not None and len(value) > limit:
        raise DeliberationError(
            _("Keep it within %(limit)d characters.") % {"limit": limit}, code="text_too_long"
        )
    return value
