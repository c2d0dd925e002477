"""Coalesce concurrent Redis operations into shared pipeline round trips.

Each operation queues the commands it needs and waits. One flusher task drains the queue: everything
queued goes out as one pipeline; while that round trip is in flight, new operations queue up and leave
together in the next pipeline. Under load the number of round trips therefore grows much slower than the
number of operations (one per in-flight window instead of one per fix), without adding any delay when
the server is idle: a lone operation is sent at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

# One pipeline carries at most this many operations, so a burst cannot build an unbounded request.
MAX_OPS_PER_PIPELINE = 1000

Stage = Callable[[Pipeline], int]
"""Adds an operation's commands to the pipeline and returns how many it added."""


@dataclass(slots=True)
class _Op:
    stage: Stage
    done: asyncio.Future[list[Any]] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class PipelineCoalescer:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._queue: list[_Op] = []
        self._flusher: asyncio.Task[None] | None = None
        # Counted for tests and metrics: how many pipelines went out.
        self.round_trips = 0

    async def run(self, stage: Stage) -> list[Any]:
        """Queue one operation and return the replies to its commands, in order (errors as exceptions
        in the list, so one failing command does not fail the operations it shares a pipeline with)."""
        op = _Op(stage)
        self._queue.append(op)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await op.done

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:MAX_OPS_PER_PIPELINE], self._queue[MAX_OPS_PER_PIPELINE:]
            await self._send(batch)

    async def _send(self, batch: list[_Op]) -> None:
        try:
            pipe = self._redis.pipeline(transaction=False)
            counts = [op.stage(pipe) for op in batch]
            self.round_trips += 1
            replies = await pipe.execute(raise_on_error=False)
        except BaseException as exc:
            for op in batch:
                if not op.done.done():
                    op.done.set_exception(exc if isinstance(exc, Exception) else ConnectionError(str(exc)))
            if not isinstance(exc, Exception):
                raise
            return
        start = 0
        for op, count in zip(batch, counts, strict=True):
            if not op.done.done():
                op.done.set_result(replies[start : start + count])
            start += count

    async def close(self) -> None:
        """Let queued operations finish."""
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)
