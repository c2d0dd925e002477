"""The summary of a walk in progress, kept up to date as its fixes arrive.

:func:`geo.trail.summarize_walk` reads the whole trail on every call. A :class:`LiveTrail` runs the same
stages fix by fix: the outlier test carries its state, and the accepted fixes go into one
:class:`geo.walk_path.WalkPath`, whose split into legs after any number of fixes is the one a completed
walk with those fixes gets. A summary then costs placing the legs' turns and simplifying the route.

It equals :func:`summarize_walk` over the same fixes, fed in any batches (tests/geo/test_live_trail.py).
The last accepted fix is provisional (a run of agreeing spikes may still replace it), so a summary adds it
to the path without keeping it.
"""

from __future__ import annotations

from collections.abc import Iterable

from geo.errors import GeoError
from geo.trail import (
    DEFAULT_MAX_ACCURACY_M,
    DEFAULT_MAX_SPEED_MPS,
    OutlierFilter,
    TrailPoint,
    WalkSummary,
    effective_accuracy_m,
    summarize_path,
)
from geo.walk_path import WalkPath


class LiveTrail:
    """A walk's trail, cleaned as it grows: :meth:`extend` with the newer fixes, then :meth:`summary`."""

    def __init__(
        self, max_speed_mps: float = DEFAULT_MAX_SPEED_MPS, max_accuracy_m: float = DEFAULT_MAX_ACCURACY_M
    ) -> None:
        self._outliers = OutlierFilter(max_speed_mps, max_accuracy_m)
        self._path = WalkPath()
        self._first_ms: int | None = None
        self._last_ms: int | None = None
        # The fixes taken at the newest time, so an exact duplicate is dropped as filter_trail drops it.
        self._at_last_ms: set[TrailPoint] = set()
        self.count = 0

    @property
    def last_ms(self) -> int | None:
        """The time of the newest fix taken (None before any)."""
        return self._last_ms

    def extend(self, points: Iterable[TrailPoint]) -> None:
        """Take the next fixes, in time order and none older than a fix already taken."""
        for point in points:
            if self._last_ms is not None and point.timestamp_ms < self._last_ms:
                raise GeoError("a live trail takes its fixes in time order; rebuild it for an older fix")
            if point.timestamp_ms != self._last_ms:
                self._last_ms = point.timestamp_ms
                self._at_last_ms.clear()
            elif point in self._at_last_ms:
                continue
            self._at_last_ms.add(point)
            self.count += 1
            for final in self._outliers.push(point):
                if self._first_ms is None:
                    self._first_ms = final.timestamp_ms
                self._path.add(final.position, final.timestamp_ms, effective_accuracy_m(final.accuracy_m))

    def summary(self) -> WalkSummary:
        """What :func:`geo.trail.summarize_walk` gives for the fixes taken so far."""
        last = self._outliers.last
        if last is None:
            return summarize_path([], None, None)
        vertices = self._path.vertices_with(last.position, last.timestamp_ms, effective_accuracy_m(last.accuracy_m))
        first_ms = last.timestamp_ms if self._first_ms is None else self._first_ms
        return summarize_path(vertices, first_ms, last.timestamp_ms)
