"""Register factories: households and residents written through the services, so that the encrypted,
hashed and masked columns are always consistent."""

from __future__ import annotations

import datetime as dt
import itertools

from grassroots.accounts.models import Role
from grassroots.people import idnumber, services
from tests import world
from tests.factories import grid, user_with

GRID = world.G1  # the shared world's village, grid 1
GRID_2 = world.G2  # same village, grid 2
OTHER_GRID = world.NEIGHBOUR_GRID  # neighbouring village
FAR_GRID = world.OTHER_COUNTY_GRID  # another banner

_order = itertools.count(901)


def synthetic_id(birth=dt.date(1980, 5, 17), county="150825", order=None) -> str:
    """A valid, clearly synthetic ID number (order codes 900-999 are used only by tests and the demo)."""
    if order is None:
        order = 900 + next(_order) % 100
    return idnumber.compose(county, birth, order)


def writer(code: str = GRID):
    """A township staff member whose scope covers ``code`` (writes anywhere in the township)."""
    grid(code)
    return user_with(Role.TOWNSHIP_STAFF, code[:9])


def household(code: str = GRID, *, actor=None, **fields):
    grid(code)
    actor = actor or writer(code)
    fields.setdefault("address", "塞上社区幸福路8号")
    return services.household_create(actor=actor, grid_code=code, **fields)


def resident(hh=None, *, actor=None, **fields):
    hh = hh or household()
    actor = actor or writer(hh.area_code)
    fields.setdefault("name", "张三")
    fields.setdefault("relation", "other")
    return services.resident_create(actor=actor, household=hh, **fields)
