"""Live-location index in Redis GEO sets, shared by every server process."""

from __future__ import annotations

from redis.asyncio import Redis


class RedisLiveIndex:
    def __init__(self, redis: Redis, key_prefix: str = "walky:") -> None:
        self.redis = redis
        self.prefix = key_prefix

    async def ping(self) -> None:
        await self.redis.ping()

    async def close(self) -> None:
        return None
