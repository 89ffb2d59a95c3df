import sys

import pytest
from django.db import transaction

from grassroots.demo.steps import load

# The steps these tests are about: the tree, the grid workers and the logins (later steps test themselves).
FOUNDATION = "logins"


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    """The small demo city up to its logins, built once per test module inside a transaction that is rolled back after it
    (each test runs in a savepoint inside it, as Django's setUpTestData does)."""
    atomic = transaction.atomic()
    with django_db_blocker.unblock():
        atomic.__enter__()
        try:
            report = load(scale="small", until=FOUNDATION)
        except BaseException:
            # Roll back here: a failed build must not leak half a city into the other test modules.
            transaction.set_rollback(True)
            atomic.__exit__(*sys.exc_info())
            raise
    yield report
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
