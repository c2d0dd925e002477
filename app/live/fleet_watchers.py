"""How many dispatcher sockets watch each business's fleet, across every process.

Most businesses have nobody watching the map most of the day; knowing that locally lets the fix hot
path skip building and publishing `fleet:location` events nobody would receive.
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol

from redis.asyncio import Redis

from app.live.redis_mirror import RedisMirror


class FleetWatchers(Protocol):
    def watched(self, business_id: str) -> bool: ...

    async def add(self, business_id: str) -> None: ...

    async def remove(self, business_id: str) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class MemoryFleetWatchers:
    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def watched(self, business_id: str) -> bool:
        return self._counts[business_id] > 0

    async def add(self, business_id: str) -> None:
        self._counts[business_id] += 1

    async def remove(self, business_id: str) -> None:
        self._counts[business_id] -= 1
        if self._counts[business_id] <= 0:
            del self._counts[business_id]

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class RedisFleetWatchers:
    """Counts in a mirrored Redis hash. A process that dies without unsubscribing leaves its counts
    behind: those fleets keep receiving events nobody reads, which costs work but loses nothing."""

    def __init__(self, redis: Redis, key_prefix: str) -> None:
        self.mirror = RedisMirror(redis, f"{key_prefix}fleet:watchers")

    def watched(self, business_id: str) -> bool:
        raw = self.mirror.get(business_id)
        return raw is not None and int(raw) > 0

    async def add(self, business_id: str) -> None:
        await self.mirror.incr(business_id, 1)

    async def remove(self, business_id: str) -> None:
        await self.mirror.incr(business_id, -1)

    async def start(self) -> None:
        await self.mirror.start()

    async def stop(self) -> None:
        await self.mirror.stop()
