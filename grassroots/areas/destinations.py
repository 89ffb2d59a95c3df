"""Where a routed point goes, in words, before and after it is sent: the receiving area by name, how far the
pin lies from the nearest grid, and whether the reporter must confirm it (a pin outside their county, or
farther than the routing distance from every grid, goes to an inbox they may not mean)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from grassroots.accounts.scoping import covers

from .codes import level_of
from .models import Area
from .routing import Method, RouteResult, default_index


def nearest_grid_metres(result: RouteResult) -> float | None:
    """How far the routed point lies from the nearest grid boundary, however far that is: 0 inside a grid,
    the routing distance for the nearest grid, else measured in the current snapshot (None without grids)."""
    if result.method == Method.INSIDE:
        return 0.0
    if result.method == Method.NEAREST:
        return result.distance_m
    grids = default_index().snapshot().grids
    found = grids.nearest_any(result.lon, result.lat, 0, len(grids))
    return None if found is None else found[1]


def is_far(result: RouteResult) -> bool:
    """A point farther than ``ROUTING_NEAREST_METRES`` from every grid: it goes to an inbox, not to a grid,
    and the reporter should confirm that the pin is where they mean (a blank map is easily mis-tapped)."""
    return result.method in (Method.FALLBACK_VILLAGE, Method.FALLBACK_TOWNSHIP)


def distance_text(metres: float) -> str:
    """A distance as people say it: "850 m" below a kilometre, else "45 km" (one decimal below 10 km)."""
    if metres < 1000:
        return _("%(n)d m") % {"n": round(metres)}
    km = metres / 1000
    return _("%(n)s km") % {"n": f"{km:.1f}" if km < 10 else f"{round(km)}"}


def receiving_area_name(code: str) -> str:
    """The name of the area whose grid or inbox receives a point: the one thing a reporter is told about an
    area that may lie outside their scope (so that they can see where a mistaken pin would send a report)."""
    return Area.objects.filter(code=code).values_list("name", flat=True).first() or code


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a reported point would go, as a reporter may be told before sending: the name of the receiving
    area and nothing else about it, how far the point is from the nearest grid, and whether the reporter must
    confirm it (``message`` says why, naming the area; empty when nothing needs confirming)."""

    area_name: str
    level: int  # of the receiving area: Level.GRID (6), VILLAGE (5) or TOWNSHIP (4)
    distance_m: float | None  # to the nearest grid; 0 inside one
    far: bool  # farther than ROUTING_NEAREST_METRES from every grid
    outside_home: bool  # not in any of the reporter's counties
    message: str


def needs_confirmation(result: RouteResult, *, home_counties: Iterable[str] = ()) -> bool:
    """Whether a reporter must confirm a point before it is sent: outside their counties (none known: that
    part does not count), or farther than ``ROUTING_NEAREST_METRES`` from every grid. No query."""
    counties = [c for c in home_counties if c]
    outside = bool(counties) and not any(result.area_code.startswith(c) for c in counties)
    return outside or is_far(result)


def destination(result: RouteResult, *, home_counties: Iterable[str] = ()) -> Destination:
    """The reporter's view of a routed point (:func:`route_point`). ``home_counties``: the codes of the
    reporter's counties (none known: only the distance counts). The intake refuses a report whose
    destination has a ``message`` unless the reporter confirmed it, with that message."""
    where = receiving_area_name(result.area_code)
    distance = nearest_grid_metres(result)
    counties = [c for c in home_counties if c]
    outside = bool(counties) and not any(result.area_code.startswith(c) for c in counties)
    far = is_far(result)
    message = ""
    if outside:
        message = _(
            "This place is outside your county: the report would go to %(where)s. Check the pin on the map; "
            "if it is right, confirm that the report should go there."
        ) % {"where": where}
    elif far:
        message = _(
            "This place is %(distance)s from the nearest grid: the report would go to %(where)s. Check the pin "
            "on the map; if it is right, confirm that the report should go there."
        ) % {"where": where, "distance": distance_text(distance or 0.0)}
    return Destination(where, int(level_of(result.area_code)), distance, far, outside, str(message))


def visible_area_name(*, user, code: str) -> str | None:
    """The name of area ``code`` when the user's scope reaches it (or a part of it), else None: a routing
    answer reveals codes to anyone logged in, names only within scope."""
    if not covers(user, code):
        return None
    return Area.objects.filter(code=code).values_list("name", flat=True).first()
