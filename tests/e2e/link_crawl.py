"""No dead ends: for every demo login, every page reached by following the links of the pages (GET only, from
the home page) answers without a 404 or a server error. A link a person is shown but may not follow (a
header link for another role, a figures page outside their scope) is a bug.

Run by tests/e2e/test_phone_layout.py on the demo city it builds (small scale): one demo for this crawl, the
phone crawl and the role days. Pages are fetched through Django's test client (no browser): every link of
every page, not only the navigation's.
"""

from __future__ import annotations

import collections
import re

from django.test import Client

from grassroots.accounts.models import User

HREF = re.compile(r'href="(/[^"#]*)"')
NOT_FOLLOWED = ("/admin/", "/static/", "/media/", "/i18n/", "/accounts/logout", "/api/")
PAGES_PER_LOGIN = 300
SAME_SHAPE = (
    2  # pages of one shape (digits replaced) visited per login: /cases/7/ and /cases/8/ are one shape
)
USERNAMES = [
    "resident", "gridworker", "village", "township", "county", "department", "supervisor", "leader",
    "administrator", "disclosure-clerk",
]  # fmt: skip
MIN_PAGES = 15  # each login reaches more pages than this from the home page


def crawl(client: Client) -> tuple[int, list[tuple[str, int, str]]]:
    """Follow every same-site link breadth-first from "/": (pages visited, [(url, status, linked from)])."""
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


def no_dead_links() -> None:
    """Every demo login's crawl reaches more than MIN_PAGES pages and no dead link (all logins are crawled
    before failing, so that one run names every dead end)."""
    problems: list[str] = []
    for username in USERNAMES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        visited, dead = crawl(client)
        if visited <= MIN_PAGES:
            problems.append(f"{username} reached only {visited} pages")
        problems += [
            f"{username} {url}: {status} (linked from {came_from})" for url, status, came_from in dead
        ]
    assert not problems, "dead ends:\n" + "\n".join(problems)
