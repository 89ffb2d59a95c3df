"""The case tests' small city (tests/cases/conftest.py), and keys issued on it."""

from __future__ import annotations

import pytest

from grassroots.accounts.models import Role
from grassroots.areas.models import Area
from grassroots.integrations.services.keys import api_key_issue
from tests.cases.conftest import COUNTY, City
from tests.cases.conftest import city as city  # the fixture, for these tests too
from tests.factories import area


@pytest.fixture
def county_key(city: City) -> tuple:
    """A key of the county's own case system on county 150825: (key, secret)."""
    return api_key_issue(
        actor=None, name="县案件系统", area=Area.objects.get(code=COUNTY), role=Role.COUNTY_STAFF
    )


@pytest.fixture
def other_key(city: City) -> tuple:
    """A key on the neighbouring county 150826: it must see nothing of 150825."""
    return api_key_issue(actor=None, name="邻县系统", area=area("150826"), role=Role.COUNTY_STAFF)


from tests.disclosure.conftest import categories as categories  # noqa: E402  (the disclosure fixtures)
from tests.disclosure.conftest import town as town  # noqa: E402
