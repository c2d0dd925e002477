"""`dispatch:offer` reaches the walker's socket; `dispatch:accept` / `dispatch:decline` answer with acks."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from app.settings import Settings
from tests.app.bookings_world import build_world
from tests.app.dispatch.helpers import place_worker
from tests.realtime.conftest import serve, socket_client


async def test_offer_accept_and_decline_over_sockets(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    async with serve(settings) as live, httpx.AsyncClient(base_url=live.url) as client:
        services = live.services
        world = await build_world(client)
        near = await place_worker(services, world.business_id, meters=200)
        far = await place_worker(services, world.business_id, meters=600)
        tokens = {w.id: services.access_tokens.issue(w.principal, services.clock.now()) for w in (near, far)}
        offers: dict[str, asyncio.Queue[dict[str, Any]]] = {w.id: asyncio.Queue() for w in (near, far)}
        async with (
            socket_client(live.url, tokens[near.id]) as near_sio,
            socket_client(live.url, tokens[far.id]) as far_sio,
        ):
            near_sio.on("dispatch:offer", offers[near.id].put)
            far_sio.on("dispatch:offer", offers[far.id].put)
            created = await client.post(
                "/v1/bookings",
                headers=world.owner_headers,
                json={
                    "serviceType": "walking",
                    "asap": True,
                    "pets": [world.pet_id],
                    "location": {"coordinates": [2.35, 48.85]},
                },
            )
            booking_id = created.json()["data"]["id"]
            first = await asyncio.wait_for(offers[near.id].get(), 5)
            assert first["bookingId"] == booking_id and set(first) == {
                "offerId",
                "bookingId",
                "serviceType",
                "pickup",
                "distanceM",
                "expiresAt",
            }
            # Malformed and foreign answers get coded errors.
            bad = await far_sio.call("dispatch:accept", {"offerId": 7}, timeout=5)
            assert bad["ok"] is False and bad["error"]["code"] == "VALIDATION_ERROR"
            foreign = await far_sio.call("dispatch:accept", {"offerId": first["offerId"]}, timeout=5)
            assert foreign == {"ok": False, "error": {"code": "NOT_FOUND", "message": "no such offer"}}

            declined = await near_sio.call("dispatch:decline", {"offerId": first["offerId"]}, timeout=5)
            assert declined == {"ok": True, "declined": True, "bookingId": booking_id}
            second = await asyncio.wait_for(offers[far.id].get(), 5)
            accepted = await far_sio.call("dispatch:accept", {"offerId": second["offerId"]}, timeout=5)
            assert accepted == {"ok": True, "assigned": True, "bookingId": booking_id, "status": "confirmed"}
            late = await near_sio.call("dispatch:accept", {"offerId": first["offerId"]}, timeout=5)
            assert late["ok"] is False and late["error"]["code"] == "CONFLICT"
