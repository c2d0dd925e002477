"""The sweeper task takes silent workers out of the index, and the app runs it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from redis.asyncio import Redis

from app.composition import Services
from app.domain.fixes import LiveFix
from app.live.live_index import STALE_AFTER_MS
from app.live.redis_live_index import RedisLiveIndex
from app.usecases.live.presence import PresenceTracker
from app.usecases.live.sweeper import Sweeper
from geo.coordinates import LngLat
from tests.support.clocks import MovableClock

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)


async def test_sweeper_task_removes_stale_workers(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    index = RedisLiveIndex(redis, "s:")
    for worker_id, ts in (("stale", NOW_MS - STALE_AFTER_MS - 1), ("fresh", NOW_MS - 1000)):
        await index.set_presence(worker_id, "b1", online=True, available=True)
        await index.record_fix(worker_id, "b1", LiveFix(LngLat(0, 0), ts, None), ts)
    sweeper = Sweeper(index, MovableClock(NOW), interval_s=0.02)
    await sweeper.start()
    try:
        for _ in range(100):
            if await redis.zscore("s:live:geo", "stale") is None:
                break
            await asyncio.sleep(0.02)
    finally:
        await sweeper.stop()
    assert await redis.zscore("s:live:geo", "stale") is None
    assert await redis.zscore("s:live:seen", "stale") is None
    assert await redis.zscore("s:live:geo", "fresh") is not None
    # The worker's state (and last fix, for ordering) survives the sweep.
    state = await index.worker("stale")
    assert state is not None and state.online and state.last_fix is not None
    await index.close()
    await redis.aclose()


async def test_sweeper_survives_a_failing_sweep() -> None:
    calls = 0

    class Flaky:
        async def sweep(self, now_ms: int) -> int:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise ConnectionError("redis away")
            return 0

    sweeper = Sweeper(Flaky(), MovableClock(NOW), interval_s=0.01)  # type: ignore[arg-type]
    await sweeper.start()
    for _ in range(100):
        if calls >= 3:
            break
        await asyncio.sleep(0.01)
    await sweeper.stop()
    assert calls >= 3


def test_the_app_runs_the_sweeper_and_presence_tracker(services: Services) -> None:
    kinds = {type(task) for task in services.background}
    assert {Sweeper, PresenceTracker} <= kinds
