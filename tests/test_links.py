"""No dead ends: for every demo login, every page reached by following the links of the pages (GET only, from
the home page) answers without a 404 or a server error. A link a person is shown but may not follow (a
header link for another role, a figures page outside their scope) is a bug."""

from __future__ import annotations

import collections
import re

import pytest
from django.test import Client

from grassroots.accounts.models import User
from grassroots.demo.steps import load
from tests.once import built_once

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)"')
NOT_FOLLOWED = ("/admin/", "/static/", "/media/", "/i18n/", "/accounts/logout", "/api/")
PAGES_PER_LOGIN = 300
SAME_SHAPE = (
    2  # pages of one shape (digits replaced) visited per login: /cases/7/ and /cases/8/ are one shape
)


def _crawl(client: Client) -> tuple[int, list[tuple[str, int, str]]]:
    seen: set[str] = set()
    shapes: collections.Counter = collections.Counter()
    queue = collections.deque([("/", "")])
    visited, dead = 0, []
    while queue and visited < PAGES_PER_LOGIN:
        url, came_from = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        shape = re.sub(r"\d+", "N", url)
        shapes[shape] += 1
        if shapes[shape] > SAME_SHAPE:
            continue
        response = client.get(url, follow=True)
        visited += 1
        if response.status_code >= 400:
            dead.append((url, response.status_code, came_from))
            continue
        if "text/html" in response.get("Content-Type", ""):
            for link in HREF.findall(response.content.decode()):
                link = link.replace("&amp;", "&")
                if not link.startswith(NOT_FOLLOWED) and link not in seen:
                    queue.append((link, url))
    return visited, dead


USERNAMES = [
    "resident", "gridworker", "village", "township", "county", "department", "supervisor", "leader",
    "administrator", "disclosure-clerk",
]  # fmt: skip


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The whole small demo, built once per module and xdist worker (the logins are split across workers)."""
    with built_once(django_db_blocker, lambda: load(scale="small"), media=tmp_path_factory.mktemp("media")):
        yield


@pytest.mark.parametrize("username", USERNAMES)
def test_no_demo_login_is_shown_a_link_that_leads_nowhere(demo, username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    visited, dead = _crawl(client)
    assert visited > 15, f"{username} reached only {visited} pages"
    assert dead == []
