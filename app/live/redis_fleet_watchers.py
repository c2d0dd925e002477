"""Fleet watcher counts in a mirrored Redis hash (app/live/redis_mirror.py), shared by every process."""

from __future__ import annotations

from redis.asyncio import Redis

from app.live.redis_mirror import RedisMirror


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
