"""The sweeper: a background task that takes workers unseen for five minutes out of the live index.

Nearby searches already skip them (they filter by last seen); sweeping keeps the index small. Every
process runs one; a sweep is idempotent, so several processes sweeping the same Redis do no harm.
"""

from __future__ import annotations

import structlog

from app.clock import Clock
from app.clock import now_ms as clock_ms
from app.live.live_index import LiveIndex
from app.periodic import Periodic

log = structlog.get_logger("walky.sweeper")

SWEEP_INTERVAL_S = 30.0


class Sweeper(Periodic):
    def __init__(self, index: LiveIndex, clock: Clock, interval_s: float = SWEEP_INTERVAL_S) -> None:
        super().__init__("live-index-sweeper", interval_s)
        self._index = index
        self._clock = clock

    async def sweep_once(self) -> int:
        return await self._index.sweep(clock_ms(self._clock))

    async def _round(self) -> None:
        # Redis away for a moment fails the round: nearby still filters stale workers meanwhile.
        removed = await self.sweep_once()
        if removed:
            log.info("swept stale workers", removed=removed)
