"""Prometheus metrics, one registry per app instance so several apps can live in one process (tests)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
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


class FastHistogram(Collector):
    """A histogram without labels, kept as plain integers like OutcomeCounts (observed on the fix hot path)."""

    def __init__(self, name: str, documentation: str, buckets: tuple[float, ...], registry: CollectorRegistry) -> None:
        self._name = name
        self._documentation = documentation
        self._bounds = buckets
        # One count per bucket plus +Inf; cumulative only when scraped.
        self._counts = [0] * (len(buckets) + 1)
        self._sum = 0.0
        registry.register(self)

    def observe(self, value: float) -> None:
        self._counts[bisect_left(self._bounds, value)] += 1
        self._sum += value

    def collect(self) -> Iterator[Metric]:
        cumulative: list[tuple[str, float]] = []
        total = 0
        for bound, count in zip([*map(str, self._bounds), "+Inf"], self._counts, strict=True):
            total += count
            cumulative.append((bound, total))
        yield HistogramMetricFamily(self._name, self._documentation, buckets=cumulative, sum_value=self._sum)


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
        # The server's part of fix-to-watcher latency: a fix's arrival until its fan-out (fleet views,
        # tracking:location) has been handed to the Socket.IO manager.
        self.fix_fanout = FastHistogram(
            "walky_fix_fanout_seconds",
            "Accepted location fixes: arrival to fan-out to watchers",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        # Business gauges, refreshed when /metrics is scraped (app/ops/business_metrics.py).
        self.workers_online = Gauge("walky_workers_online", "Online workers in the live index", registry=self.registry)
        self.active_walks = Gauge("walky_active_walks", "Bookings in progress", registry=self.registry)
        self.bookings = Gauge("walky_bookings", "Bookings by status", ["status"], registry=self.registry)
        self.payments = Gauge("walky_payments", "Payments by status", ["status"], registry=self.registry)
        self.outbox_backlog = Gauge(
            "walky_outbox_backlog", "Outbox messages (push, email, SMS) waiting to be sent", registry=self.registry
        )
