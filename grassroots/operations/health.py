"""Readiness checks (django-health-check) beyond the library's own: the task queue's age, the routing index
and the shared cache. views.ready runs them with the library's database and storage checks (and its cache
check when each process keeps its own), and Redis when the task queue is on RQ."""

from __future__ import annotations

import dataclasses

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import caches
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable, ServiceWarning

from grassroots.shared_cache import TolerantRedisCache

from .selectors import task_queue_state


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    """The oldest task waiting has waited less than HEALTH_TASK_QUEUE_MAX_AGE_SECONDS: the workers keep up."""

    async def run(self) -> None:
        # In the request's own thread (and database connection), which Django closes after the request.
        state = await sync_to_async(task_queue_state, thread_sensitive=True)()
        limit = settings.HEALTH_TASK_QUEUE_MAX_AGE_SECONDS
        if state.oldest_seconds > limit:
            raise ServiceUnavailable(
                f"{state.queued} task(s) waiting, the oldest for {state.oldest_seconds:.0f} s (limit {limit} s)"
            )


def _routing_index_grids() -> int:
    from grassroots.areas.routing import default_index

    return len(default_index().snapshot().grids.codes)


@dataclasses.dataclass
class RoutingIndex(HealthCheck):
    """The spatial index that routes reports to grids is built (loading it if this process had not yet)."""

    async def run(self) -> None:
        try:
            await sync_to_async(_routing_index_grids, thread_sensitive=True)()
        except Exception as exc:
            raise ServiceUnavailable(f"the routing index cannot be built: {type(exc).__name__}") from exc


def _probe_shared_cache() -> None:
    backend = caches["default"]
    if isinstance(backend, TolerantRedisCache):
        backend.probe()


@dataclasses.dataclass
class SharedCache(HealthCheck):
    """The shared cache's Redis stores and reads a value. When it does not, this is a warning and the server
    stays ready: pages work without the cache (``grassroots/shared_cache.py``), and every app server shares
    the one Redis, so failing here would take them all out of the balancer at once."""

    async def run(self) -> None:
        try:
            await sync_to_async(_probe_shared_cache, thread_sensitive=True)()
        except Exception as exc:
            raise ServiceWarning(
                f"the shared cache is unreachable ({type(exc).__name__}): pages work without it, slower"
            ) from exc
