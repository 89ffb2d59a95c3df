"""Shared browser fixtures: Playwright's sync API driving Debian's Chromium against ``live_server``.

Use them as::

    @pytest.mark.e2e
    def test_something(live_server, page, log_in):
        log_in(page, live_server, username="zhang", password="...")

The pages' Content-Security-Policy forbids eval, so ``page.wait_for_function("a string")`` fails whenever it
has to poll; wait with ``playwright.sync_api.expect(locator)`` or ``locator.wait_for()`` instead.

Without Chromium the browser tests are skipped with a message, except under CI (env ``CI`` set), where a
missing browser is a failure: CI must run them.
"""

from __future__ import annotations

import os
import shutil

import pytest
from playwright.sync_api import expect

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
]
DEFAULT_PASSWORD = "Grassroots-pass-1"  # tests.factories.UserFactory's password

# Playwright's sync API runs an event loop in this thread; Django refuses database access from a thread
# with a running loop unless told that it is safe (it is: the loop only drives the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# An assertion waits up to 10 s for the page to show what it should (Playwright's default is 5 s): on two busy
# cores, shrinking two photos and writing them to the phone's outbox before the send fails took longer than 5 s.
expect.set_options(timeout=10_000)


def _chromium_or_skip() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = "Chromium is not installed (apt-get install chromium); browser tests need it."
    if os.environ.get("CI"):
        pytest.fail(message + " CI must run the browser tests.", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module (started in about a second). Not kept for the session: while Playwright's
    sync API runs, its event loop counts as running in this thread, and a later module's test of an async view
    through Django's test client (the readiness check) would fail with "You cannot use AsyncToSync"."""
    executable = _chromium_or_skip()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev dependency missing
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed; CI must run the browser tests.", pytrace=False)
        pytest.skip("playwright is not installed (pip install -e .[dev]).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) in Chinese, desktop-sized, with a short default timeout."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # tests may assert that no script failed
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    """Like ``page`` but the size and touch of a phone, for the grid worker's view."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def log_in_through_form(page, live_server, *, username: str, password: str = DEFAULT_PASSWORD, next_url=""):
    """Open the login page, fill the form and submit it; returns after the next page has loaded."""
    url = f"{live_server.url}/accounts/login/"
    if next_url:
        url += f"?next={next_url}"
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


@pytest.fixture
def log_in():
    """The login helper as a fixture: ``log_in(page, live_server, username=..., password=...)``."""
    return log_in_through_form


@pytest.fixture(autouse=True)
def _audit_log_flushable(audit_log_flushable):
    """The live server commits for real: the log is emptied after each test (tests/conftest.py)."""


def open_menu(page) -> None:
    """Open the header's menu where it is folded behind its button (a phone); a desk shows it open."""
    button = page.locator("header .menu > summary")
    if button.is_visible() and page.locator("header details.menu[open]").count() == 0:
        button.click()
