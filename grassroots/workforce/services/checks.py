"""Permission checks on objects (the accounts helper ``require`` takes area codes or users)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.accounts.scoping import OutOfScope, covers
from grassroots.errors import NotPermitted


def require_on(user, predicate, obj, code: str, *, hide: bool = False) -> None:
    """Raise unless ``predicate(user, obj)``: 404 when ``code`` is outside every scope of the user (or
    always, with ``hide``: for personal data whose existence is not to be told), else 403."""
    if predicate(user, obj):
        return
    if hide or not covers(user, code):
        raise OutOfScope
    raise NotPermitted(_("You may not do this here."))
