"""A small marketplace built through the API, for the booking, dispatch and payment tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.app.marketplace import business_account, owner
from tests.support.api import PASSWORD

PICKUP = [2.35, 48.85]


@dataclass
class World:
    client: httpx.AsyncClient
    business_headers: dict[str, str]
    business_id: str
    service_id: str
    owner_headers: dict[str, str]
    owner_id: str
    pet_id: str
    workers: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    async def add_worker(self, email: str, specializations: list[str] | None = None) -> tuple[str, dict[str, str]]:
        created = await self.client.post(
            f"/v1/businesses/{self.business_id}/workers",
            headers=self.business_headers,
            json={
                "email": email,
                "firstName": "Wally",
                "lastName": "Walker",
                "password": PASSWORD,
                "specializations": specializations or ["dog"],
            },
        )
        assert created.status_code == 201, created.text
        worker_id = created.json()["data"]["id"]
        login = await self.client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['data']['accessToken']}"}
        self.workers.append((worker_id, headers))
        return worker_id, headers

    async def book(self, *, hours_ahead: float = 48, key: str | None = None, **extra: Any) -> httpx.Response:
        body: dict[str, Any] = {
            "serviceId": self.service_id,
            "pets": [self.pet_id],
            "scheduledAt": (datetime.now(UTC) + timedelta(hours=hours_ahead)).isoformat().replace("+00:00", "Z"),
            "location": {"coordinates": PICKUP, "address": "1 rue de Rivoli"},
            **extra,
        }
        headers = dict(self.owner_headers)
        if key:
            headers["Idempotency-Key"] = key
        return await self.client.post("/v1/bookings", json=body, headers=headers)

    async def send_fix(
        self, worker_headers: dict[str, str], worker_id: str, coordinates: list[float], *, seconds_ago: float = 0
    ) -> None:
        timestamp = int((datetime.now(UTC).timestamp() - seconds_ago) * 1000)
        response = await self.client.put(
            f"/v1/workers/{worker_id}/location",
            headers=worker_headers,
            json={"coordinates": coordinates, "timestamp": timestamp},
        )
        assert response.status_code == 200, response.text


async def build_world(client: httpx.AsyncClient, *, base_price: int = 2000) -> World:
    business_headers, business_id = await business_account(client, "biz@example.com")
    service = await client.post(
        f"/v1/businesses/{business_id}/services",
        headers=business_headers,
        json={
            "name": "Hour walk",
            "serviceType": "walking",
            "pricing": {"basePrice": base_price, "currency": "EUR", "priceType": "fixed", "additionalPetPrice": 500},
            "duration": 60,
            "petTypes": ["dog"],
            "maxPets": 3,
        },
    )
    assert service.status_code == 201, service.text
    owner_headers, owner_id = await owner(client, "owner@example.com")
    pet = await client.post(
        "/v1/pets", headers=owner_headers, json={"name": "Rex", "species": "dog", "age": 3, "weight": 20}
    )
    assert pet.status_code == 201, pet.text
    return World(
        client=client,
        business_headers=business_headers,
        business_id=business_id,
        service_id=service.json()["data"]["id"],
        owner_headers=owner_headers,
        owner_id=owner_id,
        pet_id=pet.json()["data"]["id"],
    )
