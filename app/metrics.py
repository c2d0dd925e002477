"""Prometheus metrics, one registry per app instance so several apps can live in one process (tests)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector


class OutcomeCounts(Collector):
    """A counter with one label, kept as plain integers and turned into a metric only when scraped.

    Every location fix counts one outcome; a prometheus_client child takes a lock and several calls per
    increment, which showed up at a few percent of the ingestion hot path. All increments happen on the
    event loop's thread.
    """

    def __init__(self, name: str, documentation: str, label: str, registry: CollectorRegistry) -> None:
        self._name = name
        self._documentation = documentation
        self._label = label
        self.counts: dict[str, int] = {}
        registry.register(self)

    def add(self, value: str, amount: int = 1) -> None:
        self.counts[value] = self.counts.get(value, 0) + amount

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(self._name, self._documentation, labels=[self._label])
        for value, count in sorted(self.counts.items()):
            family.add_metric([value], count)
        yield family


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "walky_http_requests_total",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "walky_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["route", "method"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.open_sockets = Gauge("walky_open_sockets", "Connected Socket.IO clients", registry=self.registry)
        self.location_fixes = OutcomeCounts(
            "walky_location_fixes", "Location fixes by outcome", "outcome", registry=self.registry
        )
