"""Access to a pet's bookings and live walks follows its current co-owners: a removed co-owner loses the
booking, its tracking and an open live subscription at once."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.app.bookings_world import PICKUP, World, build_world
from tests.app.marketplace import owner
from tests.realtime.conftest import LiveServer, socket_client


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


async def add_co_owner(client: httpx.AsyncClient, world: World, email: str) -> tuple[dict[str, str], str]:
    headers, user_id = await owner(client, email)
    added = await client.post(f"/v1/pets/{world.pet_id}/co-owners", headers=world.owner_headers, json={"email": email})
    assert added.status_code == 200, added.text
    return headers, user_id


async def walk_in_progress(client: httpx.AsyncClient, world: World) -> tuple[dict[str, str], str]:
    worker_id, worker = await world.add_worker("co-walker@example.com")
    booking_id = (await world.book(hours_ahead=0.5)).json()["data"]["id"]
    await client.post(
        f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={"workerId": worker_id}
    )
    await client.post(f"/v1/workers/{worker_id}/online", headers=worker)
    await world.send_fix(worker, worker_id, PICKUP, seconds_ago=30)
    assert (await client.post(f"/v1/bookings/{booking_id}/start", headers=worker)).status_code == 200
    return worker, booking_id


async def sees(client: httpx.AsyncClient, headers: dict[str, str], booking_id: str) -> tuple[int, int, bool]:
    booking = await client.get(f"/v1/bookings/{booking_id}", headers=headers)
    tracking = await client.get(f"/v1/bookings/{booking_id}/tracking", headers=headers)
    listed = await client.get("/v1/bookings", headers=headers)
    return booking.status_code, tracking.status_code, booking_id in [b["id"] for b in listed.json()["data"]]


async def test_a_removed_co_owner_loses_the_walk(live_redis: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live_redis.url) as client:
        world = await build_world(client)
        co_owner, co_owner_id = await add_co_owner(client, world, "co-owner@example.com")
        worker, booking_id = await walk_in_progress(client, world)
        assert (await sees(client, co_owner, booking_id)) == (200, 200, True)

        theirs: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        mine: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        async with (
            socket_client(live_redis.url, token_of(co_owner)) as removed_watcher,
            socket_client(live_redis.url, token_of(world.owner_headers)) as owner_watcher,
            socket_client(live_redis.url, token_of(worker)) as phone,
        ):
            removed_watcher.on("tracking:location", theirs.put_nowait)
            owner_watcher.on("tracking:location", mine.put_nowait)
            for watcher in (removed_watcher, owner_watcher):
                ack = await watcher.call("tracking:subscribe", {"bookingId": booking_id}, timeout=5)
                assert ack["ok"] is True

            started_ms = int(time.time() * 1000)

            async def step(lng_offset: float, later_s: int) -> None:
                # Timestamps apart enough for the 22 m per step to stay a plausible walking speed.
                fix = {"coordinates": [PICKUP[0] + lng_offset, PICKUP[1]], "timestamp": started_ms + later_s * 1000}
                ack = await phone.call("location:update", fix, timeout=5)
                assert ack == {"ok": True, "accepted": 1}

            await step(0.0003, 0)
            await asyncio.wait_for(theirs.get(), 5)
            await asyncio.wait_for(mine.get(), 5)

            removed = await client.delete(
                f"/v1/pets/{world.pet_id}/co-owners/{co_owner_id}", headers=world.owner_headers
            )
            assert removed.status_code == 200, removed.text
            assert (await sees(client, co_owner, booking_id)) == (404, 404, False)

            await step(0.0006, 10)
            # The owner still gets the walk; by then the removed co-owner would have had it too.
            await asyncio.wait_for(mine.get(), 5)
            await asyncio.sleep(0.2)
            assert theirs.empty()
            again = await removed_watcher.call("tracking:subscribe", {"bookingId": booking_id}, timeout=5)
            assert again == {"ok": False, "error": {"code": "NOT_FOUND", "message": "no such booking"}}

        assert (await sees(client, world.owner_headers, booking_id)) == (200, 200, True)


async def test_a_co_owner_added_later_sees_the_walk(live: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live.url) as client:
        world = await build_world(client)
        _, booking_id = await walk_in_progress(client, world)
        late, _ = await add_co_owner(client, world, "late@example.com")
        assert (await sees(client, late, booking_id)) == (200, 200, True)
        async with socket_client(live.url, token_of(late)) as watcher:
            ack = await watcher.call("tracking:subscribe", {"bookingId": booking_id}, timeout=5)
            assert ack["ok"] is True


async def test_the_booker_keeps_the_booking_after_leaving_the_pet(live: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live.url) as client:
        world = await build_world(client)
        co_owner, co_owner_id = await add_co_owner(client, world, "booker@example.com")
        booked = await world.book(hours_ahead=2)
        assert booked.status_code == 201
        booking_id = booked.json()["data"]["id"]
        # world.book books as the primary owner; the co-owner books a second walk themselves.
        scheduled = (datetime.now(UTC) + timedelta(hours=5)).isoformat().replace("+00:00", "Z")
        body = {"serviceId": world.service_id, "pets": [world.pet_id], "scheduledAt": scheduled}
        own = await client.post("/v1/bookings", headers=co_owner, json={**body, "location": {"coordinates": PICKUP}})
        assert own.status_code == 201, own.text
        own_id = own.json()["data"]["id"]
        left = await client.delete(f"/v1/pets/{world.pet_id}/co-owners/{co_owner_id}", headers=co_owner)
        assert left.status_code == 200
        assert (await client.get(f"/v1/bookings/{own_id}", headers=co_owner)).status_code == 200
        assert (await client.get(f"/v1/bookings/{booking_id}", headers=co_owner)).status_code == 404
        listed = await client.get("/v1/bookings", headers=co_owner)
        assert [b["id"] for b in listed.json()["data"]] == [own_id]
