"""Prometheus metrics, one registry per app instance so several apps can live in one process (tests)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class LabelledChildren(dict[str, Counter]):
    """A single-label counter's children by label value, each looked up in the metric once."""

    def __init__(self, metric: Counter) -> None:
        super().__init__()
        self._metric = metric

    def __missing__(self, value: str) -> Counter:
        child = self[value] = self._metric.labels(value)
        return child


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
        self.location_fixes = Counter(
            "walky_location_fixes_total",
            "Location fixes by outcome",
            ["outcome"],
            registry=self.registry,
        )
        # `labels()` costs microseconds per call; every fix counts one outcome.
        self.fix_outcomes = LabelledChildren(self.location_fixes)
