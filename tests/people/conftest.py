import dataclasses

import pytest

from tests import world as shared
from tests.factories import UserFactory

from .factories import GRID, OTHER_GRID


@dataclasses.dataclass
class World(shared.Register):
    users: dict = dataclasses.field(default_factory=dict)


@pytest.fixture
def world(db) -> World:
    """One grid's register with a key-group household, and a neighbouring village's (tests/world.py's
    ``register``), plus a user per role.

    ``users`` maps a name to a user; names ending in ``_out`` hold the same role outside the household's scope.
    """
    register = shared.register(GRID, OTHER_GRID)
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    users = {
        **shared.role_users(GRID, ["grid_worker"]),
        "grid_worker_out": shared.role_user("grid_worker", OTHER_GRID),
        **shared.role_users(GRID, ["village_staff"]),
        "village_staff_out": shared.role_user("village_staff", OTHER_GRID),
        "township_staff": register.staff,
        **shared.role_users(GRID, ["county_staff"]),
        "county_staff_out": shared.role_user("county_staff", shared.OTHER_COUNTY_GRID),
        # the leader reads the whole city; the department handler serves the grid
        **shared.role_users(GRID, ["leader", "supervisor", "administrator", "department_handler", "resident"],
                            at={"leader": GRID[:4], "department_handler": GRID}),
        "superuser": superuser,
    }  # fmt: skip
    return World(**{f.name: getattr(register, f.name) for f in dataclasses.fields(register)}, users=users)
