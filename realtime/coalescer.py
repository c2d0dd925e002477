"""Coalesce concurrent Redis operations into shared pipeline round trips.

Each operation queues the commands it needs and waits. One flusher task drains the queue: everything
queued goes out as one pipeline; while that round trip is in flight, new operations queue up and leave
together in the next pipeline. Under load the number of round trips therefore grows much slower than the
number of operations (one per in-flight window instead of one per fix), without adding any delay when
the server is idle: a lone operation is sent at once.

The pipeline goes out on a connection of the coalescer's own, already packed (realtime/resp.py): this is
the location hot path, and redis-py's pipeline object, pool checkout and per-argument packing cost more
than the write itself. Replies are still parsed by redis-py's connection (hiredis when installed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

# One pipeline carries at most this many operations, so a burst cannot build an unbounded request.
MAX_OPS_PER_PIPELINE = 1000

Stage = Callable[[], tuple[bytes, int]]
"""Called when the operation's pipeline is built: its packed commands and how many there are. Called
late on purpose, so an operation can keep gathering work (a batch of fixes) until its pipeline leaves."""


@dataclass(slots=True)
class _Op:
    stage: Stage
    done: asyncio.Future[list[Any]] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class PipelineCoalescer:
    def __init__(self, redis: Redis) -> None:
        self._pool = redis.connection_pool
        self._connection: AbstractConnection | None = None
        self._queue: list[_Op] = []
        self._flusher: asyncio.Task[None] | None = None
        # Counted for tests and metrics: how many pipelines went out.
        self.round_trips = 0

    def submit(self, stage: Stage) -> asyncio.Future[list[Any]]:
        """Queue one operation; the future gets the replies to its commands, in order (error replies as
        exceptions in the list, so one failing command does not fail the operations it shares a pipeline
        with). Several callers may wait on one future."""
        op = _Op(stage)
        self._queue.append(op)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return op.done

    async def run(self, stage: Stage) -> list[Any]:
        return await self.submit(stage)

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:MAX_OPS_PER_PIPELINE], self._queue[MAX_OPS_PER_PIPELINE:]
            await self._send(batch)

    async def _send(self, batch: list[_Op]) -> None:
        try:
            staged = [op.stage() for op in batch]
            packed = b"".join(commands for commands, _ in staged)
            total = sum(count for _, count in staged)
            self.round_trips += 1
            try:
                replies = await self._round_trip(packed, total)
            except (RedisConnectionError, RedisTimeoutError):
                # Most often a connection Redis closed while idle (a restart): once more on a fresh one.
                replies = await self._round_trip(packed, total)
        except BaseException as exc:
            for op in batch:
                if not op.done.done():
                    op.done.set_exception(exc if isinstance(exc, Exception) else RedisConnectionError(str(exc)))
            if not isinstance(exc, Exception):
                raise
            return
        start = 0
        for op, (_, count) in zip(batch, staged, strict=True):
            if not op.done.done():
                op.done.set_result(replies[start : start + count])
            start += count

    async def _round_trip(self, packed: bytes, total: int) -> list[Any]:
        connection = self._connection
        if connection is None:
            connection = self._connection = self._pool.make_connection()  # type: ignore[no-untyped-call]
        try:
            await connection.send_packed_command(packed, check_health=False)
            replies: list[Any] = []
            for _ in range(total):
                try:
                    replies.append(await connection.read_response())
                except ResponseError as exc:
                    # An error reply leaves the connection in step; the next reply follows.
                    replies.append(exc)
            return replies
        except BaseException:
            # Anything else (a lost connection, a cancelled read) leaves replies unread: start afresh.
            self._connection = None
            await connection.disconnect(nowait=True)
            raise

    async def close(self) -> None:
        """Let queued operations finish, then close the connection."""
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)
        if self._connection is not None:
            await self._connection.disconnect()
            self._connection = None
