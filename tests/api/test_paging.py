"""Paging has one schema and bounds, for every paged API operation and every paged page.

Every API operation that takes an ``offset`` takes ``limit`` 1–200 and ``offset`` 0 to 2³¹−1 as its
OpenAPI document says, and refuses anything else with 422 ``invalid`` (an offset of 2⁶³ or −1 used to answer
500, anonymously too). Every page that shows a list a page at a time reads ``?page=`` through
``grassroots.paging.page_of``: nonsense shows the first page, never an error.
"""

from __future__ import annotations

import ast
import pathlib

import pytest
from django.test import Client

from grassroots.api.api import api
from grassroots.paging import MAX_LIMIT, MAX_OFFSET
from tests.deliberation.factories import VILLAGE

pytestmark = pytest.mark.django_db

OUT_OF_BOUNDS = [
    {"offset": "9223372036854775808"},
    {"offset": "-1"},
    {"offset": str(MAX_OFFSET + 1)},
    {"limit": "0"},
    {"limit": str(MAX_LIMIT + 1)},
    {"limit": "-1"},
]


def _paged_operations() -> list[tuple[str, str, dict]]:
    document = api.get_openapi_schema(path_prefix="/api/v1/")
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            params = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
            if "offset" in params:
                found.append((method, path, params))
    return found


PAGED = _paged_operations()


def _url(world, path: str) -> str:
    for name, ids in world.ids.items():
        path = path.replace("{" + name + "}", str(ids[0]))
    return path


def test_the_paged_operations_are_found():
    paths = {path for _, path, _ in PAGED}
    assert {
        "/api/v1/cases/",
        "/api/v1/notifications/",
        "/api/v1/deliberation/committees",
        "/api/v1/deliberation/committees/{committee_id}/topics",
        "/api/v1/people/households",
        "/api/v1/people/residents",
        "/api/v1/people/services",
        "/api/v1/people/places",
        "/api/v1/people/visits/due",
    } <= paths


@pytest.mark.parametrize(("method", "path", "params"), PAGED, ids=[f"{m} {p}" for m, p, _ in PAGED])
def test_every_paged_operation_declares_the_bounds_of_the_one_paging_schema(method, path, params):
    limit, offset = params["limit"]["schema"], params["offset"]["schema"]
    assert (limit.get("minimum"), limit.get("maximum")) == (1, MAX_LIMIT), path
    assert (offset.get("minimum"), offset.get("maximum")) == (0, MAX_OFFSET), path


@pytest.mark.parametrize(("method", "path", "params"), PAGED, ids=[f"{m} {p}" for m, p, _ in PAGED])
def test_a_page_out_of_bounds_is_refused_with_422_and_the_last_possible_offset_answers(
    world, as_caller, method, path, params
):
    client = as_caller("village_staff")
    url = _url(world, path)
    for query in OUT_OF_BOUNDS:
        response = client.get(url, query)
        assert response.status_code == 422, (url, query, response.status_code, response.content[:200])
        body = response.json()
        assert body["code"] == "invalid" and body["message"], body
    far = client.get(url, {"offset": str(MAX_OFFSET), "limit": str(MAX_LIMIT)})
    assert far.status_code == 200, far.content[:300]


@pytest.mark.parametrize(("method", "path", "params"), PAGED, ids=[f"{m} {p}" for m, p, _ in PAGED])
def test_an_anonymous_caller_never_gets_a_server_error_from_a_page_out_of_bounds(
    world, db, method, path, params
):
    client = Client()
    for query in OUT_OF_BOUNDS:
        response = client.get(_url(world, path), query)
        assert response.status_code in (401, 404, 422), (path, query, response.status_code)


PAGES = [
    "/cases/mine/",
    "/cases/queue/",
    "/inbox/",
    "/deliberation/",
    "/deliberation/committees/{committee_id}/",
    f"/people/area/{VILLAGE}/",
    "/people/visits/due/",
    "/people/services/",
]


@pytest.mark.parametrize("page", ["-1", "0", "9223372036854775808", "1" * 5000, "２", "x", ""])
def test_every_paged_page_shows_a_page_whatever_page_is_asked_for(world, db, page):
    client = Client()
    client.force_login(world.village_staff)
    for path in PAGES:
        response = client.get(_url(world, path), {"page": page})
        assert response.status_code == 200, (path, page, response.status_code)


def test_pages_and_operations_page_only_through_grassroots_paging():
    """A new list cannot bring its own paging: Django's Paginator and slicing by a client's offset are
    used in one module only."""
    root = pathlib.Path(__file__).resolve().parents[2] / "grassroots"
    offenders = []
    for source in root.rglob("*.py"):
        if source.name == "paging.py" or "migrations" in source.parts:
            continue
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "Paginator":
                offenders.append(f"{source.relative_to(root)}:{node.lineno} uses Paginator")
            if (
                isinstance(node, ast.arg)
                and node.arg in ("offset", "limit")
                and source.name.startswith("api")
            ):
                offenders.append(f"{source.relative_to(root)}:{node.lineno} takes {node.arg} itself")
    assert offenders == [], "page through grassroots.paging: " + "; ".join(offenders)
