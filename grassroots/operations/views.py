"""Liveness, readiness and metrics for the machines that watch the platform (docs/operations.md).

* ``/health/live``: the process answers (no database touched): restart it when this fails.
* ``/health/ready``: database, cache, storage writable, Redis (with RQ), the task queue's age, the routing
  index: take the server out of the balancer while this fails (503 with the failing checks, JSON). A shared
  cache (``CACHE_URL``) that does not answer is a warning, still 200: pages work without it.
* ``/metrics``: Prometheus' text format, for the addresses in METRICS_ALLOWED_ADDRESSES or a request with
  ``Authorization: Bearer <METRICS_TOKEN>``; anyone else gets 404.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from health_check.exceptions import ServiceWarning
from health_check.views import HealthCheckView
from prometheus_client import CONTENT_TYPE_LATEST

from grassroots.accounts.logins import client_address

from . import metrics
from .health import RoutingIndex, SharedCache, TaskQueue


@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": "ok"})


def _readiness_checks() -> list:
    shared_cache = settings.CACHES["default"]["BACKEND"] == "grassroots.shared_cache.TolerantRedisCache"
    checks: list = [
        "health_check.checks.Database",
        SharedCache if shared_cache else "health_check.checks.Cache",
        "health_check.checks.Storage",
        TaskQueue,
        RoutingIndex,
    ]
    if settings.TASKS["default"]["BACKEND"].endswith("RQBackend"):
        from redis.asyncio import Redis as RedisClient

        checks.append(
            (
                "health_check.contrib.redis.Redis",
                {"client_factory": lambda: RedisClient.from_url(settings.REDIS_URL)},
            )
        )
    return checks


class ReadyView(HealthCheckView):
    """The library's view, always answering JSON, 503 when a check fails (a warning is shown, still 200)."""

    def get_checks(self):
        self.checks = _readiness_checks()
        return super().get_checks()

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            self.results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        failed = any(result.error and not isinstance(result.error, ServiceWarning) for result in self.results)
        return self.render_to_response_json(503 if failed else 200)


ready = ReadyView.as_view()


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
