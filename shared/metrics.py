"""Prometheus metrics at `/metrics`: the HTTP edge of every process, and gauges read from the database.

Labels never carry personal data or record identifiers: an HTTP request is labelled by its method, the
route *template* (`/incidents/{incident_id}`, never the path a caller sent) and its status; the gauges
carry no tenant (a count per school would itself say which schools have open cases) and no label beyond
a fixed vocabulary. tests/shared/test_metrics.py scrapes both services and scans every label.

Several processes: request counters live in the process that served the request. With uvicorn
`--workers N` the scrape lands on any one worker, so when `PROMETHEUS_MULTIPROC_DIR` is set (prometheus_client's
multiprocess mode; the directory must be empty at start) the scrape adds up every worker's files. The
database gauges are read afresh at each scrape, so they are the same whichever process answers.
"""
from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

METRICS_PATH = "/metrics"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds; the hand-off targets (median < 200 ms, p99 < 1 s) fall between buckets, not on the last one.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class GaugeReading:
    """One value read from the database at scrape time. `labels` use a fixed vocabulary only."""

    name: str
    help: str
    value: float
    labels: tuple[tuple[str, str], ...] = ()


GaugeSource = Callable[[], Awaitable[Sequence[GaugeReading]]]


class ServiceMetrics:
    """The metrics of one service app: its own registry, so that two apps in one process never mix."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["service", "method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.gauge_source: GaugeSource | None = None
        # (method, route template, status) -> its counter and histogram children: `labels()` takes a lock
        # and builds its key on every call, and every request is observed. Bounded as the labels are: the
        # known methods (any other is OTHER), the app's route templates and the statuses it answers.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in _KNOWN_METHODS else "OTHER"
        children = self._children.get((method, route, status))
        if children is None:
            children = self._children[(method, route, status)] = (
                self.requests.labels(self.service, method, route, str(status)),
                self.latency.labels(self.service, method, route),
            )
        requests, latency = children
        requests.inc()
        latency.observe(seconds)

    async def render(self) -> bytes:
        return self._http_exposition() + await self._gauge_exposition()

    def _http_exposition(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)

    async def _gauge_exposition(self) -> bytes:
        if self.gauge_source is None:
            return b""
        families: dict[str, GaugeMetricFamily] = {}
        for reading in await self.gauge_source():
            family = families.get(reading.name)
            if family is None:
                family = families[reading.name] = GaugeMetricFamily(
                    reading.name, reading.help, labels=["service", *(name for name, _ in reading.labels)]
                )
            family.add_metric([self.service, *(value for _, value in reading.labels)], reading.value)
        # A collector of ready-made families, not Gauge objects: in multiprocess mode a Gauge would write
        # a value file per scrape, and these readings belong to the database, not to this process.
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_Readings(list(families.values())))
        return generate_latest(registry)


class _Readings:
    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> list[Metric]:
        return self.families
