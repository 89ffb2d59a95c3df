"""Every write to the area tree: areas, grids, boundaries, village groups."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from grassroots import clock
from grassroots.errors import DomainError

from .models import BoundaryVersion


class AreaError(DomainError):
    code = "area_error"


def boundaries_changed() -> None:
    """Bump the shared boundary version so that every process rebuilds its spatial index.

    Call it inside the transaction that changes a boundary: the bump commits (or rolls back) with it.
    """
    with transaction.atomic():
        updated = BoundaryVersion.objects.filter(pk=1).update(version=F("version") + 1, changed_at=clock.now())
        if not updated:
            BoundaryVersion.objects.create(pk=1, version=1, changed_at=clock.now())
