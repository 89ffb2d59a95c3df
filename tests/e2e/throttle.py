"""Pages under a throttled network, served the way production serves them.

:func:`production_server` collects the static files with the production storage (fingerprinted names, gzip
copies: ``CompressedManifestStaticFilesStorage``) into a temporary folder and starts a live server that
answers them through WhiteNoise (not Django's development handler, which neither compresses nor caches), and
counts every byte it sends: status line, headers and body, for the page and for the service worker alike.

:func:`load` opens a page in a browser tab throttled with Chrome DevTools' network emulation (by default
"Slow 3G" as the issue sets it: 400 kbit/s each way, 400 ms round trip) and returns what it cost: bytes the
server sent, requests, first contentful paint and the load event.

Used by the page-weight browser test (tests/e2e/test_offline.py) and by bench/page_weight.py.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

SLOW_3G = {"latency_ms": 400, "kbit_s": 400}


class ByteCounter:
    """WSGI middleware: adds up what the server sends (status line, headers, body) and the requests."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.sent = 0
        self.requests: list[tuple[str, int]] = []

    def reset(self) -> None:
        with self.lock:
            self.sent = 0
            self.requests = []

    def __call__(self, environ, start_response):
        size = 0

        def counting_start(status, headers, exc_info=None):
            nonlocal size
            size += len(f"HTTP/1.1 {status}\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in headers) + 2
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = self.app(environ, counting_start)
        try:
            for chunk in body:
                size += len(chunk)
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()
            with self.lock:
                self.sent += size
                self.requests.append((environ.get("PATH_INFO", ""), size))


@dataclass
class Server:
    url: str
    counter: ByteCounter


@contextmanager
def production_server() -> Iterator[Server]:
    """A live server with the production static files (collected now into a temporary folder)."""
    from django.core.management import call_command
    from django.db import connections
    from django.test.testcases import LiveServerThread
    from django.test.utils import override_settings

    root = tempfile.mkdtemp(prefix="grassroots-static-")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    counters: list[ByteCounter] = []

    def counted(app):
        counters.append(ByteCounter(app))
        return counters[0]

    try:
        with override_settings(
            STATIC_ROOT=root, STORAGES=storages, DEBUG=False, WHITENOISE_AUTOREFRESH=False
        ):
            # the big vendored charts and the admin's files are not on the measured pages: skipped to keep it fast
            call_command("collectstatic", "--noinput", "-v0", "-i", "echarts-*", "-i", "admin")
            # an in-memory SQLite test database is shared with the server's thread (as pytest-django's does)
            shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
            for connection in shared.values():
                connection.inc_thread_sharing()
            thread = LiveServerThread("127.0.0.1", counted, connections_override=shared, port=0)
            thread.daemon = True
            thread.start()
            thread.is_ready.wait()
            if thread.error:
                raise thread.error
            try:
                yield Server(url=f"http://127.0.0.1:{thread.port}", counter=counters[0])
            finally:
                thread.terminate()
                for connection in shared.values():
                    connection.dec_thread_sharing()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Load:
    url: str
    sent: int  # bytes the server sent for the page and everything it loaded (and the service worker fetched)
    requests: int
    first_paint_ms: float  # first contentful paint
    load_ms: float  # the load event


def throttle(page, *, latency_ms: int = SLOW_3G["latency_ms"], kbit_s: int = SLOW_3G["kbit_s"]) -> None:
    """Chrome's network emulation on ``page`` (DevTools protocol): a round trip and a bandwidth each way."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    rate = kbit_s * 1000 / 8
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency_ms, "downloadThroughput": rate, "uploadThroughput": rate},
    )


def warm(page, server: Server, path: str) -> None:
    """Ask for ``path`` once outside the tab (not throttled, not counted): a server in production is warm,
    this one has not yet loaded its templates, translations and copies of the service types."""
    page.request.get(server.url + path)


def load(page, server: Server, path: str, *, settle_ms: int = 300) -> Load:
    """Open ``path`` in ``page`` (already throttled) and wait for its late requests and its service worker;
    returns what it cost."""
    server.counter.reset()
    page.goto(server.url + path, wait_until="load")
    page.wait_for_load_state("networkidle")
    # the service worker (if the page starts one) has fetched what it keeps for offline use
    page.evaluate(
        "() => 'serviceWorker' in navigator ? Promise.race([navigator.serviceWorker.ready,"
        " new Promise(r => setTimeout(r, 5000))]).then(() => true) : true"
    )
    page.wait_for_timeout(settle_ms)
    timing = page.evaluate(
        """() => {
          const paint = performance.getEntriesByName('first-contentful-paint')[0];
          const nav = performance.getEntriesByType('navigation')[0];
          return {fcp: paint ? paint.startTime : -1, load: nav ? nav.loadEventEnd : -1};
        }"""
    )
    with server.counter.lock:
        sent, requests = server.counter.sent, len(server.counter.requests)
    return Load(path, sent, requests, timing["fcp"], timing["load"])
