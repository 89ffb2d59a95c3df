"""How a webhook is signed, and how a receiver checks it (docs/integrations.md shows the same in shell).

The header ``X-Grassroots-Signature: t=<unix seconds>,v1=<hex>`` carries the time of sending and
``HMAC-SHA256(secret, "<t>." + body)`` in hex, over the exact bytes of the body. A receiver recomputes it with
its subscription's secret, compares in constant time, and refuses a time too far from its own clock (a replay).
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Grassroots-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>." + body`` under ``secret``."""
    message = str(int(timestamp)).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header_value(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    moment = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={moment},v1={sign(secret, moment, body)}"


def verify(
    secret: str, header: str, body: bytes, *, now: float | None = None, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """Whether ``header`` is a valid signature of ``body`` under ``secret``, made within ``tolerance`` seconds
    of ``now``. What a receiver runs on every POST before trusting it."""
    parts = dict(item.split("=", 1) for item in (header or "").split(",") if "=" in item)
    try:
        moment = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - moment) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, moment, body), parts.get("v1", ""))
