"""Booking lifecycle through the REST API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.app.bookings_world import PICKUP, World, build_world


@pytest.fixture
async def world(client: httpx.AsyncClient) -> World:
    return await build_world(client)


async def test_create_booking_prices_and_numbers(world: World) -> None:
    response = await world.book()
    assert response.status_code == 201, response.text
    booking = response.json()["data"]
    assert booking["status"] == "pending"
    assert booking["bookingNumber"].startswith("WK-") and len(booking["bookingNumber"]) == 11
    assert booking["pricing"] == {
        "basePrice": 2000,
        "additional": 0,
        "platformFee": 300,
        "totalAmount": 2000,
        "currency": "EUR",
    }
    assert booking["businessId"] == world.business_id
    assert booking["location"] == {"type": None, "address": "1 rue de Rivoli", "coordinates": PICKUP}
    assert booking["history"][0]["status"] == "pending"


async def test_additional_pets_and_premium_fee(client: httpx.AsyncClient, services) -> None:
    world = await build_world(client, base_price=1999)
    # Premium is granted by the platform, not self-declared.
    await services.store.businesses.update_fields(world.business_id, {"premium": True}, services.clock.now())
    second = await client.post(
        "/v1/pets", headers=world.owner_headers, json={"name": "Fido", "species": "dog", "age": 2, "weight": 9}
    )
    response = await world.book(pets=[world.pet_id, second.json()["data"]["id"]])
    assert response.status_code == 201, response.text
    # 1999 + 500 = 2499; 10% of it is 249.9, rounded half up to 250.
    assert response.json()["data"]["pricing"] == {
        "basePrice": 1999,
        "additional": 500,
        "platformFee": 250,
        "totalAmount": 2499,
        "currency": "EUR",
    }


async def test_idempotency_key_replays_the_first_response(world: World) -> None:
    when = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    first = await world.book(key="booking-attempt-1", scheduledAt=when)
    again = await world.book(key="booking-attempt-1", scheduledAt=when)
    assert first.status_code == again.status_code == 201
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    assert again.headers["idempotent-replayed"] == "true"
    listing = await world.client.get("/v1/bookings", headers=world.owner_headers)
    assert listing.json()["meta"]["total"] == 1
    different = await world.book(key="booking-attempt-1", scheduledAt=when, notes="other request")
    assert different.status_code == 409


async def test_failed_first_attempt_does_not_pin_its_error(world: World) -> None:
    bad = await world.book(key="k2", location={"coordinates": [10.0, 10.0]})
    assert bad.status_code == 422
    good = await world.book(key="k2x")
    assert good.status_code == 201


@pytest.mark.parametrize(
    ("patch", "code"),
    [
        ({"location": {"coordinates": [10.0, 10.0]}}, 422),
        ({"location": {"coordinates": [200, 48]}}, 422),
        ({"location": {"coordinates": ["2.3", 48.8]}}, 422),
        ({"location": {"coordinates": {"$near": [2, 48]}}}, 422),
        ({"pets": []}, 422),
        ({"pets": ["nope"]}, 422),
        ({"serviceId": "missing"}, 404),
        ({"serviceId": {"$ne": None}}, 422),
        ({"asap": True}, 422),
        ({"scheduledAt": "2020-01-01T00:00:00Z"}, 422),
        ({"scheduledAt": "not a date"}, 422),
        ({"scheduledAt": "2027-01-01T10:00:00"}, 422),
    ],
)
async def test_bad_booking_requests(world: World, patch: dict[str, Any], code: int) -> None:
    response = await world.book(**patch)
    assert response.status_code == code, response.text
    assert response.json()["success"] is False


async def test_only_owners_book_and_strangers_cannot_see(world: World, client: httpx.AsyncClient) -> None:
    business_try = await client.post(
        "/v1/bookings",
        headers=world.business_headers,
        json={"serviceId": world.service_id, "pets": [world.pet_id], "asap": True, "location": {"coordinates": PICKUP}},
    )
    assert business_try.status_code == 403
    booking_id = (await world.book()).json()["data"]["id"]
    from tests.app.marketplace import owner

    stranger, _ = await owner(client, "stranger@example.com")
    assert (await client.get(f"/v1/bookings/{booking_id}", headers=stranger)).status_code == 404
    assert (await client.get(f"/v1/bookings/{booking_id}", headers=world.business_headers)).status_code == 200
    stolen = await client.post(
        "/v1/bookings",
        headers=stranger,
        json={
            "serviceId": world.service_id,
            "pets": [world.pet_id],
            "scheduledAt": "2030-01-01T10:00:00Z",
            "location": {"coordinates": PICKUP},
        },
    )
    assert stolen.status_code == 422


async def test_full_lifecycle_with_walk_report(world: World, services) -> None:
    worker_id, worker = await world.add_worker("walker@example.com")
    booking_id = (await world.book(hours_ahead=0.5)).json()["data"]["id"]
    confirmed = await world.client.post(
        f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={"workerId": worker_id}
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["data"]["workerId"] == worker_id
    assert confirmed.json()["data"]["dispatch"]["state"] == "assigned"
    # Too far from the pickup to start.
    await world.client.post(f"/v1/workers/{worker_id}/online", headers=worker)
    await world.send_fix(worker, worker_id, [2.36, 48.85], seconds_ago=300)
    far = await world.client.post(f"/v1/bookings/{booking_id}/start", headers=worker)
    assert far.status_code == 422 and "m from the pickup" in far.json()["error"]["message"]
    await world.send_fix(worker, worker_id, PICKUP)
    started = await world.client.post(f"/v1/bookings/{booking_id}/start", headers=worker)
    assert started.status_code == 200, started.text
    assert started.json()["data"]["status"] == "in_progress"
    # Starting twice is a conflict, not a second walk.
    assert (await world.client.post(f"/v1/bookings/{booking_id}/start", headers=worker)).status_code == 409
    completed = await world.client.post(
        f"/v1/bookings/{booking_id}/complete", json={"workerNotes": "Good boy"}, headers=worker
    )
    assert completed.status_code == 200, completed.text
    data = completed.json()["data"]
    assert data["status"] == "completed"
    details = data["completionDetails"]
    assert (details["startTime"], details["endTime"]) == (data["startedAt"], data["completedAt"])
    assert (details["workerNotes"], details["photos"]) == ("Good boy", [])
    assert data["walk"]["durationS"] >= 0 and data["walk"]["route"]["type"] == "LineString"
    assert [h["status"] for h in data["history"]] == ["pending", "confirmed", "in_progress", "completed"]
    # Everyone was told.
    owner_notes = await world.client.get("/v1/notifications", headers=world.owner_headers)
    kinds = [n["type"] for n in owner_notes.json()["data"]]
    assert {"booking.confirmed", "booking.in_progress", "booking.completed"} <= set(kinds)
    worker_notes = await world.client.get("/v1/notifications", headers=worker)
    assert worker_notes.json()["meta"]["total"] >= 3


async def test_wrong_roles_and_states(world: World) -> None:
    _worker_id, worker = await world.add_worker("w@example.com")
    booking_id = (await world.book()).json()["data"]["id"]
    assert (
        await world.client.post(f"/v1/bookings/{booking_id}/confirm", headers=world.owner_headers)
    ).status_code == 403
    assert (await world.client.post(f"/v1/bookings/{booking_id}/complete", headers=worker)).status_code == 404
    assert (await world.client.post(f"/v1/bookings/{booking_id}/start", headers=world.owner_headers)).status_code == 403
    cancel = await world.client.post(
        f"/v1/bookings/{booking_id}/cancel", headers=world.owner_headers, json={"reason": ""}
    )
    assert cancel.status_code == 422


async def test_cancellation_refund_policy(world: World) -> None:
    early = (await world.book(hours_ahead=48)).json()["data"]["id"]
    response = await world.client.post(
        f"/v1/bookings/{early}/cancel", headers=world.owner_headers, json={"reason": "plans changed"}
    )
    assert response.status_code == 200
    cancellation = response.json()["data"]["cancellation"]
    assert cancellation["refundAmount"] == 2000 and cancellation["reason"] == "plans changed"
    assert cancellation["by"] == world.owner_id
    half = (await world.book(hours_ahead=18)).json()["data"]["id"]
    response = await world.client.post(f"/v1/bookings/{half}/cancel", headers=world.owner_headers, json={"reason": "x"})
    assert response.json()["data"]["cancellation"]["refundAmount"] == 1000
    late = (await world.book(hours_ahead=2)).json()["data"]["id"]
    response = await world.client.post(f"/v1/bookings/{late}/cancel", headers=world.owner_headers, json={"reason": "x"})
    assert response.json()["data"]["cancellation"]["refundAmount"] == 0
    again = await world.client.post(f"/v1/bookings/{late}/cancel", headers=world.owner_headers, json={"reason": "x"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "CONFLICT"


async def test_business_cancellation_refunds_everything(world: World) -> None:
    booking_id = (await world.book(hours_ahead=2)).json()["data"]["id"]
    response = await world.client.post(
        f"/v1/bookings/{booking_id}/cancel", headers=world.business_headers, json={"reason": "no staff"}
    )
    assert response.json()["data"]["cancellation"]["refundAmount"] == 2000


async def test_worker_never_double_booked(world: World) -> None:
    worker_id, _ = await world.add_worker("busy@example.com")
    first = (await world.book(hours_ahead=30)).json()["data"]["id"]
    overlapping = (await world.book(hours_ahead=30.5)).json()["data"]["id"]
    later = (await world.book(hours_ahead=32)).json()["data"]["id"]
    ok = await world.client.post(
        f"/v1/bookings/{first}/confirm", headers=world.business_headers, json={"workerId": worker_id}
    )
    assert ok.status_code == 200
    clash = await world.client.post(
        f"/v1/bookings/{overlapping}/confirm", headers=world.business_headers, json={"workerId": worker_id}
    )
    assert clash.status_code == 409
    fine = await world.client.post(
        f"/v1/bookings/{later}/confirm", headers=world.business_headers, json={"workerId": worker_id}
    )
    assert fine.status_code == 200
    # Cancelling frees the slot.
    await world.client.post(f"/v1/bookings/{first}/cancel", headers=world.owner_headers, json={"reason": "x"})
    retry = await world.client.post(
        f"/v1/bookings/{overlapping}/confirm", headers=world.business_headers, json={"workerId": worker_id}
    )
    assert retry.status_code == 200


async def test_concurrent_confirms_and_cancels_leave_one_winner(world: World) -> None:
    workers = [await world.add_worker(f"w{i}@example.com") for i in range(4)]
    bookings = [(await world.book(hours_ahead=40 + 2 * i)).json()["data"]["id"] for i in range(10)]
    calls = []
    for booking_id in bookings:
        for worker_id, _ in workers:
            calls.append(
                world.client.post(
                    f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={"workerId": worker_id}
                )
            )
        calls.append(
            world.client.post(f"/v1/bookings/{booking_id}/cancel", headers=world.owner_headers, json={"reason": "r"})
        )
    results = await asyncio.gather(*calls)
    assert all(r.status_code in (200, 409) for r in results), [
        r.text for r in results if r.status_code not in (200, 409)
    ]
    for booking_id in bookings:
        booking = (await world.client.get(f"/v1/bookings/{booking_id}", headers=world.owner_headers)).json()["data"]
        transitions = [h["status"] for h in booking["history"]][1:]
        assert transitions in (["confirmed"], ["cancelled"], ["confirmed", "cancelled"])


async def test_list_filters_by_role_and_status(world: World) -> None:
    a = (await world.book()).json()["data"]["id"]
    b = (await world.book(hours_ahead=72)).json()["data"]["id"]
    await world.client.post(f"/v1/bookings/{b}/cancel", headers=world.owner_headers, json={"reason": "x"})
    mine = await world.client.get("/v1/bookings?status=pending", headers=world.owner_headers)
    assert [x["id"] for x in mine.json()["data"]] == [a]
    assert mine.json()["meta"] == {"page": 1, "limit": 20, "total": 1}
    theirs = await world.client.get("/v1/bookings", headers=world.business_headers)
    assert theirs.json()["meta"]["total"] == 2
    bad = await world.client.get("/v1/bookings?status=lost", headers=world.owner_headers)
    assert bad.status_code == 422


async def test_notifications_read_and_delete(world: World) -> None:
    booking_id = (await world.book()).json()["data"]["id"]
    await world.client.post(f"/v1/bookings/{booking_id}/cancel", headers=world.owner_headers, json={"reason": "x"})
    listing = (await world.client.get("/v1/notifications?unread=true", headers=world.owner_headers)).json()
    assert listing["meta"]["total"] == 1
    note_id = listing["data"][0]["id"]
    read = await world.client.put(f"/v1/notifications/{note_id}/read", headers=world.owner_headers)
    assert read.status_code == 200 and read.json()["data"]["readAt"] is not None
    assert (await world.client.get("/v1/notifications?unread=true", headers=world.owner_headers)).json()["meta"][
        "total"
    ] == 0
    assert (
        await world.client.put(f"/v1/notifications/{note_id}/read", headers=world.business_headers)
    ).status_code == 404
    assert (await world.client.put("/v1/notifications/read-all", headers=world.business_headers)).status_code == 200
    assert (await world.client.delete(f"/v1/notifications/{note_id}", headers=world.owner_headers)).status_code == 200
    assert (await world.client.delete(f"/v1/notifications/{note_id}", headers=world.owner_headers)).status_code == 404


async def test_losing_a_race_for_the_same_worker_keeps_the_winners_slot(world: World, services) -> None:
    worker_id, _ = await world.add_worker("twice@example.com")
    booking_id = (await world.book(hours_ahead=50)).json()["data"]["id"]
    overlapping = (await world.book(hours_ahead=50.25)).json()["data"]["id"]
    url = f"/v1/bookings/{booking_id}/confirm"
    results = await asyncio.gather(
        *(world.client.post(url, headers=world.business_headers, json={"workerId": worker_id}) for _ in range(6))
    )
    assert sorted(r.status_code for r in results) == [200, 409, 409, 409, 409, 409]
    schedule = await services.store.schedules.get(worker_id)
    assert [slot.booking_id for slot in schedule.slots] == [booking_id]
    clash = await world.client.post(
        f"/v1/bookings/{overlapping}/confirm", headers=world.business_headers, json={"workerId": worker_id}
    )
    assert clash.status_code == 409
