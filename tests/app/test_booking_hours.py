"""Operating hours and availability decide when a scheduled booking may be made, confirmed or moved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from app.composition import Services
from app.dispatch.candidates import booking_needs
from tests.app.bookings_world import World, build_world
from tests.app.marketplace import error_code

PARIS = ZoneInfo("Europe/Paris")
EVERY_DAY_8_TO_18 = [{"dayOfWeek": day, "openTime": "08:00", "closeTime": "18:00"} for day in range(7)]


def paris_time(hour: int, days_ahead: int = 3) -> str:
    local = (datetime.now(PARIS) + timedelta(days=days_ahead)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return local.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def _open_8_to_18(world: World) -> None:
    changed = await world.client.put(
        f"/v1/businesses/{world.business_id}",
        json={"operatingHours": EVERY_DAY_8_TO_18},
        headers=world.business_headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["timezone"] == "Europe/Paris"


def _reason(response: httpx.Response) -> str:
    details: list[dict[str, Any]] = response.json()["error"]["details"]
    return f"{details[0]['field']}: {details[0]['message']}"


async def test_bookings_outside_operating_hours_are_refused(client: httpx.AsyncClient) -> None:
    world = await build_world(client)
    # No hours set: unrestricted.
    assert (await world.book(scheduledAt=paris_time(3))).status_code == 201
    await _open_8_to_18(world)
    night = await world.book(scheduledAt=paris_time(3))
    assert night.status_code == 422 and error_code(night) == "VALIDATION_ERROR"
    assert _reason(night) == "body.scheduledAt: outside the business's operating hours (in Europe/Paris time)"
    # 17:30 + the service's 60 minutes ends after closing.
    assert (await world.book(scheduledAt=paris_time(17).replace("00:00Z", "30:00Z"))).status_code == 422
    assert (await world.book(scheduledAt=paris_time(17), duration=30)).status_code == 201
    assert (await world.book(scheduledAt=paris_time(10))).status_code == 201


async def test_confirming_with_a_worker_checks_their_availability(client: httpx.AsyncClient) -> None:
    world = await build_world(client)
    worker_id, worker_headers = await world.add_worker("wally@example.com")
    booked = await world.book(scheduledAt=paris_time(10))
    booking_id = booked.json()["data"]["id"]
    mornings = datetime.now(PARIS) + timedelta(days=3)
    day = (mornings.weekday() + 1) % 7
    only_afternoons = {"availability": [{"dayOfWeek": day, "startTime": "13:00", "endTime": "18:00"}]}
    path = f"/v1/workers/{worker_id}/availability"
    assert (await client.put(path, json=only_afternoons, headers=world.owner_headers)).status_code == 403
    assert (await client.put(path, json=only_afternoons, headers=worker_headers)).status_code == 200
    confirm = f"/v1/bookings/{booking_id}/confirm"
    refused = await client.post(confirm, json={"workerId": worker_id}, headers=world.business_headers)
    assert refused.status_code == 422
    assert _reason(refused) == "body.workerId: outside the worker's availability (in Europe/Paris time)"
    overnight = {"availability": [{"dayOfWeek": day, "startTime": "09:00", "endTime": "01:00"}]}
    set_by_business = await client.put(path, json=overnight, headers=world.business_headers)
    assert set_by_business.status_code == 200
    assert set_by_business.json()["data"]["availability"] == overnight["availability"]
    confirmed = await client.post(confirm, json={"workerId": worker_id}, headers=world.business_headers)
    assert confirmed.status_code == 200, confirmed.text


async def test_owner_moves_and_annotates_a_booking(client: httpx.AsyncClient) -> None:
    world = await build_world(client)
    await _open_8_to_18(world)
    worker_id, _ = await world.add_worker("wally@example.com")
    booking = (await world.book(scheduledAt=paris_time(10))).json()["data"]
    path = f"/v1/bookings/{booking['id']}"
    assert (
        await client.put(path, json={"scheduledAt": paris_time(22)}, headers=world.owner_headers)
    ).status_code == 422
    assert (await client.put(path, json={"notes": "x"}, headers=world.business_headers)).status_code == 403
    moved = await client.put(
        path,
        json={
            "scheduledAt": paris_time(14),
            "specialInstructions": "Ring twice",
            "location": {"coordinates": [2.36, 48.86]},
        },
        headers=world.owner_headers,
    )
    assert moved.status_code == 200, moved.text
    data = moved.json()["data"]
    assert (data["specialInstructions"], data["location"]["coordinates"]) == ("Ring twice", [2.36, 48.86])
    assert datetime.fromisoformat(data["scheduledAt"]) == datetime.fromisoformat(paris_time(14))
    assert datetime.fromisoformat(data["endsAt"]) - datetime.fromisoformat(data["scheduledAt"]) == timedelta(hours=1)
    far = await client.put(path, json={"location": {"coordinates": [5.0, 45.0]}}, headers=world.owner_headers)
    assert far.status_code == 422
    assert (await client.put(path, json={"scheduledAt": None}, headers=world.owner_headers)).status_code == 422

    # Confirmed: the worker's slot moves with the booking, so their old time is free for another booking.
    await client.post(f"{path}/confirm", json={"workerId": worker_id}, headers=world.business_headers)
    again = await client.put(path, json={"scheduledAt": paris_time(9)}, headers=world.owner_headers)
    assert again.status_code == 200, again.text
    other = (await world.book(scheduledAt=paris_time(14))).json()["data"]
    taken = await client.post(
        f"/v1/bookings/{other['id']}/confirm", json={"workerId": worker_id}, headers=world.business_headers
    )
    assert taken.status_code == 200, taken.text
    clash = await client.put(path, json={"scheduledAt": paris_time(14)}, headers=world.owner_headers)
    assert clash.status_code == 409

    cancelled = await client.post(f"{path}/cancel", json={"reason": "ill"}, headers=world.owner_headers)
    assert cancelled.status_code == 200
    late = await client.put(path, json={"notes": "too late"}, headers=world.owner_headers)
    assert late.status_code == 409


async def test_asap_dispatch_only_reaches_businesses_open_now(client: httpx.AsyncClient, services: Services) -> None:
    world = await build_world(client)
    now = datetime.now(PARIS)
    today = (now.weekday() + 1) % 7
    # Closed now: open only from 12 hours ahead for one hour (overnight windows wrap, so this never covers now).
    opens = (now + timedelta(hours=12)).strftime("%H:00")
    closes = (now + timedelta(hours=13)).strftime("%H:00")
    later = [{"dayOfWeek": d, "openTime": opens, "closeTime": closes} for d in range(7) if d != today]
    await client.put(
        f"/v1/businesses/{world.business_id}", json={"operatingHours": later}, headers=world.business_headers
    )
    asap = await client.post(
        "/v1/bookings",
        json={
            "serviceType": "walking",
            "asap": True,
            "pets": [world.pet_id],
            "location": {"coordinates": [2.35, 48.85]},
        },
        headers=world.owner_headers,
    )
    assert asap.status_code == 201, asap.text
    booking = await services.store.bookings.get(asap.json()["data"]["id"])
    assert booking is not None
    assert (await booking_needs(services, booking)).business_ids == frozenset()
    await client.put(f"/v1/businesses/{world.business_id}", json={"operatingHours": []}, headers=world.business_headers)
    assert (await booking_needs(services, booking)).business_ids == frozenset({world.business_id})
