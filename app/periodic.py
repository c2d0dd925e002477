"""A background loop that runs a round every few seconds: the lifecycle the sweepers and the job runner share.

A subclass implements `_round()` (its public `*_once()` method lets tests step it without sleeping). A round
that fails is logged and the loop goes on: what it serves (stale workers, orphaned objects, due jobs, silent
walks) is still there next round, when the store or Redis answers again.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog

log = structlog.get_logger("walky.periodic")


class Periodic:
    def __init__(self, name: str, interval_s: float, *, round_at_start: bool = False) -> None:
        self._name = name
        self._interval_s = interval_s
        self._round_at_start = round_at_start
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _round(self) -> None:
        raise NotImplementedError

    async def _run(self) -> None:
        if not self._round_at_start:
            await asyncio.sleep(self._interval_s)
        while True:
            try:
                await self._round()
            except Exception:
                log.exception("background round failed", task=self._name)
            await asyncio.sleep(self._interval_s)
