"""Waiting until a process that was just started answers: shared by the tests that start the platform's
processes (``test_serve.py``) and by ``bench/multi_server.py``, which imports it from here as the other bench
scripts import their helpers from the tests (``bench/page_weight.py``: the repository's root on the path).
Plain Python, no pytest: a bench script runs without it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class NotReady(AssertionError):
    """What was waited for did not happen in time (an assertion's failure in a test)."""


def wait_until(condition: Callable[[], T], seconds: float, what: str) -> T:
    """``condition()``'s value as soon as it is truthy, asked every 0.2 s for at most ``seconds``. A refused or
    lost connection while asking (``OSError``, which urllib's and requests' errors are) counts as not yet.
    :class:`NotReady` naming ``what`` when the time is up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
        except OSError:
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise NotReady(f"not within {seconds:.0f} s: {what}")
