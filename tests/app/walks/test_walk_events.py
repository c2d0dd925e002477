"""Walk events over REST: stored with time and place, fanned out, refused when malformed or not the walker's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.composition import Services
from app.domain.base import iso
from app.events import booking_room
from geo import LngLat, haversine_m
from tests.app.bookings_world import PICKUP
from tests.app.marketplace import error_code, owner
from tests.app.media.images import jpeg_with_gps
from tests.app.walks.walk_world import WalkWorld, east, walk_world


@pytest.fixture
async def walking(client: httpx.AsyncClient, services: Services) -> WalkWorld:
    ww = await walk_world(client, services)
    await ww.start_walk()
    return ww


async def test_an_event_is_stored_with_time_and_place_and_fanned_out(walking: WalkWorld, services: Services) -> None:
    at = datetime.now(UTC)
    response = await walking.post(
        "/walk-events", walking.worker, {"type": "pee", "coordinates": east(30), "timestamp": at.isoformat()}
    )
    assert response.status_code == 201, response.text
    event = response.json()["data"]
    assert event["type"] == "pee" and event["coordinates"] == east(30)
    assert event["at"] == iso(at)
    fanned = walking.recorder.of("walk:event")
    assert fanned == [{"bookingId": walking.booking_id, **{k: v for k, v in event.items() if k != "bookingId"}}]
    assert walking.recorder.rooms("walk:event") == [booking_room(walking.booking_id)]
    stored = await services.store.walk_events.of_booking(walking.booking_id)
    assert [(e.type.value, e.coordinates) for e in stored] == [("pee", tuple(east(30)))]


async def test_without_coordinates_the_walkers_live_position_is_used(walking: WalkWorld) -> None:
    await walking.fix(east(40), seconds_ago=5)
    response = await walking.post("/walk-events", walking.worker, {"type": "water", "timestamp": 1})
    # Epoch milliseconds are accepted too; 1 ms after 1970 is not within the walk.
    assert error_code(response) == "VALIDATION_ERROR"
    response = await walking.post("/walk-events", walking.worker, {"type": "water"})
    assert response.status_code == 201, response.text
    assert response.json()["data"]["coordinates"] == east(40)


@pytest.mark.parametrize(
    "body",
    [
        {"type": "swim"},
        {"type": "pee", "colour": "yellow"},
        {"type": "pee", "coordinates": [200, 0]},
        {"type": "pee", "coordinates": [2.35]},
        {"type": "note"},
        {"type": "note", "note": "x" * 1001},
        {"type": "photo"},
        {"type": "photo", "photoId": "../etc/passwd"},
        {"type": "pee", "timestamp": "2026-01-01T10:00:00"},
        {"type": "pee", "timestamp": 10**16},
        {"type": "pee", "timestamp": True},
        {"type": "pee", "bookingId": "another"},
    ],
)
async def test_malformed_events_are_refused(walking: WalkWorld, body: dict[str, object]) -> None:
    response = await walking.post("/walk-events", walking.worker, body)
    assert response.status_code == 422, response.text
    assert error_code(response) == "VALIDATION_ERROR"


async def test_an_event_in_the_future_is_refused(walking: WalkWorld) -> None:
    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    assert error_code(await walking.post("/walk-events", walking.worker, {"type": "poo", "timestamp": later})) == (
        "VALIDATION_ERROR"
    )


async def test_only_the_walker_logs_and_only_during_the_walk(walking: WalkWorld, client: httpx.AsyncClient) -> None:
    assert error_code(await walking.post("/walk-events", walking.world.owner_headers, {"type": "pee"})) == "FORBIDDEN"
    stranger, _ = await owner(client, "nosy@example.com")
    assert error_code(await walking.post("/walk-events", stranger, {"type": "pee"})) == "NOT_FOUND"
    assert (
        await client.post(f"/v1/bookings/{walking.booking_id}/walk-events", json={"type": "pee"})
    ).status_code == 401
    await walking.fix(PICKUP, seconds_ago=1)
    assert (await walking.post("/complete", walking.worker)).status_code == 200
    assert error_code(await walking.post("/walk-events", walking.worker, {"type": "pee"})) == "CONFLICT"


async def test_report_card_lists_route_events_and_notes(walking: WalkWorld, client: httpx.AsyncClient) -> None:
    await walking.fix(east(100), seconds_ago=30)
    await walking.fix(east(200), seconds_ago=20)
    await walking.post("/walk-events", walking.worker, {"type": "poo", "coordinates": east(150)})
    await walking.post("/walk-events", walking.worker, {"type": "note", "note": "Rex met a cat."})
    uploaded = await client.post(
        f"/v1/bookings/{walking.booking_id}/photos",
        headers=walking.worker,
        files={"file": ("walk.jpg", jpeg_with_gps(), "image/jpeg")},
    )
    assert uploaded.status_code == 201, uploaded.text
    live = await walking.get("/report", walking.world.owner_headers)
    assert live.status_code == 200, live.text
    assert 180 < live.json()["data"]["distanceM"] < 220
    assert (await walking.post("/complete", walking.worker)).status_code == 200

    report = (await walking.get("/report", walking.world.owner_headers)).json()["data"]
    assert set(report) == {
        "distanceM",
        "durationS",
        "startedAt",
        "endedAt",
        "route",
        "events",
        "photos",
        "workerNotes",
    }
    assert 180 < report["distanceM"] < 220 and report["durationS"] >= 0
    assert report["route"]["type"] == "LineString"
    # The route starts where the walk's first leg (a line fitted through its first fixes) puts the first fix.
    assert haversine_m(LngLat(*report["route"]["coordinates"][0]), LngLat(*PICKUP)) < 10
    assert [e["type"] for e in report["events"]] == ["poo", "note"]
    assert report["workerNotes"] == "Rex met a cat."
    assert [(p["id"], p["kind"], p["url"]) for p in report["photos"]] == [
        (uploaded.json()["data"]["id"], "walk_photo", uploaded.json()["data"]["url"])
    ]
    assert (await walking.get("/report", walking.world.business_headers)).status_code == 200
    assert (await walking.get("/report", walking.worker)).status_code == 200
    stranger, _ = await owner(client, "nosy@example.com")
    assert error_code(await walking.get("/report", stranger)) == "NOT_FOUND"


async def test_no_report_before_the_walk(client: httpx.AsyncClient, services: Services) -> None:
    ww = await walk_world(client, services)
    assert error_code(await ww.get("/report", ww.world.owner_headers)) == "CONFLICT"
