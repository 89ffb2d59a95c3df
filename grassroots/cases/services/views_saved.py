"""A person's saved queue views: named sets of the queue's filters."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import User

from .. import selectors
from ..models import SavedQueueView
from ..workflow import CaseError

MAX_VIEWS = 20
FILTERS = ("state", "overdue", "category", "level", "source", "since", "until")


def _clean_query(query: str) -> str:
    """Only the queue's own filters, in a fixed order (no paging, nothing else a link may carry)."""
    pairs = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=True) if k in FILTERS]
    return urlencode(sorted(pairs, key=lambda kv: FILTERS.index(kv[0])))


@transaction.atomic
def queue_view_save(*, actor: User, name: str, query: str) -> SavedQueueView:
    """Save (or replace, by name) one of the actor's queue views."""
    if not selectors.has_queue(actor):
        raise CaseError(_("Only staff with a queue save queue views."), code="no_queue", status=403)
    name = (name or "").strip()
    if not name or len(name) > 40:
        raise CaseError(
            _("Name the view in 1 to 40 characters."), code="bad_view_name", detail={"field": "name"}
        )
    mine = SavedQueueView.objects.select_for_update().filter(user=actor)
    if mine.count() >= MAX_VIEWS and not mine.filter(name=name).exists():
        raise CaseError(
            _("You have %(n)s saved views: delete one first.") % {"n": MAX_VIEWS}, code="too_many_views"
        )
    view, _created = SavedQueueView.objects.update_or_create(
        user=actor, name=name, defaults={"query": _clean_query(query)}
    )
    return view


def queue_view_delete(*, actor: User, view: SavedQueueView) -> None:
    SavedQueueView.objects.filter(pk=view.pk, user=actor).delete()
