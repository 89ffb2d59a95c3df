"""Schemathesis over the whole API: whatever a client sends to any operation — as an anonymous caller, a
resident, a grid worker or village staff — the answer is never a server error, and every answer has the
shape the OpenAPI document declares for its status (errors included: ``{code, message}``).

Deterministic: a fixed seed and derandomised generation, so that a run on a fresh clone tests exactly what
the last run tested; few examples per operation and no shrinking keep it under a minute and a half. Ids and
area codes in paths are mostly replaced by those of the world (``tests/api/world.py``), so that operations
reach real objects and not only 404s.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api import world as world_module

SEED = 20260301
EXAMPLES = 3

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {
            "deterministic": True,
            "no-shrink": True,
            "database": "none",
            "max-examples": EXAMPLES,
        },
        "phases": {"coverage": {"enabled": False}},
    }
)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG)

CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: the WSGI handler must not close the connection that holds the test's
    transaction (on PostgreSQL that would end it) at the start and end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _aimed(world, path_parameters: dict | None) -> dict | None:
    """Three of four generated ids and codes replaced by one of the world's (chosen by the generated value,
    so the choice is as deterministic as the generation)."""
    if not path_parameters:
        return path_parameters
    aimed = dict(path_parameters)
    for name, value in path_parameters.items():
        if isinstance(value, int) and not isinstance(value, bool):
            known = world.ids.get(name) or []
            if known and value % 4:
                aimed[name] = known[value % len(known)]
        elif name == "code" and isinstance(value, str) and len(value) % 4:
            aimed[name] = world.codes[len(value) % len(world.codes)]
    return aimed


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_operation_answers_with_a_server_error_or_off_its_schema(case, world, db):
    case.path_parameters = _aimed(world, case.path_parameters)
    sent = dict(case.headers or {})
    for caller in world_module.CALLERS:
        # The in-process WSGI transport asks for gzip but, unlike an HTTP client, does not undo it: ask for the
        # body as it is (pages and API answers are gzip-compressed for clients that accept it, settings.py).
        case.headers = {**sent, **world.headers(caller), "Accept-Encoding": "identity"}
        response = case.call()
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as exc:
            raise AssertionError(f"as {caller}: {exc}") from exc
