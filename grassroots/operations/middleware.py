"""The request's id, its log line and its metrics.

``RequestMiddleware`` comes first in settings.MIDDLEWARE. It takes the id the proxy sent in ``X-Request-ID``
(nginx: ``proxy_set_header X-Request-ID $request_id;``) when it looks like one, else makes one; every log
line written while the request runs carries it (grassroots.logs), and the response returns it in
``X-Request-ID``. When the response is ready it writes one line to the ``grassroots.request`` logger (method,
path and query, status, milliseconds; phone and ID numbers masked like every log line) and counts the
request in the metrics, by the name of the view that answered.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from grassroots import logs

from .metrics import LATENCY, REQUESTS

logger = logging.getLogger("grassroots.request")
_GOOD_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return match.view_name or match.route or "<unnamed>"


class RequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get("X-Request-ID", "")
        rid = sent if _GOOD_ID.fullmatch(sent) else uuid.uuid4().hex
        request.request_id = rid
        token = logs.request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            response["X-Request-ID"] = rid
            view = _view_name(request)
            REQUESTS.labels(request.method, view, str(response.status_code)).inc()
            LATENCY.labels(request.method, view).observe(elapsed)
            logger.info(
                "%s %s %s %.0fms",
                request.method,
                request.get_full_path(),
                response.status_code,
                elapsed * 1000,
                extra={"status": response.status_code, "duration_ms": round(elapsed * 1000, 1), "view": view},
            )
            return response
        finally:
            logs.request_id.reset(token)
