"""The sweeper: a background task that takes workers unseen for five minutes out of the live index.

Nearby searches already skip them (they filter by last seen); sweeping keeps the index small. Every
process runs one; a sweep is idempotent, so several processes sweeping the same Redis do no harm.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from app.clock import Clock
from app.clock import now_ms as clock_ms
from realtime.live_index import LiveIndex

log = structlog.get_logger("walky.sweeper")

SWEEP_INTERVAL_S = 30.0


class Sweeper:
    def __init__(self, index: LiveIndex, clock: Clock, interval_s: float = SWEEP_INTERVAL_S) -> None:
        self._index = index
        self._clock = clock
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="live-index-sweeper")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def sweep_once(self) -> int:
        return await self._index.sweep(clock_ms(self._clock))

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            try:
                removed = await self.sweep_once()
            except Exception:
                # Redis away for a moment: nearby still filters stale workers, so try again next round.
                log.exception("sweep failed")
                continue
            if removed:
                log.info("swept stale workers", removed=removed)
