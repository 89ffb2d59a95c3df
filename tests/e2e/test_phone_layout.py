"""Every page a demo role reaches from its navigation reads at 360 px without the page scrolling sideways
(issue 14, item 5): a crawl, so that a new page linked from a header or a page's own navigation is covered
without anyone listing it here. On the same demo, which takes most of the time to build (once per run, not
once per check): no login is shown a link that leads nowhere (tests/e2e/link_crawl.py), and each role reaches
its waiting work from the home page in two taps (tests/e2e/role_days.py).

For each demo login (the demo city, small scale), in English (its strings are the longest): open "/", then
every same-site link of the header and of the page's own navigation (`main nav`: sub-navigation, tabs, the
pager, breadcrumbs), once per path, and on each page require ``document.documentElement.scrollWidth <=
innerWidth``. Tables scroll inside their own ``.table-wrap`` or stack into cards; nothing else may be wider.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from grassroots.demo.logins import LOGINS, PASSWORD
from grassroots.demo.steps import load
from tests import world
from tests.e2e.link_crawl import no_dead_links
from tests.e2e.role_days import role_days

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


@pytest.mark.long  # started first: see tests/conftest.py, pytest_collection_modifyitems
def test_no_login_meets_a_dead_end_and_every_page_fits_a_phone(live_server, browser):
    # given the demo city with its logins (a transactional test starts from an emptied database: the service
    # types and the calendar that the migrations seed are put back first)
    world.seed_case_reference()
    load(scale="small")
    # then no demo login is shown a link that leads nowhere (every link of every page, GET only, before
    # anything below writes)
    no_dead_links()
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
