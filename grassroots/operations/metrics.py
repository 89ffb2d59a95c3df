"""Prometheus metrics (prometheus-client).

Per process, summed over all of them: requests and their latency (recorded by middleware.RequestMiddleware).
Under ``scripts/serve`` every process writes its counters to ``PROMETHEUS_MULTIPROC_DIR`` (the supervisor
sets it) and a scrape of any gunicorn worker reads them all. Read from the database at each scrape, so any
machine reports the whole platform: the task queue (depth, age of the oldest task, failed tasks), cases by
state and overdue, and the periodic jobs' runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from grassroots import shared_cache

from . import selectors

REQUESTS = Counter(
    "grassroots_http_requests", "HTTP requests answered, by view and status", ["method", "view", "status"]
)
LATENCY = Histogram(
    "grassroots_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by view",
    ["method", "view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0),
)


class PlatformCollector(Collector):
    """Figures read from the database at each scrape."""

    def collect(self) -> Iterator[Metric]:
        queue = selectors.task_queue_state()
        yield GaugeMetricFamily(
            "grassroots_tasks_queued", "Tasks waiting whose time has come", value=queue.queued
        )
        yield GaugeMetricFamily(
            "grassroots_tasks_oldest_queued_seconds",
            "How long the oldest waiting task has waited",
            value=queue.oldest_seconds,
        )
        yield GaugeMetricFamily(
            "grassroots_tasks_failed", "Failed tasks the task backend keeps a record of", value=queue.failed
        )
        cases = GaugeMetricFamily("grassroots_cases", "Cases by state", labels=["state"])
        for state, n in selectors.cases_by_state().items():
            cases.add_metric([state], n)
        yield cases
        yield GaugeMetricFamily(
            "grassroots_cases_overdue",
            "Open cases past their deadline (not accepted, or not handled, in time)",
            value=selectors.cases_overdue(),
        )
        runs = GaugeMetricFamily(
            "grassroots_periodic_job_runs",
            "Periodic job runs recorded, by outcome",
            labels=["job", "outcome"],
        )
        last = GaugeMetricFamily(
            "grassroots_periodic_job_last_success_timestamp_seconds",
            "When the periodic job last finished without error (Unix time)",
            labels=["job"],
        )
        for figures in selectors.periodic_job_figures():
            for outcome, n in figures.runs.items():
                runs.add_metric([figures.job, outcome], n)
            if figures.last_success is not None:
                last.add_metric([figures.job], figures.last_success.timestamp())
        yield runs
        yield last


def exposition() -> bytes:
    """The text a scrape receives: every process's counters (or this process's outside scripts/serve)
    and the platform's figures."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
        registry.register(shared_cache.ERRORS)
    registry.register(PlatformCollector())
    return generate_latest(registry)
