"""Where a reporter lives (the report map starts there, and a place far from it is confirmed) and the cases of
a user's queue as points on a map."""

from __future__ import annotations

from grassroots.accounts.scoping import scope_codes
from grassroots.areas.codes import CODE_LENGTH, Level
from grassroots.messages import Names

from . import QueueFilters, case_queue_for, has_queue

# --- where a reporter lives -------------------------------------------------------------------------------


def reporter_home_code(user) -> str | None:
    """The reporter's own area: the most precise area of their grants (a resident's grid, a worker's grid,
    a village's staff their village), else the grid of the register's resident or household with their phone
    (the link the register uses, ``grassroots.personal``), else None."""
    codes = scope_codes(user) if getattr(user, "is_authenticated", False) else []
    if codes:
        return min(codes, key=lambda code: (-len(code), code))
    digest = getattr(user, "phone_hash", None)
    if not digest:
        return None
    from grassroots.people.models import Household, Resident

    for model in (Resident, Household):
        found = model.objects.filter(phone_hash=digest).order_by("id").values_list("area_code", flat=True)
        for code in found[:1]:
            return code
    return None


def home_counties(user) -> list[str]:
    """The county codes of the reporter's grants (a grant above a county counts whole), or of their home in the
    register; empty when nothing says where they live."""
    codes = scope_codes(user) if getattr(user, "is_authenticated", False) else []
    if not codes:
        home = reporter_home_code(user)
        codes = [home] if home else []
    return sorted({code[: CODE_LENGTH[Level.COUNTY]] for code in codes})


# --- cases on a map --------------------------------------------------------------------------------------

MAP_POINTS_LIMIT = 2000


def case_points_for(
    *, user, filters: QueueFilters | None = None, limit: int = MAP_POINTS_LIMIT
) -> list[dict]:
    """The located cases of the user's queue (the same scope and filters: another area's cases never), newest
    first, as map points: id, reference, state, service type and the point. No text anyone wrote, no
    reporter. A resident has no queue and gets none. One query."""
    if not has_queue(user):
        return []
    rows = (
        case_queue_for(user=user, filters=filters)
        .filter(lon__isnull=False, lat__isnull=False)
        .values_list("pk", "reported_at", "state", "category__name", "category__name_en", "lon", "lat")[
            :limit
        ]
    )
    return [
        {
            "id": pk,
            "reference": f"{reported:%Y%m%d}{pk:07d}",
            "state": state,
            "category": Names(name, en=name_en).text(),
            "lon": lon,
            "lat": lat,
        }
        for pk, reported, state, name, name_en, lon, lat in rows
    ]
