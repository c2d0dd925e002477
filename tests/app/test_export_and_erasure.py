from __future__ import annotations

import httpx

from app.composition import Services
from app.usecases.notifications import notify
from tests.app.bookings_world import build_world

TOKEN = "ExponentPushToken[owner]"


async def test_export_holds_everything_stored_about_the_caller(client: httpx.AsyncClient, services: Services) -> None:
    world = await build_world(client)
    booking = (await world.book(hours_ahead=30)).json()["data"]
    await client.post("/v1/users/me/devices", json={"token": TOKEN, "platform": "ios"}, headers=world.owner_headers)
    await notify(services, [world.owner_id], kind="booking.confirmed", title="Confirmed", message="m", data={})
    response = await client.get("/v1/users/me/export", headers=world.owner_headers)
    assert response.status_code == 200, response.text
    export = response.json()["data"]
    assert export["profile"]["id"] == world.owner_id
    assert export["profile"]["passwordHash"] is None
    assert [p["id"] for p in export["pets"]] == [world.pet_id]
    assert [b["id"] for b in export["bookings"]] == [booking["id"]]
    assert export["trails"] == {booking["id"]: []}
    assert [d["id"] for d in export["devices"]] == [TOKEN]
    assert any(n["type"] == "booking.confirmed" for n in export["notifications"])
    assert export["notificationPreferences"]["account"] == ["email"]
    # The verification email is listed, without the link that carries its token.
    [verification] = [m for m in export["messages"] if m["kind"] == "account.verify_email"]
    assert verification["link"] is None
    assert set(export) >= {"payments", "reviews", "workerProfile", "business"}


async def test_export_needs_an_account(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/users/me/export")).status_code == 401


async def test_erasure_removes_copies_and_keeps_bookings(client: httpx.AsyncClient, services: Services) -> None:
    world = await build_world(client)
    booking = (await world.book(hours_ahead=30, notes="gate code 1234")).json()["data"]
    await client.post("/v1/users/me/devices", json={"token": TOKEN, "platform": "ios"}, headers=world.owner_headers)
    erased = await client.delete("/v1/users/me", headers=world.owner_headers)
    assert erased.status_code == 200, erased.text
    stored = await services.store.bookings.get(booking["id"])
    assert stored is not None
    assert (stored.location.address, stored.notes, stored.special_instructions) == (None, None, None)
    assert stored.location.coordinates == tuple(booking["location"]["coordinates"])
    assert await services.store.devices.of_user(world.owner_id) == []
    messages = await services.store.outbox.of_user(world.owner_id)
    assert messages
    assert all((m.to, m.title, m.body, m.link) == ("", "", "", None) for m in messages)


async def test_erasing_a_worker_anonymises_the_profile(client: httpx.AsyncClient, services: Services) -> None:
    world = await build_world(client)
    worker_id, headers = await world.add_worker("walker@example.com")
    assert (await client.delete("/v1/users/me", headers=headers)).status_code == 200
    worker = await services.store.workers.get(worker_id)
    assert worker is not None
    assert (worker.first_name, worker.last_name, worker.phone, worker.is_active) == ("", "", None, False)
    assert "walker@example.com" not in worker.email


async def test_erasing_a_business_account_deactivates_the_business(
    client: httpx.AsyncClient, services: Services
) -> None:
    world = await build_world(client)
    assert (await client.delete("/v1/users/me", headers=world.business_headers)).status_code == 200
    business = await services.store.businesses.get(world.business_id)
    assert business is not None and business.is_active is False
