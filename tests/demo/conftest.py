import pytest

from grassroots.demo.steps import load
from tests.once import built_once

# The steps these tests are about: the tree, the grid workers and the logins (later steps test themselves).
FOUNDATION = "logins"


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    """The small demo city up to its logins, built once per test module inside a transaction that is rolled
    back after it (each test runs in a savepoint inside it)."""
    with built_once(django_db_blocker, lambda: load(scale="small", until=FOUNDATION)) as report:
        yield report
