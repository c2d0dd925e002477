"""Live walk tracking: trail durability, tracking:location fan-out, geofence, the tracking route."""

from __future__ import annotations

import time

import httpx
import pytest

from app.composition import Services
from app.events import booking_room
from app.usecases.live.fix_inputs import FixInput
from app.usecases.live.ingestion import ingest
from geo import LngLat, haversine_m
from tests.app.bookings_world import PICKUP, World, build_world
from tests.app.marketplace import owner
from tests.support.recorders import EventRecorder

# 0.00205 degrees of longitude is about 150 m at this latitude.
EAST_150M = [PICKUP[0] + 0.00205, PICKUP[1]]
# East to EAST_150M, then about 150 m north (0.00135 degrees of latitude), a fix about every 37 m.
L_WALK = [[PICKUP[0] + 0.0005125 * k, PICKUP[1]] for k in (1, 2, 3, 4)] + [
    [EAST_150M[0], PICKUP[1] + 0.0003375 * k] for k in (1, 2, 3, 4)
]


async def walk_east_then_north(services: Services, worker: dict[str, str]) -> None:
    """Send the walk as one `location:batch` (oldest first), as a phone flushing its buffer would."""
    principal = services.access_tokens.verify(worker["Authorization"].removeprefix("Bearer "))
    now_ms = int(time.time() * 1000)
    fixes = [
        FixInput.model_validate({"coordinates": point, "timestamp": now_ms - (80 - 10 * i) * 1000})
        for i, point in enumerate(L_WALK)
    ]
    result = await ingest(services, principal, fixes)
    assert result == len(L_WALK)


@pytest.fixture
async def walking(
    client: httpx.AsyncClient, services: Services
) -> tuple[World, str, str, dict[str, str], EventRecorder]:
    world = await build_world(client)
    worker_id, worker = await world.add_worker("tracker@example.com")
    booking_id = (await world.book(hours_ahead=0.5)).json()["data"]["id"]
    await client.post(
        f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={"workerId": worker_id}
    )
    await client.post(f"/v1/workers/{worker_id}/online", headers=worker)
    await world.send_fix(worker, worker_id, PICKUP, seconds_ago=100)
    recorder = EventRecorder(services.events)
    services.events = recorder
    started = await client.post(f"/v1/bookings/{booking_id}/start", headers=worker)
    assert started.status_code == 200, started.text
    return world, booking_id, worker_id, worker, recorder


async def test_fixes_on_a_walk_are_stored_and_fanned_out(walking, services: Services) -> None:
    world, booking_id, worker_id, worker, recorder = walking
    await world.send_fix(worker, worker_id, EAST_150M, seconds_ago=60)
    trail = await services.store.trails.points(booking_id)
    assert [list(p.position) for p in trail] == [PICKUP, EAST_150M]
    locations = recorder.of("tracking:location")
    assert locations[-1]["bookingId"] == booking_id
    assert locations[-1]["coordinates"] == EAST_150M
    assert 140 < locations[-1]["distanceM"] < 160
    assert any(room == booking_room(booking_id) for name, _, room in recorder.sent if name == "tracking:location")
    assert recorder.of("geofence:departed") == [
        {"bookingId": booking_id, "at": recorder.of("geofence:departed")[0]["at"]}
    ]
    await world.send_fix(worker, worker_id, PICKUP, seconds_ago=1)
    assert len(recorder.of("geofence:arrived")) == 1


async def test_tracking_route_shows_trail_and_is_private(
    walking, client: httpx.AsyncClient, services: Services
) -> None:
    world, booking_id, _worker_id, worker, _ = walking
    await walk_east_then_north(services, worker)
    response = await client.get(f"/v1/bookings/{booking_id}/tracking", headers=world.owner_headers)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["status"] == "in_progress"
    assert data["trail"]["type"] == "LineString" and data["trail"]["coordinates"] == [PICKUP, *L_WALK]
    assert data["last"]["coordinates"] == L_WALK[-1]
    assert 280 < data["distanceM"] < 320
    stranger, _ = await owner(client, "nosy@example.com")
    assert (await client.get(f"/v1/bookings/{booking_id}/tracking", headers=stranger)).status_code == 404
    assert (await client.get(f"/v1/bookings/{booking_id}/tracking", headers=world.business_headers)).status_code == 200


async def test_walk_report_and_no_tracking_after_finish(walking, client: httpx.AsyncClient, services: Services) -> None:
    world, booking_id, worker_id, worker, recorder = walking
    await walk_east_then_north(services, worker)
    completed = await client.post(f"/v1/bookings/{booking_id}/complete", headers=worker)
    walk = completed.json()["data"]["walk"]
    assert 280 < walk["distanceM"] < 320
    # The route starts where the walk's first leg (a line fitted through its first fixes) puts the first fix.
    assert haversine_m(LngLat(*walk["route"]["coordinates"][0]), LngLat(*PICKUP)) < 10
    assert services.active_walks.get(worker_id) is None
    before = len(recorder.of("tracking:location"))
    await world.send_fix(worker, worker_id, PICKUP, seconds_ago=0)
    assert len(recorder.of("tracking:location")) == before


async def test_tracking_before_the_walk_is_a_conflict(client: httpx.AsyncClient) -> None:
    world = await build_world(client)
    booking_id = (await world.book()).json()["data"]["id"]
    response = await client.get(f"/v1/bookings/{booking_id}/tracking", headers=world.owner_headers)
    assert response.status_code == 409


async def test_active_walks_replicate_through_redis(redis_url: str) -> None:
    from redis.asyncio import Redis

    from app.live.active_walks import ActiveWalk
    from app.live.redis_active_walks import RedisActiveWalks
    from geo.coordinates import LngLat

    a_client, b_client = Redis.from_url(redis_url), Redis.from_url(redis_url)
    a, b = RedisActiveWalks(a_client, "t:"), RedisActiveWalks(b_client, "t:")
    await a.start()
    await b.start()
    try:
        await a.put(ActiveWalk("b1", "w1", LngLat(2.35, 48.85), True))
        import asyncio

        for _ in range(100):
            if b.get("w1") is not None:
                break
            await asyncio.sleep(0.01)
        assert b.get("w1") == ActiveWalk("b1", "w1", LngLat(2.35, 48.85), True)
        await b.remove("w1", "other-booking")
        assert a.get("w1") is not None
        await b.remove("w1", "b1")
        for _ in range(100):
            if a.get("w1") is None:
                break
            await asyncio.sleep(0.01)
        assert a.get("w1") is None
        late = RedisActiveWalks(Redis.from_url(redis_url), "t:")
        await a.put(ActiveWalk("b2", "w2", LngLat(0, 0), False))
        await late.start()
        for _ in range(100):
            if late.get("w2") is not None:
                break
            await asyncio.sleep(0.01)
        assert late.get("w2") == ActiveWalk("b2", "w2", LngLat(0, 0), False)
        await late.stop()
    finally:
        await a.stop()
        await b.stop()
        await a_client.aclose()
        await b_client.aclose()
