"""Liveness, readiness and metrics for the machines that watch the platform (docs/operations.md).

* ``/health/live``: the process answers (no database touched): restart it when this fails.
* ``/health/ready``: database, cache, storage writable, Redis (with RQ), the task queue's age, the routing
  index: take the server out of the balancer while this fails (503 with the failing checks, JSON). A shared
  cache (``CACHE_URL``) that does not answer is a warning, still 200: pages work without it.
* ``/metrics``: Prometheus' text format, for the addresses in METRICS_ALLOWED_ADDRESSES or a request with
  ``Authorization: Bearer <METRICS_TOKEN>``; anyone else gets 404.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from grassroots.accounts.logins import client_address

from . import metrics


@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": "ok"})


@functools.cache
def _ready_view():
    """The readiness view, imported at its first request: the health-check library's checks import a DNS
    library (about 0.3 s) that no other page needs, and every process paid for it at start."""
    from .readiness import ReadyView

    return ReadyView.as_view()


async def ready(request, *args, **kwargs):
    return await _ready_view()(request, *args, **kwargs)


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "")
        if hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return True
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
@require_GET
def metrics_view(request):
    if not _allowed(request):
        raise Http404
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
