"""Schemathesis over the deliberation API: whatever a client sends to any operation, as a member of a
five-person group or as an anonymous visitor, the answer is never a server error."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from grassroots.accounts.services import api_token_issue
from tests.deliberation.factories import five_person_group, five_person_to, propose

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
deliberation = schema.include(path_regex=r"^/api/v1/deliberation/")


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: the WSGI handler must not close the connection that holds the test's
    transaction (on PostgreSQL that would end it) at the start and end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def member_token(db):
    group = five_person_group()
    five_person_to(propose(group.committee), group.members, "sign")
    return api_token_issue(user=group.members[0], name="fuzz")


@deliberation.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_with_a_server_error(case, member_token):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {member_token}"}
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, case.path_parameters, response.text[:300])
