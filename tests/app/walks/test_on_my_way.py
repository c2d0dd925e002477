"""On my way: the owners follow the walker to the door with an ETA, and hear that they arrived."""

from __future__ import annotations

import httpx
import pytest

from app.composition import Services
from app.events import booking_room, user_room
from app.live.active_walks import ActiveWalk
from app.usecases.live.walk_tracker import WalkTracker
from geo.coordinates import LngLat
from tests.app.bookings_world import PICKUP, build_world
from tests.app.marketplace import error_code, owner
from tests.app.walks.walk_world import WalkWorld, east, walk_world


@pytest.fixture
async def ww(client: httpx.AsyncClient, services: Services) -> WalkWorld:
    return await walk_world(client, services)


async def test_nothing_is_shown_before_the_worker_sets_off(ww: WalkWorld) -> None:
    await ww.fix(east(500), seconds_ago=90)
    assert ww.recorder.of("tracking:location") == []
    assert error_code(await ww.get("/tracking", ww.world.owner_headers)) == "CONFLICT"


async def test_on_my_way_announces_and_streams_with_distance_and_eta(ww: WalkWorld, services: Services) -> None:
    response = await ww.post("/on-my-way", ww.worker)
    assert response.status_code == 200, response.text
    booking = response.json()["data"]
    assert booking["status"] == "confirmed" and booking["onMyWayAt"] is not None
    statuses = ww.recorder.of("booking:status")
    assert statuses[-1]["status"] == "on_my_way"
    assert booking_room(ww.booking_id) in ww.recorder.rooms("booking:status")
    assert user_room(ww.world.owner_id) in ww.recorder.rooms("booking:status")

    # 500 m out, then 400 m out ten seconds later: 10 m/s, so about 40 s to go.
    await ww.fix(east(500), seconds_ago=30)
    first = ww.recorder.of("tracking:location")[-1]
    assert first["bookingId"] == ww.booking_id and 490 < first["distanceM"] < 510
    # No speed yet: walking pace.
    assert 490 <= first["etaS"] <= 510
    await ww.fix(east(400), seconds_ago=20)
    second = ww.recorder.of("tracking:location")[-1]
    assert 390 < second["distanceM"] < 410
    assert 35 <= second["etaS"] <= 45
    # The approach is not the walk.
    assert await services.store.trails.points(ww.booking_id) == []

    tracking = (await ww.get("/tracking", ww.world.owner_headers)).json()["data"]
    assert tracking["status"] == "on_my_way" and tracking["last"]["coordinates"] == east(400)
    assert tracking["trail"]["coordinates"] == []


async def test_saying_on_my_way_twice_answers_the_same_booking(ww: WalkWorld) -> None:
    first = (await ww.post("/on-my-way", ww.worker)).json()["data"]
    again = await ww.post("/on-my-way", ww.worker)
    assert again.status_code == 200 and again.json()["data"]["onMyWayAt"] == first["onMyWayAt"]
    to_room = [
        d for name, d, room in ww.recorder.sent if name == "booking:status" and room == booking_room(ww.booking_id)
    ]
    assert [d["status"] for d in to_room].count("on_my_way") == 1


async def test_arrival_before_the_walk_fires_the_geofence_and_notifies_once(ww: WalkWorld) -> None:
    await ww.post("/on-my-way", ww.worker)
    await ww.fix(east(300), seconds_ago=60)
    await ww.fix(east(20), seconds_ago=40)
    assert [e["bookingId"] for e in ww.recorder.of("geofence:arrived")] == [ww.booking_id]
    await ww.fix(east(80), seconds_ago=30)
    assert len(ww.recorder.of("geofence:departed")) == 1
    await ww.fix(PICKUP, seconds_ago=20)
    assert len(ww.recorder.of("geofence:arrived")) == 2
    notes = (await ww.client.get("/v1/notifications", headers=ww.world.owner_headers)).json()["data"]
    assert [n["type"] for n in notes].count("walk.arrived") == 1
    started = await ww.post("/start", ww.worker)
    assert started.status_code == 200, started.text
    # Inside the fence when the walk starts: no second arrival; the trail starts at the door.
    await ww.fix(east(10), seconds_ago=10)
    assert len(ww.recorder.of("geofence:arrived")) == 2
    assert "etaS" not in ww.recorder.of("tracking:location")[-1]


async def test_only_the_assigned_worker_and_only_when_confirmed(ww: WalkWorld, client: httpx.AsyncClient) -> None:
    # Not a party: the booking does not exist for them. A party without the right: forbidden.
    _, other = await ww.world.add_worker("other@example.com")
    assert error_code(await ww.post("/on-my-way", other)) == "NOT_FOUND"
    stranger, _ = await owner(client, "stranger@example.com")
    assert error_code(await ww.post("/on-my-way", stranger)) == "FORBIDDEN"
    assert error_code(await ww.post("/on-my-way", ww.world.owner_headers)) == "FORBIDDEN"
    assert error_code(await ww.post("/on-my-way", ww.world.business_headers)) == "FORBIDDEN"
    assert error_code(await client.post("/v1/bookings/nope/on-my-way", headers=ww.worker)) == "NOT_FOUND"
    assert (await client.post(f"/v1/bookings/{ww.booking_id}/on-my-way")).status_code == 401
    assert error_code(await ww.post("/on-my-way", ww.worker, {"etaMin": 5})) == "VALIDATION_ERROR"
    await ww.post("/cancel", ww.world.owner_headers, {"reason": "changed plans"})
    assert error_code(await ww.post("/on-my-way", ww.worker)) == "CONFLICT"


async def test_cancelling_stops_the_stream(ww: WalkWorld, services: Services) -> None:
    await ww.post("/on-my-way", ww.worker)
    assert services.active_walks.get(ww.worker_id) is not None
    await ww.post("/cancel", ww.world.owner_headers, {"reason": "changed plans"})
    assert services.active_walks.get(ww.worker_id) is None
    before = len(ww.recorder.of("tracking:location"))
    await ww.fix(east(300), seconds_ago=10)
    assert len(ww.recorder.of("tracking:location")) == before


async def test_an_asap_booking_is_on_the_way_from_assignment(client: httpx.AsyncClient, services: Services) -> None:
    world = await build_world(client)
    worker_id, _ = await world.add_worker("asap@example.com")
    booked = await world.book(scheduledAt=None, asap=True)
    assert booked.status_code == 201, booked.text
    booking_id = booked.json()["data"]["id"]
    confirmed = await client.post(
        f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={"workerId": worker_id}
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["data"]["onMyWayAt"] is not None
    walk = services.active_walks.get(worker_id)
    assert walk is not None and walk.booking_id == booking_id and not walk.walking
    tracking = await client.get(f"/v1/bookings/{booking_id}/tracking", headers=world.owner_headers)
    assert tracking.json()["data"]["status"] == "on_my_way"


async def test_the_table_of_walkers_on_the_way_is_rebuilt_at_start(ww: WalkWorld, services: Services) -> None:
    await ww.post("/on-my-way", ww.worker)
    # What a restarted process loads from the store.
    restored = await WalkTracker(services).walks_in_progress()
    assert restored == [ActiveWalk(ww.booking_id, ww.worker_id, LngLat(*PICKUP), inside=False, walking=False)]
