"""A booking confirmed to a worker who is online 600 m east of the pickup, and a recorder of emitted events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from app.composition import Services
from tests.app.bookings_world import PICKUP, World, build_world
from tests.support.recorders import EventRecorder

# 0.00137 degrees of longitude is about 100 m at the pickup's latitude.
DEG_PER_100M = 0.00137


def east(metres: float) -> list[float]:
    return [PICKUP[0] + DEG_PER_100M * metres / 100, PICKUP[1]]


@dataclass
class WalkWorld:
    world: World
    booking_id: str
    worker_id: str
    worker: dict[str, str]
    recorder: EventRecorder
    client: httpx.AsyncClient

    async def fix(self, coordinates: list[float], seconds_ago: float) -> None:
        await self.world.send_fix(self.worker, self.worker_id, coordinates, seconds_ago=seconds_ago)

    async def post(self, path: str, headers: dict[str, str], json: Any = None) -> httpx.Response:
        return await self.client.post(f"/v1/bookings/{self.booking_id}{path}", headers=headers, json=json)

    async def get(self, path: str, headers: dict[str, str]) -> httpx.Response:
        return await self.client.get(f"/v1/bookings/{self.booking_id}{path}", headers=headers)

    async def start_walk(self, seconds_ago: float = 50) -> None:
        """On my way, at the door, and the walk started."""
        assert (await self.post("/on-my-way", self.worker)).status_code == 200
        await self.fix(PICKUP, seconds_ago=seconds_ago)
        started = await self.post("/start", self.worker)
        assert started.status_code == 200, started.text


async def walk_world(client: httpx.AsyncClient, services: Services) -> WalkWorld:
    world = await build_world(client)
    worker_id, worker = await world.add_worker("walker@example.com")
    booking_id = (await world.book(hours_ahead=0.5)).json()["data"]["id"]
    confirmed = await client.post(
        f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={"workerId": worker_id}
    )
    assert confirmed.status_code == 200, confirmed.text
    await client.post(f"/v1/workers/{worker_id}/online", headers=worker)
    await world.send_fix(worker, worker_id, east(600), seconds_ago=100)
    recorder = EventRecorder(services.events)
    services.events = recorder
    return WalkWorld(world, booking_id, worker_id, worker, recorder, client)
