"""A Redis hash mirrored in every process: writes go to Redis and are announced on a channel, reads
are local. For small, rarely written, often read state on the hot path (who is on a walk, which
fleets have watchers), so a location fix never waits for a round trip to learn it.

A change made in another process reaches this one after a pub/sub hop (sub-millisecond on a LAN);
until then the local copy is the previous value. While Redis is away the local copy stays as it was; it is
reloaded once Redis answers again. A Redis that comes back empty (restarted without persistence) is
refilled by the `restore` hook from the source of truth, before the local copy is replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from redis.asyncio import Redis

log = structlog.get_logger("walky.mirror")
RECONNECT_MIN_S = 0.2
# Kept short: until the mirror is back, changes made by other processes are not seen here.
RECONNECT_MAX_S = 2.0
# How long start-up waits for the first load, so a process serves with the table filled when Redis answers.
FIRST_LOAD_TIMEOUT_S = 2.0

Restore = Callable[[Mapping[str, bytes]], Awaitable[Mapping[str, bytes]]]
"""Given what the hash holds, the fields that should be there and are missing (written only if still absent)."""


class RedisMirror:
    def __init__(self, redis: Redis, key: str, restore: Restore | None = None) -> None:
        # Any: redis-py's command stubs type every reply as "Awaitable | value" for sync and async alike.
        self.redis: Any = redis
        self.key = key
        self.channel = f"{key}:changed"
        self.local: dict[str, bytes] = {}
        self.restore = restore
        self._pubsub: Any = None
        self._follower: asyncio.Task[None] | None = None
        # Set after the first load attempt, whether it worked or not.
        self._first_attempt = asyncio.Event()
        # Whether the local copy has been loaded from Redis at least once (it is kept through outages).
        self.loaded = False

    def get(self, field: str) -> bytes | None:
        return self.local.get(field)

    async def put(self, field: str, value: bytes) -> None:
        self.local[field] = value
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.key, field, value)
            pipe.publish(self.channel, field)
            await pipe.execute()

    async def delete(self, field: str) -> None:
        self.local.pop(field, None)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hdel(self.key, field)
            pipe.publish(self.channel, field)
            await pipe.execute()

    async def read_through(self, field: str) -> bytes | None:
        """The value in Redis itself (for checks that must not act on a stale copy)."""
        value: bytes | None = await self.redis.hget(self.key, field)
        return value

    async def incr(self, field: str, delta: int) -> int:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(self.key, field, delta)
            pipe.publish(self.channel, field)
            count, _ = await pipe.execute()
        if count <= 0:
            # Counters that reach zero leave the hash, so it only holds live entries.
            await self.redis.eval(_DROP_IF_NOT_POSITIVE, 1, self.key, field)
        self.local[field] = str(count).encode()
        return int(count)

    async def start(self) -> None:
        # Waits a bounded time only: with Redis away the app still starts (readiness reports it) and the
        # mirror fills once Redis answers.
        self._follower = asyncio.create_task(self._follow())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._first_attempt.wait(), FIRST_LOAD_TIMEOUT_S)

    async def _load(self) -> dict[str, bytes]:
        stored: dict[bytes, bytes] = await self.redis.hgetall(self.key)
        current = {field.decode(): value for field, value in stored.items()}
        missing = await self.restore(current) if self.restore is not None else {}
        if not missing:
            return current
        async with self.redis.pipeline(transaction=True) as pipe:
            for field, value in missing.items():
                pipe.hsetnx(self.key, field, value)
                pipe.publish(self.channel, field)
            pipe.hgetall(self.key)
            *_, refilled = await pipe.execute()
        log.info("mirror restored missing entries", key=self.key, restored=len(missing))
        return {field.decode(): value for field, value in refilled.items()}

    async def _follow(self) -> None:
        delay = RECONNECT_MIN_S
        while True:
            try:
                pubsub = self.redis.pubsub()
                self._pubsub = pubsub
                # Subscribe before loading, so a change between the two is not lost.
                await pubsub.subscribe(self.channel)
                self.local = await self._load()
                self.loaded = True
                self._first_attempt.set()
                delay = RECONNECT_MIN_S
                await self._listen(pubsub)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._first_attempt.set()
                # Redis away, or the restore hook's source failing: either way, load again later.
                log.warning("mirror not following; retrying", key=self.key, error=repr(exc), retry_in_s=delay)
                if self._pubsub is not None:
                    with contextlib.suppress(Exception):
                        await self._pubsub.aclose()
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_S)

    async def _listen(self, pubsub: Any) -> None:
        async for message in pubsub.listen():
            if message.get("type") != "message":
                continue
            field = message["data"].decode()
            value = await self.redis.hget(self.key, field)
            if value is None:
                self.local.pop(field, None)
            else:
                self.local[field] = value

    async def stop(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()


_DROP_IF_NOT_POSITIVE = """
local count = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if count <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return count
"""
