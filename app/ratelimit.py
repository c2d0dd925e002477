"""Rate limits with the `limits` library: Redis storage when configured (shared by every process),
memory otherwise."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter
from limits.aio.strategies import RateLimiter as Strategy

from app.errors import RateLimited


class RateLimiter:
    def __init__(self, redis_url: str | None, key_prefix: str = "walky:") -> None:
        storage: Storage
        if redis_url:
            storage = RedisStorage(redis_url, implementation="redispy", key_prefix=f"{key_prefix}limits")
        else:
            storage = MemoryStorage()
        self.storage = storage
        self._exact = MovingWindowRateLimiter(storage)
        # Two counters per key whatever the rate (the moving window keeps every hit): for high, busy limits.
        self._approximate = SlidingWindowCounterRateLimiter(storage)
        self._items: dict[str, RateLimitItem] = {}

    def _item(self, rate: str) -> RateLimitItem:
        item = self._items.get(rate)
        if item is None:
            item = self._items[rate] = parse(rate)
        return item

    async def hit(self, rate: str, *identifiers: str, exact: bool = True) -> None:
        """Count one hit; raise RateLimited (with the wait in seconds) when over the limit.

        `exact=False` weighs the previous window's count instead of remembering each hit.
        """
        item = self._item(rate)
        limiter: Strategy = self._exact if exact else self._approximate
        if await limiter.hit(item, *identifiers):
            return
        stats = await limiter.get_window_stats(item, *identifiers)
        raise RateLimited("too many requests", retry_after_s=math.ceil(stats.reset_time - time.time()))
