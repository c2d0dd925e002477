"""Nearby search in depth: the index against a brute-force answer over a mixed fleet (stale, unavailable-by-
business and far workers among them, never swept), and how the Redis script is asked."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from redis.asyncio import Redis

from app.domain.fixes import LiveFix
from app.live.live_index import STALE_AFTER_MS, LiveIndex
from app.live.redis_live_index import START_RADIUS_SHARE, RedisLiveIndex
from app.live.redis_live_scripts import Script
from geo.coordinates import LngLat
from geo.distance import destination, haversine_m

NOW = 1_800_000_000_000
CENTER = LngLat(2.35, 48.85)


class Fleet:
    def __init__(self) -> None:
        # worker id -> (position, business, last seen)
        self.workers: dict[str, tuple[LngLat, str, int]] = {}

    async def add(self, index: LiveIndex, worker_id: str, position: LngLat, business: str, seen: int) -> None:
        await index.set_presence(worker_id, business, online=True, available=True)
        await index.record_fix(worker_id, business, LiveFix(position, seen, 5.0), seen)
        self.workers[worker_id] = (position, business, seen)

    def nearest(self, center: LngLat, radius_m: float, limit: int, businesses: set[str] | None) -> list[str]:
        inside = [
            (haversine_m(center, position), worker_id)
            for worker_id, (position, business, seen) in self.workers.items()
            if seen >= NOW - STALE_AFTER_MS
            and (businesses is None or business in businesses)
            and haversine_m(center, position) <= radius_m
        ]
        return [worker_id for _, worker_id in sorted(inside)[:limit]]


async def mixed_fleet(index: LiveIndex) -> Fleet:
    """A dense core (~300 walkers within 600 m), a sparse ring out to 8 km; one in six stale (still in the
    index: nothing sweeps here), three businesses."""
    rng = random.Random(17)
    fleet = Fleet()
    for i in range(420):
        distance = rng.uniform(0, 600) if i < 300 else rng.uniform(600, 8000)
        position = destination(CENTER, rng.uniform(0, 360), distance)
        seen = NOW - STALE_AFTER_MS - rng.randint(1, 60_000) if i % 6 == 0 else NOW - rng.randint(0, 60_000)
        await fleet.add(index, f"w{i:03d}", position, f"b{i % 3}", seen)
    return fleet


async def test_nearby_matches_a_brute_force_search_and_never_answers_stale_workers(index: LiveIndex) -> None:
    fleet = await mixed_fleet(index)
    stale = {worker_id for worker_id, (_, _, seen) in fleet.workers.items() if seen < NOW - STALE_AFTER_MS}
    rng = random.Random(3)
    for _ in range(25):
        center = destination(CENTER, rng.uniform(0, 360), rng.uniform(0, 5000))
        for radius in (150.0, 800.0, 3000.0, 20_000.0):
            for limit in (1, 7, 25):
                for businesses in (None, {"b1"}, {"b0", "b2"}):
                    hits = await index.nearby(center, radius, limit=limit, now_ms=NOW, business_ids=businesses)
                    found = [hit.worker_id for hit in hits]
                    assert found == fleet.nearest(center, radius, limit, businesses), (center, radius, limit)
                    assert not stale & set(found)
                    assert all(hit.last_seen_ms >= NOW - STALE_AFTER_MS for hit in hits)


async def test_the_script_asks_for_limit_candidates_from_a_small_first_circle(
    redis_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    redis = Redis.from_url(redis_server_url)
    await redis.flushall()
    index = RedisLiveIndex(redis, "test:")
    fleet = await mixed_fleet(index)
    calls: list[list[Any]] = []
    run = index._run

    async def spy(script: Any, keys: Any, args: Any) -> Any:
        if script is Script.NEARBY:
            calls.append(list(args))
        return await run(script, keys, args)

    monkeypatch.setattr(index, "_run", spy)
    try:
        hits = await index.nearby(CENTER, 2000, limit=20, now_ms=NOW)
        assert [hit.worker_id for hit in hits] == fleet.nearest(CENTER, 2000, 20, None)
        [args] = calls
        search_radius, count, script_limit, start_radius = float(args[2]), args[3], args[4], float(args[6])
        assert count == script_limit == 20
        # In whole metres, rounded up: never narrower than asked.
        assert search_radius == math.ceil(2000 * 1.001 + 1)
        assert start_radius == math.ceil((2000 * 1.001 + 1) * START_RADIUS_SHARE)
    finally:
        await index.close()
        await redis.aclose()


async def test_a_sparse_area_widens_until_the_page_is_full_or_the_radius_is_reached(index: LiveIndex) -> None:
    fleet = Fleet()
    # Three walkers far apart: the first circles hold none of them.
    for i, distance in enumerate((1500.0, 4000.0, 9000.0)):
        await fleet.add(index, f"far{i}", destination(CENTER, 45, distance), "b1", NOW)
    assert [hit.worker_id for hit in await index.nearby(CENTER, 10_000, limit=2, now_ms=NOW)] == ["far0", "far1"]
    assert [hit.worker_id for hit in await index.nearby(CENTER, 10_000, limit=5, now_ms=NOW)] == [
        "far0",
        "far1",
        "far2",
    ]
    assert await index.nearby(CENTER, 1000, limit=5, now_ms=NOW) == []
