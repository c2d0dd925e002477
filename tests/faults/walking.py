"""A walk in progress on a real server process, a walker streaming fixes to it over Socket.IO, and a
watcher of the walk: what the fault tests break and then check."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import socketio

from tests.app.bookings_world import PICKUP, build_world

# About 7 mm east per fix, at least 1 ms apart: every fix has its own position and timestamp and stays
# under the outlier speed.
STEP_DEG = 1e-7
# Fixes are stamped this far back (and later than the walk's first fix), so a fast stream never runs ahead
# of the server's clock.
LAG_MS = 30_000


@dataclass(frozen=True)
class Walk:
    booking_id: str
    worker_id: str
    worker_token: str
    owner_token: str


async def begin_walk(client: httpx.AsyncClient) -> Walk:
    """Through the API: a booking confirmed to a worker, who starts the walk standing at the pickup point."""
    world = await build_world(client)
    worker_id, worker = await world.add_worker("walker@example.com")
    booking = await world.book(hours_ahead=0.5)
    assert booking.status_code == 201, booking.text
    booking_id = booking.json()["data"]["id"]
    confirmed = await client.post(
        f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={"workerId": worker_id}
    )
    assert confirmed.status_code == 200, confirmed.text
    await world.send_fix(worker, worker_id, PICKUP, seconds_ago=60)
    started = await client.post(f"/v1/bookings/{booking_id}/start", headers=worker)
    assert started.status_code == 200, started.text
    return Walk(
        booking_id,
        worker_id,
        worker["Authorization"].removeprefix("Bearer "),
        world.owner_headers["Authorization"].removeprefix("Bearer "),
    )


async def start_walk(url: str) -> Walk:
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        return await begin_walk(client)


async def connect(url: str, token: str) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=5)
    return client


def key(coordinates: list[float]) -> tuple[float, float]:
    # Coordinates compared after a trip through JSON and the store.
    return round(coordinates[0], 9), round(coordinates[1], 9)


@dataclass
class FixStream:
    """The walker's fixes, each its own `location:update`; remembers what was acknowledged accepted."""

    token: str
    sent: int = 0
    last_ms: int = 0
    accepted: list[tuple[float, float]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)

    def next_fix(self) -> dict[str, Any]:
        self.sent += 1
        self.last_ms = max(int(time.time() * 1000) - LAG_MS, self.last_ms + 1)
        return {"coordinates": [PICKUP[0] + self.sent * STEP_DEG, PICKUP[1]], "timestamp": self.last_ms}

    def _acked(self, fix: dict[str, Any]) -> Any:
        def on_ack(answer: dict[str, Any]) -> None:
            if answer.get("ok") and answer.get("accepted") == 1:
                self.accepted.append(key(fix["coordinates"]))
            else:
                self.refused.append(answer)

        return on_ack

    async def emit(self, client: socketio.AsyncClient) -> None:
        """One fix, without waiting for its acknowledgement (several stay in flight)."""
        fix = self.next_fix()
        await client.emit("location:update", fix, callback=self._acked(fix))

    async def call(self, client: socketio.AsyncClient) -> dict[str, Any]:
        """One fix, and its acknowledgement."""
        fix = self.next_fix()
        answer: dict[str, Any] = await client.call("location:update", fix, timeout=5)
        self._acked(fix)(answer)
        return answer

    async def until_cut(self, client: socketio.AsyncClient, *, interval_s: float = 0.002) -> None:
        """Stream until the server goes away."""
        while client.connected:
            try:
                await self.emit(client)
            except socketio.exceptions.SocketIOError:
                return
            await asyncio.sleep(interval_s)


async def trail(url: str, walk: Walk) -> set[tuple[float, float]]:
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        response = await client.get(
            f"/v1/bookings/{walk.booking_id}/tracking", headers={"Authorization": f"Bearer {walk.owner_token}"}
        )
    assert response.status_code == 200, response.text
    return {key(point) for point in response.json()["data"]["trail"]["coordinates"]}


async def fixes_reach_a_watcher(url: str, walk: Walk, stream: FixStream, count: int = 5) -> None:
    """New fixes are accepted and each reaches an owner watching the walk."""
    seen: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    watcher = await connect(url, walk.owner_token)
    walker = await connect(url, walk.worker_token)
    try:
        watcher.on("tracking:location", seen.put)
        subscribed = await watcher.call("tracking:subscribe", {"bookingId": walk.booking_id}, timeout=5)
        assert subscribed["ok"] is True, subscribed
        for _ in range(count):
            assert await stream.call(walker) == {"ok": True, "accepted": 1}
            try:
                message = await asyncio.wait_for(seen.get(), 5)
            except TimeoutError:
                pytest.fail("an accepted fix of the walk reached no watcher")
            assert message["bookingId"] == walk.booking_id
            assert key(message["coordinates"]) == stream.accepted[-1]
    finally:
        await walker.disconnect()
        await watcher.disconnect()
