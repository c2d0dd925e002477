"""The summary of a walk in progress, kept up to date as its fixes arrive.

:func:`geo.trail.summarize_walk` cleans the whole trail on every call: for a 2-hour walk at 1 fix/s that
is the Kalman/RTS smoother over 7,200 fixes, several hundred milliseconds on a busy core. A
:class:`LiveTrail` runs the same stages incrementally: the outlier test and the forward filter carry
their state from fix to fix, the backward pass runs only over the last fixes (older smoothed positions
no longer move, see :class:`geo.smoothing.LiveSmoother`), and thinning goes on from the last fix kept.
A summary then costs the recent tail and the route's simplification (shapely reads the kept positions
from two coordinate arrays as they are).

It agrees with :func:`summarize_walk` over the same fixes to well under a millimetre (the distance is
summed as it grows; a settled position misses only the pull of fixes more than two minutes later):
tests/geo/test_live_trail.py. A completed walk is still summarized by :func:`summarize_walk`.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterable

from geo.coordinates import LngLat
from geo.distance import haversine_m, path_length_m
from geo.errors import GeoError
from geo.smoothing import Fix, LiveSmoother
from geo.trail import (
    OutlierFilter,
    TrailPoint,
    WalkSummary,
    effective_accuracy_m,
    simplify_route_xy,
    summarize_trail,
    thin,
)

# A smoothed position is final once this many fixes came after it (two minutes at 1 fix/s; the
# smoother's memory is a few seconds). The backward pass of a summary runs over at most twice this.
SETTLE_FIXES = 120


def _fix(point: TrailPoint) -> Fix:
    return Fix(point.position, point.timestamp_ms, effective_accuracy_m(point.accuracy_m))


class LiveTrail:
    """A walk's trail, cleaned as it grows: :meth:`extend` with the newer fixes, then :meth:`summary`."""

    def __init__(
        self, max_speed_mps: float = 15.0, max_accuracy_m: float = 100.0, settle_fixes: int = SETTLE_FIXES
    ) -> None:
        self._outliers = OutlierFilter(max_speed_mps, max_accuracy_m)
        self._smoother = LiveSmoother(settle_fixes)
        # Accepted for good and fed to the smoother, their smoothed positions not yet final.
        self._unsettled: deque[TrailPoint] = deque()
        self._first: TrailPoint | None = None
        self._settled = 0
        # The first fix and those kept after it from the settled positions: where they are, how far
        # apart in all; the positions as coordinate arrays (16 bytes a fix, handed to shapely as they are).
        self._lngs: array[float] = array("d")
        self._lats: array[float] = array("d")
        self._kept_m = 0.0
        self._last_kept = LngLat(0.0, 0.0)
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
        final: list[TrailPoint] = []
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
            final += self._outliers.push(point)
        if not final:
            return
        if self._first is None:
            self._first = final[0]
            self._keep([final[0].position])
        self._unsettled.extend(final)
        self._settle(self._smoother.feed([_fix(p) for p in final]))

    def _keep(self, positions: list[LngLat]) -> None:
        for position in positions:
            if self._lngs:
                self._kept_m += haversine_m(self._last_kept, position)
            self._lngs.append(position.lng)
            self._lats.append(position.lat)
            self._last_kept = position

    def _settle(self, positions: list[LngLat]) -> None:
        fixes = [self._unsettled.popleft() for _ in positions]
        first_settles = self._settled == 0
        self._settled += len(fixes)
        if first_settles:
            # The walk starts at the first fix as it was measured.
            fixes, positions = fixes[1:], positions[1:]
        self._keep([fix.position for fix in thin(self._last_kept, fixes, positions)])

    def summary(self) -> WalkSummary:
        """What :func:`geo.trail.summarize_walk` gives for the fixes taken so far (see the module's note)."""
        last = self._outliers.last
        if last is None:
            return summarize_trail([])
        pending = [*self._unsettled, last]
        if self._settled + len(pending) < 3:
            # Two fixes are both ends, which filter_trail returns as they are.
            return summarize_trail(pending)
        # The provisional last fix is smoothed on a copy: a run of agreeing spikes may still replace it.
        smoother = self._smoother.copy()
        positions = smoother.feed([_fix(last)]) + smoother.pending()
        fixes, positions = pending[:-1], positions[:-1]
        if self._settled == 0:
            fixes, positions = fixes[1:], positions[1:]
        # The walk ends at the last fix as it was measured.
        tail = [fix.position for fix in thin(self._last_kept, fixes, positions)] + [last.position]
        assert self._first is not None
        started_at_ms, ended_at_ms = self._first.timestamp_ms, last.timestamp_ms
        return WalkSummary(
            distance_m=self._kept_m + path_length_m([self._last_kept, *tail]),
            duration_s=(ended_at_ms - started_at_ms) // 1000,
            route=simplify_route_xy(
                self._lngs + array("d", (p.lng for p in tail)), self._lats + array("d", (p.lat for p in tail))
            ),
            started_at_ms=started_at_ms,
            ended_at_ms=ended_at_ms,
        )
