"""Which tests the PostgreSQL run of .ci/run leaves out (``--database-tests-only``, tests/conftest.py): those
that cannot open the database under test, whose result does not depend on it; every test that may reach it,
by a mark, a fixture or a fixture's fixture, runs on both databases."""

from __future__ import annotations

import pytest

from tests.conftest import uses_the_database


@pytest.fixture
def something_stored(db):
    return "stored"


def test_a_test_without_the_database_runs_once(request):
    assert not uses_the_database(request.node)


@pytest.mark.django_db
def test_a_test_marked_for_the_database_runs_on_both(request):
    assert uses_the_database(request.node)


def test_a_test_reaching_the_database_through_a_fixture_runs_on_both(request, something_stored):
    assert uses_the_database(request.node)


def test_a_browser_journey_runs_on_both(request, live_server):
    assert uses_the_database(request.node)
