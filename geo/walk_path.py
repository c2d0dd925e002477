"""The path a walk took, as its legs place it (:mod:`geo.legs`), from its accepted fixes in time order.

The fixes go into local metres around the first one (:mod:`geo.local_frame`), each weighed by the noise
measured from the fixes before it (:mod:`geo.noise`). The path is the same whether the fixes came one by
one or all at once: a live summary and a completed one read the same path from the same fixes.
"""

from __future__ import annotations

import copy

from geo.coordinates import LngLat
from geo.legs import LegFitter
from geo.local_frame import LocalFrame
from geo.noise import NoiseTracker


class WalkPath:
    """Accepted fixes in, the walk's polyline out."""

    def __init__(self) -> None:
        self._frame: LocalFrame | None = None
        self._noise = NoiseTracker()
        self._legs = LegFitter()

    def add(self, position: LngLat, timestamp_ms: int, accuracy_m: float) -> None:
        """Take the next fix (not older than the last); ``accuracy_m`` is used until the noise is measured."""
        if self._frame is None:
            self._frame = LocalFrame(position, timestamp_ms)
        x, y = self._frame.xy(position)
        t = self._frame.seconds(timestamp_ms)
        self._legs.add(x, y, t, self._noise.variance(x, y, t, accuracy_m))

    def vertices(self) -> list[LngLat]:
        """The walk's polyline: where it started, each turn's tip, where it is (or ended)."""
        if self._frame is None:
            return []
        frame = self._frame
        return [frame.position(x, y) for x, y, _ in self._legs.path()]

    def vertices_with(self, position: LngLat, timestamp_ms: int, accuracy_m: float) -> list[LngLat]:
        """:meth:`vertices` as if one more fix had been added, leaving the path as it was."""
        frame, noise, mark = self._frame, copy.deepcopy(self._noise), self._legs.mark()
        self.add(position, timestamp_ms, accuracy_m)
        try:
            return self.vertices()
        finally:
            self._frame, self._noise = frame, noise
            self._legs.rewind(mark)
