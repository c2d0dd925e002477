"""Rate limits with the `limits` library: Redis storage when configured (shared by every process),
memory otherwise."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter

from app.errors import RateLimited

# A lease of hits lasts this long; what it has not spent by then is forfeited (still counted).
LEASE_S = 1.0
# A lease takes at most this share of the limit, so forfeited hits cost a client little of its allowance.
LEASE_SHARE = 20
# Keys with a lease remembered per process; the oldest is forgotten first (its unspent hits forfeited).
MAX_LEASES = 10_000


@dataclass(slots=True)
class _Lease:
    left: int = 0  # hits already counted in storage and not yet spent
    size: int = 0  # hits taken by the last lease
    expires: float = 0.0
    refused_until: float = 0.0
    retry_after_s: int = 1


class RateLimiter:
    def __init__(
        self, redis_url: str | None, key_prefix: str = "walky:", *, now: Callable[[], float] = time.monotonic
    ) -> None:
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
        # Keyed by the rate's text and the identifiers: a tuple of strings hashes in C, where the library's
        # `key_for` escapes and joins every part in Python, on every request of every API client.
        self._leases: OrderedDict[tuple[str, tuple[str, ...]], _Lease] = OrderedDict()
        self._now = now

    def _item(self, rate: str) -> RateLimitItem:
        item = self._items.get(rate)
        if item is None:
            item = self._items[rate] = parse(rate)
        return item

    async def hit(self, rate: str, *identifiers: str, exact: bool = True) -> None:
        """Count one hit; raise RateLimited (with the wait in seconds) when over the limit.

        `exact=False` weighs the previous window's count instead of remembering each hit, and counts a busy
        key's hits in storage ahead, a lease at a time (see `_leased`).
        """
        item = self._item(rate)
        if not exact:
            await self._leased(rate, item, identifiers)
            return
        if await self._exact.hit(item, *identifiers):
            return
        raise RateLimited("too many requests", retry_after_s=await self._retry_after(self._exact, item, identifiers))

    async def _leased(self, rate: str, item: RateLimitItem, identifiers: tuple[str, ...]) -> None:
        """A hit spent from the key's lease of hits already counted in storage, or counted with a new lease.

        A busy key costs a storage round trip per lease instead of per hit. No hit is ever let through
        uncounted: every lease is counted before its first hit, so across processes the limit still holds;
        the error is only the other way, up to one forfeited lease per process and LEASE_S. A lease doubles
        while a key spends it all within LEASE_S and falls back to what the key used; a lease the limit
        cannot grant falls back to one hit. A refusal is remembered up to LEASE_S: a flood is refused
        without a round trip.
        """
        key = (rate, identifiers)
        now = self._now()
        lease = self._leases.get(key)
        if lease is not None:
            self._leases.move_to_end(key)
            if now < lease.refused_until:
                raise RateLimited("too many requests", retry_after_s=lease.retry_after_s)
            if lease.left and now < lease.expires:
                lease.left -= 1
                return
        else:
            lease = self._leases[key] = _Lease()
            if len(self._leases) > MAX_LEASES:
                self._leases.popitem(last=False)
        if lease.size == 0:
            size = 1
        elif now < lease.expires:
            size = lease.size * 2  # spent within its time: the key is busy
        else:
            size = max(1, lease.size - lease.left)  # what the key used of its last lease
            lease.left = 0
        size = min(size, max(1, item.amount // LEASE_SHARE))
        granted = await self._approximate.hit(item, *identifiers, cost=size)
        if not granted and size > 1:
            size = 1
            granted = await self._approximate.hit(item, *identifiers, cost=1)
        if not granted:
            retry_after_s = await self._retry_after(self._approximate, item, identifiers)
            lease.left, lease.size = 0, 1
            lease.refused_until = now + min(LEASE_S, retry_after_s)
            lease.retry_after_s = retry_after_s
            raise RateLimited("too many requests", retry_after_s=retry_after_s)
        # Added, not set: another request of the key may have been granted a lease meanwhile.
        lease.left += size - 1
        lease.size, lease.expires = size, now + LEASE_S

    @staticmethod
    async def _retry_after(
        limiter: MovingWindowRateLimiter | SlidingWindowCounterRateLimiter,
        item: RateLimitItem,
        identifiers: tuple[str, ...],
    ) -> int:
        stats = await limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))
