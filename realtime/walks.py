"""Which workers are on a walk right now: the cache the location hot path reads instead of the database.

Booking transitions write it (walk started, walk finished); every fix reads it. The Redis adapter is a
replicated map: the hash in Redis is the truth, each process keeps a local copy that a pub/sub message
refreshes on every change, so a read never leaves the process.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol

import orjson
import structlog
from redis.asyncio import Redis

from geo.coordinates import LngLat

log = structlog.get_logger("walky.walks")
RECONNECT_MIN_S = 0.5
RECONNECT_MAX_S = 10.0


@dataclass(frozen=True, slots=True)
class ActiveWalk:
    booking_id: str
    worker_id: str
    pickup: LngLat
    # Whether the worker is inside the pickup geofence, as of the last fix.
    inside: bool

    def with_inside(self, inside: bool) -> ActiveWalk:
        return replace(self, inside=inside)


def _dump(walk: ActiveWalk) -> bytes:
    return orjson.dumps({**asdict(walk), "pickup": list(walk.pickup)})


def _load(raw: bytes) -> ActiveWalk:
    data = orjson.loads(raw)
    return ActiveWalk(data["booking_id"], data["worker_id"], LngLat(*data["pickup"]), bool(data["inside"]))


class ActiveWalks(Protocol):
    def get(self, worker_id: str) -> ActiveWalk | None: ...

    async def put(self, walk: ActiveWalk) -> None: ...

    async def remove(self, worker_id: str, booking_id: str) -> None:
        """Forget the worker's walk, if it is still this booking's."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class MemoryActiveWalks:
    def __init__(self) -> None:
        self._walks: dict[str, ActiveWalk] = {}

    def get(self, worker_id: str) -> ActiveWalk | None:
        return self._walks.get(worker_id)

    async def put(self, walk: ActiveWalk) -> None:
        self._walks[walk.worker_id] = walk

    async def remove(self, worker_id: str, booking_id: str) -> None:
        walk = self._walks.get(worker_id)
        if walk is not None and walk.booking_id == booking_id:
            del self._walks[worker_id]

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class RedisActiveWalks:
    def __init__(self, redis: Redis, key_prefix: str) -> None:
        # Any: redis-py's command stubs type every reply as "Awaitable | value" for sync and async alike.
        self.redis: Any = redis
        self.key = f"{key_prefix}walks"
        self.channel = f"{key_prefix}walks:changed"
        self._local: dict[str, ActiveWalk] = {}
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None

    def get(self, worker_id: str) -> ActiveWalk | None:
        return self._local.get(worker_id)

    async def put(self, walk: ActiveWalk) -> None:
        self._local[walk.worker_id] = walk
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.key, walk.worker_id, _dump(walk))
            pipe.publish(self.channel, walk.worker_id)
            await pipe.execute()

    async def remove(self, worker_id: str, booking_id: str) -> None:
        current = await self.redis.hget(self.key, worker_id)
        if current is not None and _load(current).booking_id == booking_id:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hdel(self.key, worker_id)
                pipe.publish(self.channel, worker_id)
                await pipe.execute()
        walk = self._local.get(worker_id)
        if walk is not None and walk.booking_id == booking_id:
            del self._local[worker_id]

    async def start(self) -> None:
        # Never blocks start-up: with Redis away the app still starts (readiness reports it) and the
        # cache fills once Redis answers.
        self._listener = asyncio.create_task(self._follow())

    async def _follow(self) -> None:
        """Keep the local copy in step with Redis, reconnecting with backoff after failures."""
        delay = RECONNECT_MIN_S
        while True:
            try:
                pubsub = self.redis.pubsub()
                self._pubsub = pubsub
                # Subscribe before loading, so a change between the two is not lost.
                await pubsub.subscribe(self.channel)
                stored = await self.redis.hgetall(self.key)
                self._local = {worker_id.decode(): _load(raw) for worker_id, raw in stored.items()}
                delay = RECONNECT_MIN_S
                await self._listen(pubsub)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("active walks lost Redis; retrying", retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_S)

    async def _listen(self, pubsub: Any) -> None:
        async for message in pubsub.listen():
            if message.get("type") != "message":
                continue
            worker_id = message["data"].decode()
            raw = await self.redis.hget(self.key, worker_id)
            if raw is None:
                self._local.pop(worker_id, None)
            else:
                self._local[worker_id] = _load(raw)

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._pubsub is not None:
            await self._pubsub.aclose()
