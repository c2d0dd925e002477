"""The walk over real sockets: walk events with acks and fan-out, following a walk by share link without an
account, and losing it when the link dies."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import socketio

from app.usecases.live.share_followers import ShareFollowers
from tests.app.bookings_world import PICKUP, World, build_world
from tests.app.walks.walk_world import east
from tests.realtime.conftest import LiveServer, socket_client


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


async def started_walk(client: httpx.AsyncClient) -> tuple[World, str, str, dict[str, str]]:
    world = await build_world(client)
    worker_id, worker = await world.add_worker("socket-walker@example.com")
    booking_id = (await world.book(hours_ahead=0.5)).json()["data"]["id"]
    await client.post(
        f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={"workerId": worker_id}
    )
    await client.post(f"/v1/workers/{worker_id}/online", headers=worker)
    assert (await client.post(f"/v1/bookings/{booking_id}/on-my-way", headers=worker)).status_code == 200
    await world.send_fix(worker, worker_id, PICKUP, seconds_ago=30)
    assert (await client.post(f"/v1/bookings/{booking_id}/start", headers=worker)).status_code == 200
    return world, worker_id, booking_id, worker


def collect(sio: socketio.AsyncClient, *events: str) -> asyncio.Queue[tuple[str, Any]]:
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    for name in events:
        sio.on(name, lambda data, name=name: queue.put_nowait((name, data)))
    return queue


async def test_walk_events_are_acknowledged_and_fanned_out(live: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live.url) as client:
        world, _, booking_id, worker = await started_walk(client)
        async with (
            socket_client(live.url, token_of(world.owner_headers)) as watcher,
            socket_client(live.url, token_of(worker)) as phone,
        ):
            received = collect(watcher, "walk:event")
            assert (await watcher.call("tracking:subscribe", {"bookingId": booking_id}, timeout=5))["ok"] is True
            ack = await phone.call(
                "walk:event", {"bookingId": booking_id, "type": "poo", "coordinates": east(20)}, timeout=5
            )
            assert ack["ok"] is True and ack["type"] == "poo" and ack["coordinates"] == east(20)
            name, event = await asyncio.wait_for(received.get(), 5)
            assert name == "walk:event" and event["bookingId"] == booking_id and event["id"] == ack["id"]

            missing = await phone.call("walk:event", {"type": "poo"}, timeout=5)
            assert missing["ok"] is False and missing["error"]["code"] == "VALIDATION_ERROR"
            extra = await phone.call("walk:event", {"bookingId": booking_id, "type": "pee", "x": 1}, timeout=5)
            assert extra["ok"] is False and extra["error"]["code"] == "VALIDATION_ERROR"
            owner_try = await watcher.call("walk:event", {"bookingId": booking_id, "type": "pee"}, timeout=5)
            assert owner_try["ok"] is False and owner_try["error"]["code"] == "FORBIDDEN"


async def test_a_share_link_holder_follows_without_an_account_until_it_is_revoked(live: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live.url) as client:
        world, _, booking_id, worker = await started_walk(client)
        created = await client.post(f"/v1/bookings/{booking_id}/share", headers=world.owner_headers)
        token = created.json()["data"]["token"]
        async with (
            socket_client(live.url, None) as guest,
            socket_client(live.url, token_of(worker)) as phone,
        ):
            received = collect(guest, "tracking:location", "share:ended")
            refused = await guest.call("tracking:subscribe", {"bookingId": booking_id}, timeout=5)
            assert refused["ok"] is False and refused["error"]["code"] == "UNAUTHORIZED"
            fix_refused = await guest.call("location:update", {"coordinates": PICKUP, "timestamp": 1}, timeout=5)
            assert fix_refused["ok"] is False and fix_refused["error"]["code"] == "UNAUTHORIZED"
            wrong = await guest.call("tracking:subscribe", {"shareToken": "guessed"}, timeout=5)
            assert wrong["ok"] is False and wrong["error"]["code"] == "NOT_FOUND"

            ack = await guest.call("tracking:subscribe", {"shareToken": token}, timeout=5)
            assert ack == {"ok": True, "bookingId": booking_id, "status": "in_progress", "last": ack["last"]}
            assert ack["last"]["coordinates"] == PICKUP
            step = east(15)
            sent = await phone.call("location:update", {"coordinates": step, "timestamp": int(time.time() * 1000)})
            assert sent == {"ok": True, "accepted": 1}
            name, event = await asyncio.wait_for(received.get(), 5)
            assert name == "tracking:location" and event["coordinates"] == step

            revoked = await client.delete(f"/v1/bookings/{booking_id}/share/{token}", headers=world.owner_headers)
            assert revoked.status_code == 200
            followers = next(task for task in live.services.background if isinstance(task, ShareFollowers))
            assert await followers.sweep_once() == 1
            name, event = await asyncio.wait_for(received.get(), 5)
            assert (name, event) == ("share:ended", {"bookingId": booking_id})
            await phone.call(
                "location:update", {"coordinates": east(30), "timestamp": int(time.time() * 1000) + 1}, timeout=5
            )
            await asyncio.sleep(0.3)
            assert received.empty()
            again = await guest.call("tracking:subscribe", {"shareToken": token}, timeout=5)
            assert again["ok"] is False and again["error"]["code"] == "NOT_FOUND"
