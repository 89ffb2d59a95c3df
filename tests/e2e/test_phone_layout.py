"""The demo city, built once for this module (it takes most of the time), seen by every demo login:

- no link leads nowhere: from the home page, every page reached by following links answers (Django's test
  client, each login in a transaction rolled back after it);
- every page a role reaches from its navigation reads at 360 px without the page scrolling sideways (issue 14,
  item 5), and each role reaches its waiting work from the home page in two taps (tests/e2e/role_days.py): a
  crawl in Chromium, so that a new page linked from a header or a page's own navigation is covered without
  anyone listing it here.

For each demo login (the demo city, small scale), in English (its strings are the longest): open "/", then
every same-site link of the header and of the page's own navigation (`main nav`: sub-navigation, tabs, the
pager, breadcrumbs), once per path, and on each page require ``document.documentElement.scrollWidth <=
innerWidth``. Tables scroll inside their own ``.table-wrap`` or stack into cards; nothing else may be wider.
"""

from __future__ import annotations

import collections
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings

from grassroots.accounts.models import User
from grassroots.demo.logins import LOGINS, PASSWORD
from grassroots.demo.steps import load
from tests.e2e.role_days import role_days
from tests.once import FAST_HASHERS, empty_database

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
MAX_PAGES_PER_ROLE = 40
# not pages to read: the admin (its own layout), leaving, switching language, files to download
SKIP_PREFIXES = ("/admin/", "/accounts/logout", "/i18n/", "/api/", "/media/")
SKIP_SUFFIXES = (".xlsx", ".txt", ".svg", ".csv", ".json", "/export/", "/template/")
LINKS = """() => Array.from(document.querySelectorAll('header nav a[href], main nav a[href]'))
  .map(a => a.href)"""
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# what sticks out, to name it in the failure
WIDE = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
               && !(e.parentElement && e.parentElement.closest('.table-wrap')))
  .slice(0, 3).map(e => `${e.tagName.toLowerCase()}.${e.className}`)"""


def _reachable(url: str, origin: str) -> str | None:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES):
        return None
    return parts.path


@pytest.fixture(autouse=True)
def _audit_log_flushable():
    """Not here: the e2e package's fixture of that name makes every test transactional (emptied after), and
    this module's tests share one committed demo. The link crawls run in a transaction rolled back after each;
    the phone test, last (pytest-django runs transactional tests after the others), empties the database."""


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole small demo city, built and committed once (the live server reads it from its own connection),
    emptied after the module: by the phone test, or here when it did not run."""
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS), django_db_blocker.unblock():
        load(scale="small")
    yield
    with django_db_blocker.unblock():
        if User.objects.filter(username="resident").exists():
            empty_database()


# --- no dead ends ------------------------------------------------------------------------------------------------
# For every demo login, every page reached by following the links of the pages (GET only, from the home page)
# answers without a 404 or a server error. A link a person is shown but may not follow (a header link for another
# role, a figures page outside their scope) is a bug.

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


def _crawl_links(client: Client) -> tuple[int, list[tuple[str, int, str]]]:
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


@pytest.mark.django_db
@pytest.mark.parametrize("username", USERNAMES)
def test_no_demo_login_is_shown_a_link_that_leads_nowhere(demo, username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    visited, dead = _crawl_links(client)
    assert visited > 15, f"{username} reached only {visited} pages"
    assert dead == []


# --- at 360 px ---------------------------------------------------------------------------------------------------


def test_every_page_of_every_role_fits_a_phone(demo, live_server, browser, audit_log_flushable):
    # given the demo city with its logins
    # when every page each role's navigation reaches is opened at 360 px (then none is too wide)
    crawl(live_server.url, browser)
    # and each role reaches every waiting item from the home page in two taps, on a phone and at a desk (the
    # same demo: building it takes most of this test's time)
    role_days(live_server.url, browser)


def crawl(origin: str, browser) -> None:
    """Every page each demo role's navigation reaches fits a 360 px phone (see the module's doc)."""
    too_wide: list[str] = []
    failed: list[str] = []
    visited = 0
    for login in LOGINS:
        if login.role is None:
            continue  # the superuser works in the admin
        # layout, not the offline cache (tests/e2e/test_offline.py): no service worker fills its cache meanwhile
        context = browser.new_context(locale="en", viewport=PHONE, service_workers="block")
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(f"{origin}/accounts/login/")
        page.fill("#id_username", login.username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        # when each page the role's navigation reaches is opened at 360 px
        queue, seen = [f"{origin}/"], set()
        while queue and len(seen) < MAX_PAGES_PER_ROLE:
            url = queue.pop(0)
            path = _reachable(url, origin)
            if path is None or path in seen:
                continue
            seen.add(path)
            response = page.goto(url)
            if response is None or response.status >= 400:
                failed.append(f"{login.username} {url}: {response.status if response else 'no answer'}")
                continue
            scroll_width, inner_width = page.evaluate(WIDTHS)
            if scroll_width > inner_width:
                too_wide.append(
                    f"{login.username} {page.url[len(origin) :]}: {scroll_width} px > {inner_width} "
                    f"({', '.join(page.evaluate(WIDE))})"
                )
            queue.extend(page.evaluate(LINKS))
        visited += len(seen)
        context.close()
    # then none is wider than the screen, and none failed
    assert visited > 10 * len([x for x in LOGINS if x.role is not None])
    assert not failed, "\n".join(failed)
    assert not too_wide, "pages wider than 360 px:\n" + "\n".join(too_wide)
