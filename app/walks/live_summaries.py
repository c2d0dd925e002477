"""Summaries of walks in progress, kept per process and extended with the fixes that came since.

A report, its map or the tracking view of a walk in progress would otherwise clean the whole trail on
every call (for a 2-hour walk, the legs of 7,200 fixes). Each process keeps a :class:`LiveTrail`
for the walks it was asked about lately (a bounded LRU) and reads only the fixes newer than the last it
took. Nothing is shared between processes: another process's first call, or a call after eviction,
rebuilds from the whole trail, which only costs that call the full computation.

A trail only grows at its end in the usual case. A fix stored late (an offline flush) is older than the
newest taken; the stored count then differs from the count taken plus the newer fixes read, and the
summary is rebuilt. Fixes are stored once per (booking, time), so the newest time and a count identify
the prefix taken.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

from geo.live_trail import LiveTrail
from geo.trail import TrailPoint, WalkSummary

# ~100 bytes a fix each (the legs' running sums: ~700 kB for a 2-hour walk at 1 fix/s).
DEFAULT_MAX_WALKS = 64


class TrailReader(Protocol):
    """The reads of a walk's stored trail this cache makes (the store's trail repository)."""

    async def points(self, booking_id: str) -> list[TrailPoint]:
        """Every point, oldest first."""

    async def points_after(self, booking_id: str, after_ms: int) -> list[TrailPoint]:
        """The points stored with a time after `after_ms`, oldest first."""

    async def count(self, booking_id: str) -> int: ...


class LiveSummaries:
    def __init__(self, trails: TrailReader, max_walks: int = DEFAULT_MAX_WALKS) -> None:
        self._trails = trails
        self._max_walks = max_walks
        self._walks: OrderedDict[str, LiveTrail] = OrderedDict()

    def __len__(self) -> int:
        return len(self._walks)

    async def summary(self, booking_id: str) -> WalkSummary:
        """The walk so far, reading only the fixes stored since the last call when this process has it."""
        live = self._walks.get(booking_id)
        if live is not None and live.last_ms is not None:
            newer = await self._trails.points_after(booking_id, live.last_ms)
            stored = await self._trails.count(booking_id)
            # Another request for this walk may have taken some of them while these reads waited.
            if self._walks.get(booking_id) is live and live.last_ms is not None:
                newer = [p for p in newer if p.timestamp_ms > live.last_ms]
                if stored == live.count + len(newer):
                    live.extend(newer)
                    self._walks.move_to_end(booking_id)
                    return live.summary()
        return self.summary_of(booking_id, await self._trails.points(booking_id))

    def summary_of(self, booking_id: str, points: Sequence[TrailPoint]) -> WalkSummary:
        """The walk so far from its whole stored trail (time-ordered), for a caller that read it anyway."""
        live = self._walks.get(booking_id)
        if live is None or not _starts_with(points, live):
            live = LiveTrail()
            live.extend(points)
        else:
            live.extend(points[live.count :])
        self._walks[booking_id] = live
        self._walks.move_to_end(booking_id)
        while len(self._walks) > self._max_walks:
            self._walks.popitem(last=False)
        return live.summary()


def _starts_with(points: Sequence[TrailPoint], live: LiveTrail) -> bool:
    # Stored fixes have distinct times: the one at the count taken is the newest taken unless one was
    # stored late in between.
    return live.count == 0 or (len(points) >= live.count and points[live.count - 1].timestamp_ms == live.last_ms)
