"""Fleet watcher counts: the fix path skips fleet fan-out for businesses nobody is watching."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from app.domain.users import Role
from app.live.fleet_watchers import FleetWatchers, MemoryFleetWatchers
from app.live.redis_fleet_watchers import RedisFleetWatchers
from tests.realtime.conftest import LiveServer, now_ms, socket_client
from tests.realtime.test_socket_events import fix
from tests.support.recorders import EventRecorder


@pytest.fixture(params=["memory", "redis"])
async def watchers(request: pytest.FixtureRequest) -> AsyncIterator[FleetWatchers]:
    created: FleetWatchers
    if request.param == "memory":
        created = MemoryFleetWatchers()
    else:
        redis = Redis.from_url(request.getfixturevalue("redis_server_url"))
        await redis.flushall()
        created = RedisFleetWatchers(redis, "t:")
    await created.start()
    yield created
    await created.stop()


async def test_counts_across_subscribers(watchers: FleetWatchers) -> None:
    assert not watchers.watched("b1")
    await watchers.add("b1")
    await watchers.add("b1")
    assert watchers.watched("b1") and not watchers.watched("b2")
    await watchers.remove("b1")
    assert watchers.watched("b1")
    await watchers.remove("b1")
    assert not watchers.watched("b1")


async def test_redis_counts_reach_other_processes(redis_url: str) -> None:
    a, b = RedisFleetWatchers(Redis.from_url(redis_url), "t:"), RedisFleetWatchers(Redis.from_url(redis_url), "t:")
    await a.start()
    await b.start()
    try:
        await asyncio.sleep(0.05)
        await a.add("b1")
        for _ in range(100):
            if b.watched("b1"):
                break
            await asyncio.sleep(0.01)
        assert b.watched("b1")
        await b.remove("b1")
        for _ in range(100):
            if not a.watched("b1"):
                break
            await asyncio.sleep(0.01)
        assert not a.watched("b1")
        assert await a.mirror.read_through("b1") is None
    finally:
        await a.stop()
        await b.stop()


async def test_disconnect_releases_the_watch_and_fan_out_stops(live: LiveServer) -> None:
    _, worker_token = await live.add_worker("b1")
    async with socket_client(live.url, worker_token) as worker:
        await worker.call("worker:status", {"online": True}, timeout=5)
        async with socket_client(live.url, live.token(Role.BUSINESS, business_id="b1")) as dispatcher:
            await dispatcher.call("fleet:subscribe", {"businessId": "b1"}, timeout=5)
            await dispatcher.call("fleet:subscribe", {"businessId": "b1"}, timeout=5)
            assert live.services.fleet_watchers.watched("b1")
        for _ in range(100):
            if not live.services.fleet_watchers.watched("b1"):
                break
            await asyncio.sleep(0.01)
        assert not live.services.fleet_watchers.watched("b1")
        recorder = EventRecorder(live.services.events)
        live.services.events = recorder
        ack = await worker.call("location:update", fix(now_ms()), timeout=5)
        assert ack == {"ok": True, "accepted": 1}
        assert "fleet:location" not in recorder.events()
