import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_english():
    """The tests read the commands' messages in English (the site's default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _audit_log_flushable(audit_log_flushable):
    """These tests commit (pg_dump reads from another process): the log is emptied after each test
    (tests/conftest.py)."""
