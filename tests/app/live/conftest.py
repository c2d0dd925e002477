"""Fixtures of the live index's contract suite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from app.live.live_index import LiveIndex
from app.live.memory_live_index import MemoryLiveIndex
from app.live.redis_live_index import RedisLiveIndex


@pytest.fixture(params=["memory", "redis"])
async def index(request: pytest.FixtureRequest) -> AsyncIterator[LiveIndex]:
    """Every live-index adapter in turn: memory, and Redis on the session's server, flushed first."""
    if request.param == "memory":
        yield MemoryLiveIndex()
        return
    # The session's server, flushed here: the async `redis_url` fixture cannot be requested lazily.
    redis = Redis.from_url(request.getfixturevalue("redis_server_url"))
    await redis.flushall()
    adapter = RedisLiveIndex(redis, "test:")
    yield adapter
    await adapter.close()
    await redis.aclose()
