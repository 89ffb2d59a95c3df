"""The readiness check (``/health/ready``, grassroots.operations.views.ready): the health-check library's view
with the platform's checks, imported only when it is first asked for."""

from __future__ import annotations

import asyncio

from django.conf import settings
from health_check.exceptions import ServiceWarning
from health_check.views import HealthCheckView

from .health import RoutingIndex, SharedCache, TaskQueue


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
