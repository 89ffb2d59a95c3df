"""The cache that every process shares when ``CACHE_URL`` names a Redis (``grassroots/settings.py``).

It is Django's own ``RedisCache`` with one difference: a Redis that is down, slow or refusing is a miss, not
an error. Everything the platform keeps in the cache (the WeChat access token, the hotspots' clusters, the
map outlines) can be computed or fetched again, so no page may fail because the cache did:

* a read answers its default (``get``: ``None``, ``get_many``: nothing, ``has_key``: False), and so does a
  value that cannot be unpickled (one written by another release of the code, during a rolling deploy);
* a write stores nothing (``add``, ``touch``, ``delete``: False — nothing was stored or removed);
* each failure is logged and counted (``grassroots_cache_errors_total``, by operation), and for
  :data:`RETRY_SECONDS` afterwards this process leaves Redis alone: a Redis that does not answer costs each
  request nothing instead of a connection timeout per cache call. ``/health/ready`` warns meanwhile, without
  taking the server out of the balancer (every server shares the one Redis).

``incr`` and ``decr`` still raise (nothing here counts with them).

``clear()`` deletes this platform's keys only (those under its ``KEY_PREFIX``), not the whole Redis database
as Django's does, so the task queue may share the database.
"""

from __future__ import annotations

import logging
import pickle
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from prometheus_client import Counter
from redis.exceptions import RedisError

log = logging.getLogger("grassroots.cache")

T = TypeVar("T")

RETRY_SECONDS = 5.0  # after a failure, how long a process answers from nothing before it asks Redis again
CLEAR_BATCH = 500

ERRORS = Counter(
    "grassroots_cache_errors",
    "Cache operations that failed (the shared Redis unreachable, slow or refusing), answered as a miss",
    ["operation"],
)

# Values that cannot be read back: pickled by another release (a class renamed or moved), or cut short.
UNREADABLE = (pickle.UnpicklingError, AttributeError, ImportError, EOFError)

# Until when (time.monotonic) each Redis is left alone, by LOCATION: shared by the process's threads, each of
# which has its own instance of the backend (Django keeps caches per thread).
_resting_until: dict[str, float] = {}


class TolerantRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` whose failures are misses (the module says which)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)

    def _tolerate(self, operation: str, default: T, call: Callable[[], T], *, reading=False) -> T:
        if time.monotonic() < _resting_until.get(self._location, 0.0):
            return default
        try:
            return call()
        except RedisError as exc:
            _resting_until[self._location] = time.monotonic() + RETRY_SECONDS
            ERRORS.labels(operation).inc()
            log.warning(
                "The shared cache failed (%s: %s); answered as a miss, Redis left alone for %g s",
                operation,
                type(exc).__name__,
                RETRY_SECONDS,
            )
            return default
        except UNREADABLE as exc:
            if not reading:
                raise
            ERRORS.labels(operation).inc()
            log.warning("A cached value could not be read back (%s); answered as a miss", type(exc).__name__)
            return default

    def probe(self) -> None:
        """Write and read back a short-lived key, raising what Redis raises (``/health/ready``). A success
        ends this process's rest from Redis at once."""
        key = self.make_and_validate_key("health:probe")
        self._cache.set(key, "ok", 10)
        if self._cache.get(key, None) != "ok":
            raise RedisError("the value written was not read back")
        _resting_until.pop(self._location, None)

    # --- reads ---

    def get(self, key, default=None, version=None):
        return self._tolerate(
            "get", default, lambda: RedisCache.get(self, key, default, version), reading=True
        )

    def get_many(self, keys, version=None):
        return self._tolerate("get_many", {}, lambda: RedisCache.get_many(self, keys, version), reading=True)

    def has_key(self, key, version=None):
        return self._tolerate("has_key", False, lambda: RedisCache.has_key(self, key, version))

    # --- writes ---

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerate("add", False, lambda: RedisCache.add(self, key, value, timeout, version))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._tolerate("set", None, lambda: RedisCache.set(self, key, value, timeout, version))

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerate(
            "set_many", list(data), lambda: RedisCache.set_many(self, data, timeout, version)
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerate("touch", False, lambda: RedisCache.touch(self, key, timeout, version))

    def delete(self, key, version=None):
        return self._tolerate("delete", False, lambda: RedisCache.delete(self, key, version))

    def delete_many(self, keys, version=None):
        self._tolerate("delete_many", None, lambda: RedisCache.delete_many(self, keys, version))

    def clear(self):
        """Delete every key under this cache's prefix (whatever its version), and nothing else."""
        return self._tolerate("clear", False, self._clear_own_keys)

    def _clear_own_keys(self) -> bool:
        client: Any = self._cache.get_client(None, write=True)
        prefix = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix)  # the prefix as a glob, escaped
        batch: list = []
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            batch.append(key)
            if len(batch) >= CLEAR_BATCH:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
        return True
