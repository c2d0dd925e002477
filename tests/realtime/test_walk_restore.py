"""The active-walk table is rebuilt from the store: after a restart (both modes) and after Redis comes
back empty (Redis mode), fixes of a walk begun before keep reaching its trail."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.auth.principal import Principal
from app.composition import Services, build_services
from app.domain.users import Role
from app.errors import Unavailable
from app.live.active_walks import ActiveWalk
from app.service import create_app, services_of
from app.settings import Settings
from app.usecases.live.fix_inputs import FixInput
from app.usecases.live.ingestion import ingest
from geo.coordinates import LngLat
from tests.app.bookings_world import PICKUP
from tests.faults.walking import Walk, begin_walk
from tests.support.asgi import http_client, lifespan
from tests.support.redis_server import RedisProcess, redis_process

EAST_150M = [PICKUP[0] + 0.00205, PICKUP[1]]


@pytest.fixture(scope="module")
def restartable_redis() -> Iterator[RedisProcess]:
    # A server of this module's own: the tests stop and restart it.
    with redis_process() as server:
        yield server


@pytest.fixture(params=["embedded", "redis"])
def mode_settings(request: pytest.FixtureRequest, tmp_path: Path, restartable_redis: RedisProcess) -> Settings:
    redis_url = restartable_redis.url if request.param == "redis" else None
    return Settings(data_dir=tmp_path / "data", redis_url=redis_url, _env_file=None)


async def fix(services: Services, token: str, coordinates: list[float], *, seconds_ago: float) -> int:
    principal = services.access_tokens.verify(token)
    timestamp = int((time.time() - seconds_ago) * 1000)
    return await ingest(
        services, principal, [FixInput.model_validate({"coordinates": coordinates, "timestamp": timestamp})]
    )


@pytest.fixture
async def walk_before_restart(mode_settings: Settings) -> AsyncIterator[Walk]:
    if mode_settings.redis_url:
        # The module's Redis is shared by its tests: start clean.
        redis = Redis.from_url(mode_settings.redis_url)
        await redis.flushall()
        await redis.aclose()
    app = create_app(mode_settings)
    async with lifespan(app), http_client(app) as client:
        yield await begin_walk(client)


async def test_a_restarted_process_keeps_recording_a_walk_in_progress(
    walk_before_restart: Walk, mode_settings: Settings
) -> None:
    walk = walk_before_restart
    # What a restarted process sees: a fresh app on the same store.
    app = create_app(mode_settings)
    async with lifespan(app):
        services = services_of(app)
        expected = ActiveWalk(walk.booking_id, walk.worker_id, LngLat(*PICKUP), inside=True)
        assert services.active_walks.get(walk.worker_id) == expected
        assert await fix(services, walk.worker_token, EAST_150M, seconds_ago=10) == 1
        trail = await services.store.trails.points(walk.booking_id)
        assert trail[-1].position == LngLat(*EAST_150M)


async def test_walks_lost_by_a_restarted_redis_are_restored(tmp_path: Path, restartable_redis: RedisProcess) -> None:
    settings = Settings(data_dir=tmp_path / "data", redis_url=restartable_redis.url, _env_file=None)
    app = create_app(settings)
    async with lifespan(app), http_client(app) as client:
        services = services_of(app)
        walk = await begin_walk(client)
        restartable_redis.stop()
        restartable_redis.start()
        redis = Redis.from_url(restartable_redis.url)
        # The mirror reloads once Redis answers and puts back what the store says is in progress.
        deadline = time.monotonic() + 5
        while not await redis.hexists(f"{settings.redis_key_prefix}walks", walk.worker_id):
            assert time.monotonic() < deadline, "the walk was not restored into Redis"
            await asyncio.sleep(0.05)
        await redis.aclose()
        expected = ActiveWalk(walk.booking_id, walk.worker_id, LngLat(*PICKUP), inside=True)
        assert services.active_walks.get(walk.worker_id) == expected
        accepted = 0
        while not accepted:
            # The first events after the restart may still meet the old connections.
            assert time.monotonic() < deadline, "fixes were not accepted again"
            try:
                accepted = await fix(services, walk.worker_token, EAST_150M, seconds_ago=10)
            except RedisError:
                await asyncio.sleep(0.05)
        trail = await services.store.trails.points(walk.booking_id)
        assert trail[-1].position == LngLat(*EAST_150M)


async def test_fixes_are_unavailable_until_the_walk_table_is_loaded(
    tmp_path: Path, restartable_redis: RedisProcess
) -> None:
    principal = Principal("u1", Role.WORKER, "b1", "w1")
    point = FixInput(coordinates=LngLat(*PICKUP), timestamp=int(time.time() * 1000))
    restartable_redis.stop()
    try:
        # Redis away at start: the process starts (readiness says why it is not ready) without its table.
        services = build_services(Settings(data_dir=tmp_path / "data", redis_url=restartable_redis.url, _env_file=None))
        await services.start()
        assert not services.active_walks.loaded
        with pytest.raises(Unavailable):
            await ingest(services, principal, [point])
    finally:
        restartable_redis.start()
    deadline = time.monotonic() + 5
    while not services.active_walks.loaded:
        assert time.monotonic() < deadline, "the walk table was not loaded once Redis answered"
        await asyncio.sleep(0.05)
    assert await ingest(services, principal, [point]) == 1
    await services.close()
