"""Prometheus metrics of the HTTP service (``GET /metrics``), with prometheus-client.

=======================================  =========  =================================================
metric                                   type       meaning
=======================================  =========  =================================================
matcher_http_request_duration_seconds    histogram  latency per route template and method
matcher_http_requests_total              counter    answers per route, method and status
matcher_queries_total                    counter    screening queries answered
matcher_matches_total{list}              counter    matches returned (any score)
matcher_alerts_total{list}               counter    matches at or above the threshold
matcher_cache_hits_total                 counter    query results served from the cache
matcher_cache_misses_total               counter    query results computed by the engine
matcher_cache_degraded                   gauge      1 while Redis is configured but unreachable
matcher_engine_reloads_total{outcome}    counter    hot reloads of the lists (ok / failed)
matcher_list_age_seconds{list}           gauge      seconds since the list's last successful refresh
matcher_list_entities{list}              gauge      entities in the list's active version
matcher_list_stale{list}                 gauge      1 when older than MATCHER_STALE_HOURS
=======================================  =========  =================================================

**Several workers.** Under gunicorn each worker is a process with its own counters. When
``PROMETHEUS_MULTIPROC_DIR`` is set (``matcher serve`` sets it to a fresh temporary folder before
anything imports prometheus-client; see :mod:`matcher.gunicorn_conf`) the client library's
multiprocess mode writes every worker's values to memory-mapped files there and ``/metrics``
sums them, whichever worker answers the scrape. ``matcher_cache_degraded`` uses the ``livemax``
mode (1 if any live worker sees Redis down); a dead worker's gauges are removed by the
``child_exit`` hook. The list gauges are computed at scrape time from the data directory, so
they are the same in every worker. Without the variable (tests, ``matcher serve --dev``) one
process's registry is served.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from matcher.store import Store

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def multiprocess_dir() -> str | None:
    """The multiprocess folder, if prometheus-client was imported in multiprocess mode.

    The client library reads ``PROMETHEUS_MULTIPROC_DIR`` once, when it is imported; a variable
    set later does not switch an already running process to files, so both must agree.
    """
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    active = getattr(values.ValueClass, "_multiprocess", False)
    return folder if folder and active else None


class ListCollector(Collector):
    """List age, size and staleness, read from the store at scrape time."""

    def __init__(self, store: Store, stale_hours: float) -> None:
        self.store = store
        self.stale_hours = stale_hours

    def collect(self) -> Iterator[GaugeMetricFamily]:
        age = GaugeMetricFamily(
            "matcher_list_age_seconds",
            "Seconds since the list was last refreshed successfully.",
            labels=["list"],
        )
        entities = GaugeMetricFamily(
            "matcher_list_entities", "Entities in the active version of the list.", labels=["list"]
        )
        stale = GaugeMetricFamily(
            "matcher_list_stale", "1 when the list is older than MATCHER_STALE_HOURS.", labels=["list"]
        )
        for source in self.store.sources():
            meta = self.store.active(source)
            if meta is None:
                continue
            fresh = self.store.freshness(meta, self.stale_hours)
            age.add_metric([source], max(0.0, fresh.age_hours * 3600))
            entities.add_metric([source], meta.counts.entities)
            stale.add_metric([source], 1.0 if fresh.stale else 0.0)
        yield age
        yield entities
        yield stale


class Metrics:
    """The metric objects of one app (one registry per app, so tests can build many apps)."""

    def __init__(self, store: Store, stale_hours: float) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.latency = Histogram(
            "matcher_http_request_duration_seconds",
            "Request latency by route template and method.",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.requests = Counter(
            "matcher_http_requests",
            "Answers by route, method and status.",
            ["route", "method", "status"],
            registry=r,
        )
        self.queries = Counter("matcher_queries", "Screening queries answered.", registry=r)
        self.matches = Counter("matcher_matches", "Matches returned (any score).", ["list"], registry=r)
        self.alerts = Counter("matcher_alerts", "Matches at or above the threshold.", ["list"], registry=r)
        self.cache_hits = Counter("matcher_cache_hits", "Query results served from the cache.", registry=r)
        self.cache_misses = Counter(
            "matcher_cache_misses", "Query results computed by the engine.", registry=r
        )
        self.cache_degraded = Gauge(
            "matcher_cache_degraded",
            "1 while Redis is configured but unreachable (answers come from the in-process cache).",
            registry=r,
            multiprocess_mode="livemax",
        )
        self.reloads = Counter(
            "matcher_engine_reloads", "Hot reloads of the loaded lists.", ["outcome"], registry=r
        )
        self.lists = ListCollector(store, stale_hours)
        r.register(self.lists)
        self.cache_degraded.set(0)

    def set_degraded(self, down: bool) -> None:
        self.cache_degraded.set(1 if down else 0)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.latency.labels(route, method).observe(seconds)
        self.requests.labels(route, method, str(status)).inc()

    def render(self) -> tuple[bytes, str]:
        """The exposition text: every worker's values in multiprocess mode, else this registry."""
        if multiprocess_dir():
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            registry.register(self.lists)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


__all__ = ["LATENCY_BUCKETS", "ListCollector", "Metrics", "multiprocess_dir"]
