"""A silent device: a walk in progress whose phone has sent no fix for two minutes.

`SilenceWatcher` runs the check every `interval_s` (like app/usecases/live/sweeper.py); `sweep_once` is what tests call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from app.periodic import Periodic

log = structlog.get_logger("walky.silence")

SILENCE_MS = 120_000
CHECK_INTERVAL_S = 15.0


def silent_since(last_fix_ms: int | None, started_ms: int, now_ms: int) -> int | None:
    """When the current silence began (the last fix, or the start of a walk without one), if it has lasted
    two minutes; None while the phone is heard. The value names the silence, so it is alerted once."""
    since = last_fix_ms if last_fix_ms is not None else started_ms
    return since if now_ms - since >= SILENCE_MS else None


class SilenceWatcher(Periodic):
    def __init__(self, sweep: Callable[[], Awaitable[int]], interval_s: float = CHECK_INTERVAL_S) -> None:
        super().__init__("silent-walk-watcher", interval_s)
        self._sweep = sweep

    async def sweep_once(self) -> int:
        return await self._sweep()

    async def _round(self) -> None:
        alerted = await self.sweep_once()
        if alerted:
            log.info("silent walks alerted", walks=alerted)
