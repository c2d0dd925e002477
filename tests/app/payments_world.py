"""An app on a movable clock with a small marketplace, for the payment, webhook and review tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.composition import Services
from app.domain.base import iso
from app.service import create_app, services_of
from app.settings import Settings
from tests.app.bookings_world import PICKUP, World, build_world
from tests.support.asgi import http_client, lifespan
from tests.support.clocks import MovableClock

WEBHOOK_SECRET = "whsec_walky_tests"


@dataclass
class Env:
    client: httpx.AsyncClient
    services: Services
    clock: MovableClock
    world: World

    async def book(self, *, hours_ahead: float = 48, service_id: str | None = None) -> dict[str, Any]:
        when = self.clock.now() + timedelta(hours=hours_ahead)
        extra: dict[str, Any] = {"scheduledAt": iso(when)}
        if service_id is not None:
            extra["serviceId"] = service_id
        response = await self.world.book(**extra)
        assert response.status_code == 201, response.text
        booking: dict[str, Any] = response.json()["data"]
        return booking

    async def pay(self, booking_id: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.post(
            "/v1/payments/intent", json={"bookingId": booking_id}, headers=headers or self.world.owner_headers
        )

    async def payment_of(self, booking_id: str) -> dict[str, Any]:
        listing = await self.client.get(
            "/v1/payments", params={"bookingId": booking_id}, headers=self.world.owner_headers
        )
        assert listing.status_code == 200, listing.text
        (payment,) = listing.json()["data"]
        assert isinstance(payment, dict)
        return payment

    async def cancel(self, booking_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = await self.client.post(
            f"/v1/bookings/{booking_id}/cancel",
            json={"reason": "plans changed"},
            headers=headers or self.world.owner_headers,
        )
        assert response.status_code == 200, response.text
        booking: dict[str, Any] = response.json()["data"]
        return booking

    async def walk(self, booking_id: str) -> dict[str, Any]:
        """Confirm with a worker, start at the pickup, complete: the booking as completed."""
        if not self.world.workers:
            await self.world.add_worker("walker@example.com")
        worker_id, worker = self.world.workers[0]
        confirmed = await self.client.post(
            f"/v1/bookings/{booking_id}/confirm", headers=self.world.business_headers, json={"workerId": worker_id}
        )
        assert confirmed.status_code == 200, confirmed.text
        await self.client.post(f"/v1/workers/{worker_id}/online", headers=worker)
        await self.world.send_fix(worker, worker_id, PICKUP)
        started = await self.client.post(f"/v1/bookings/{booking_id}/start", headers=worker)
        assert started.status_code == 200, started.text
        completed = await self.client.post(f"/v1/bookings/{booking_id}/complete", headers=worker)
        assert completed.status_code == 200, completed.text
        booking: dict[str, Any] = completed.json()["data"]
        return booking

    async def notification_types(self, headers: dict[str, str]) -> list[str]:
        response = await self.client.get("/v1/notifications", params={"limit": 100}, headers=headers)
        return [n["type"] for n in response.json()["data"]]


@asynccontextmanager
async def payments_env(settings: Settings, **overrides: Any) -> AsyncIterator[Env]:
    clock = MovableClock(datetime.now(UTC))
    app = create_app(settings.model_copy(update={"stripe_webhook_secret": WEBHOOK_SECRET, **overrides}), clock=clock)
    async with lifespan(app), http_client(app) as client:
        world = await build_world(client)
        yield Env(client=client, services=services_of(app), clock=clock, world=world)


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """`Stripe-Signature` as Stripe builds it: `t=<unix>,v1=<HMAC-SHA256(secret, "<t>.<raw body>")>`."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def stripe_event(event_id: str, event_type: str, obj: dict[str, Any], *, created: int = 1_780_000_000) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "created": created,
            "livemode": False,
            "data": {"object": obj},
        }
    ).encode()


def intent_object(booking_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"pi_offline_{booking_id}",
        "object": "payment_intent",
        "amount": 2000,
        "metadata": {"bookingId": booking_id},
        **fields,
    }


async def post_event(client: httpx.AsyncClient, payload: bytes, signature: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return await client.post("/v1/webhooks/stripe", content=payload, headers=headers)
