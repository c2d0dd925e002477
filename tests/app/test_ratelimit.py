"""Leased counting of the approximate limits: a busy key costs a storage round trip per lease, no hit is
let through uncounted (across processes too), and leases forfeit and refusals expire on time."""

from __future__ import annotations

import asyncio

import pytest

from app.errors import RateLimited
from app.ratelimit import LEASE_S, LEASE_SHARE, RateLimiter
from tests.support.clocks import MovableClock


def counting(limiter: RateLimiter) -> list[int]:
    """The cost of every storage hit the limiter makes from now on."""
    costs: list[int] = []
    strategy = limiter._approximate
    original = strategy.hit

    async def hit(item: object, *identifiers: str, cost: int = 1) -> bool:
        costs.append(cost)
        return await original(item, *identifiers, cost=cost)  # type: ignore[arg-type]

    strategy.hit = hit  # type: ignore[method-assign]
    return costs


async def admitted(limiter: RateLimiter, rate: str, hits: int, key: str = "k") -> int:
    passed = 0
    for _ in range(hits):
        try:
            await limiter.hit(rate, "api", key, exact=False)
        except RateLimited:
            continue
        passed += 1
    return passed


async def remaining(limiter: RateLimiter, rate: str, key: str = "k") -> int:
    stats = await limiter._approximate.get_window_stats(limiter._item(rate), "api", key)
    return int(stats.remaining)


async def test_a_busy_key_is_counted_a_lease_at_a_time() -> None:
    limiter = RateLimiter(None, now=MovableClock().monotonic)
    costs = counting(limiter)
    assert await admitted(limiter, "1000/year", 200) == 200
    # Leases of 1, 2, 4, ... up to a twentieth of the limit: far fewer round trips than hits.
    assert costs[:4] == [1, 2, 4, 8]
    assert max(costs) == 1000 // LEASE_SHARE
    assert len(costs) < 20
    counted = 1000 - await remaining(limiter, "1000/year")
    assert 200 <= counted == sum(costs) < 200 + 1000 // LEASE_SHARE


async def test_the_limit_holds_exactly_for_one_process() -> None:
    limiter = RateLimiter(None, now=MovableClock().monotonic)
    assert await admitted(limiter, "30/year", 100) == 30
    with pytest.raises(RateLimited) as refused:
        await limiter.hit("30/year", "api", "k", exact=False)
    assert refused.value.retry_after_s >= 1
    # Other keys have their own allowance.
    assert await admitted(limiter, "30/year", 5, key="other") == 5


async def test_two_processes_never_let_more_than_the_limit_through(redis_url: str) -> None:
    now = MovableClock().monotonic
    prefix = "walky:test-leases:"
    first, second = RateLimiter(redis_url, prefix, now=now), RateLimiter(redis_url, prefix, now=now)
    try:
        passed = 0
        for _ in range(60):
            passed += await admitted(first, "200/year", 3) + await admitted(second, "200/year", 2)
        assert await remaining(first, "200/year") == 0
        # Every admitted hit was counted before it passed; unspent leases (at most one each) are forfeited.
        assert 200 - 2 * (200 // LEASE_SHARE) <= passed <= 200
    finally:
        await first.storage.reset()


async def test_concurrent_hits_of_one_key_are_each_counted() -> None:
    limiter = RateLimiter(None, now=MovableClock().monotonic)
    results = await asyncio.gather(
        *(limiter.hit("50/year", "api", "k", exact=False) for _ in range(80)), return_exceptions=True
    )
    assert sum(result is None for result in results) <= 50
    assert all(result is None or isinstance(result, RateLimited) for result in results)
    assert await remaining(limiter, "50/year") == 0


async def test_an_unspent_lease_is_forfeited_and_the_next_sized_by_use() -> None:
    clock = MovableClock()
    limiter = RateLimiter(None, now=clock.monotonic)
    costs = counting(limiter)
    assert await admitted(limiter, "1000/year", 8) == 8  # leases 1, 2, 4, 8: 7 used, 7 left
    clock.advance(LEASE_S + 0.1)
    assert await admitted(limiter, "1000/year", 1) == 1
    # The expired lease's 7 unspent hits stay counted; the next lease is what the key used of the last.
    assert costs == [1, 2, 4, 8, 1]
    assert 1000 - await remaining(limiter, "1000/year") == 16


async def test_a_refusal_is_remembered_for_at_most_a_lease() -> None:
    clock = MovableClock()
    limiter = RateLimiter(None, now=clock.monotonic)
    costs = counting(limiter)
    assert await admitted(limiter, "3/year", 3) == 3
    calls = len(costs)
    assert await admitted(limiter, "3/year", 50) == 0
    # The first refusal asked storage (a lease, then one hit); the flood after it did not.
    assert len(costs) == calls + 1
    clock.advance(LEASE_S + 0.1)
    assert await admitted(limiter, "3/year", 1) == 0
    assert len(costs) == calls + 2
