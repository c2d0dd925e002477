"""An owner watches a live walk over Socket.IO: subscribe, receive tracking:location, strangers refused."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from tests.app.bookings_world import PICKUP, build_world
from tests.app.marketplace import owner
from tests.realtime.conftest import LiveServer, socket_client


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


async def test_owner_watches_the_walk_live(live_redis: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live_redis.url) as client:
        world = await build_world(client)
        worker_id, worker = await world.add_worker("live-walker@example.com")
        booking_id = (await world.book(hours_ahead=0.5)).json()["data"]["id"]
        await client.post(
            f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={"workerId": worker_id}
        )
        await client.post(f"/v1/workers/{worker_id}/online", headers=worker)
        await world.send_fix(worker, worker_id, PICKUP, seconds_ago=30)
        assert (await client.post(f"/v1/bookings/{booking_id}/start", headers=worker)).status_code == 200
        stranger, _ = await owner(client, "peeker@example.com")

        received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        async with (
            socket_client(live_redis.url, token_of(world.owner_headers)) as watcher,
            socket_client(live_redis.url, token_of(stranger)) as peeker,
            socket_client(live_redis.url, token_of(worker)) as phone,
        ):
            watcher.on("tracking:location", received.put_nowait)
            ack = await watcher.call("tracking:subscribe", {"bookingId": booking_id}, timeout=5)
            assert ack["ok"] is True and ack["status"] == "in_progress"
            assert ack["last"]["coordinates"] == PICKUP
            refused = await peeker.call("tracking:subscribe", {"bookingId": booking_id}, timeout=5)
            assert refused == {"ok": False, "error": {"code": "NOT_FOUND", "message": "no such booking"}}
            bad = await peeker.call("tracking:subscribe", {"bookingId": {"$gt": ""}}, timeout=5)
            assert bad["ok"] is False and bad["error"]["code"] == "VALIDATION_ERROR"

            step = [PICKUP[0] + 0.0003, PICKUP[1]]
            sent = await phone.call(
                "location:update", {"coordinates": step, "timestamp": int(time.time() * 1000)}, timeout=5
            )
            assert sent == {"ok": True, "accepted": 1}
            event = await asyncio.wait_for(received.get(), 5)
            assert event["bookingId"] == booking_id and event["coordinates"] == step
            assert 15 < event["distanceM"] < 30

            await watcher.call("tracking:unsubscribe", {"bookingId": booking_id}, timeout=5)
            await phone.call(
                "location:update", {"coordinates": PICKUP, "timestamp": int(time.time() * 1000) + 1}, timeout=5
            )
            await asyncio.sleep(0.3)
            assert received.empty()
