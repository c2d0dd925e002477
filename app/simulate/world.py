"""The demo world, made through the public API: one business with a service area and a walking service,
its walkers, and owners with a dog each. The request bodies are functions of their own so that a world
seeded another way (the console benchmark writes it straight into the store) holds the same data."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import Any

from app.simulate.api import Api
from app.simulate.paths import Grid

PASSWORD = "walky-demo-2026"
# Account creation hashes passwords (argon2): a few at a time keeps the server answering everything else.
CREATE_CONCURRENCY = 8


@dataclass(frozen=True, slots=True)
class Account:
    token: str
    user_id: str
    worker_id: str | None = None


@dataclass(slots=True)
class World:
    grid: Grid
    radius_m: float
    business_id: str
    business_email: str
    business: Account
    service_id: str
    walkers: list[Account] = field(default_factory=list)
    owners: list[tuple[Account, str]] = field(default_factory=list)  # (owner, pet id)


def new_run() -> str:
    """A short random tag that keeps this world's emails apart from earlier runs' on the same server."""
    return secrets.token_hex(3)


def business_email(run: str) -> str:
    return f"dispatch-{run}@walky-demo.example.com"


def walker_email(run: str, number: int) -> str:
    return f"walker{number}-{run}@walky-demo.example.com"


def owner_email(run: str, number: int) -> str:
    return f"owner{number}-{run}@walky-demo.example.com"


def business_body(run: str, grid: Grid, radius_m: float) -> dict[str, Any]:
    half = radius_m * 1.2
    corners = [(-half, -half), (half, -half), (half, half), (-half, half), (-half, -half)]
    return {
        "name": f"Walky demo {run}",
        "address": {"city": "Demo city", "coordinates": grid.to_lnglat(0, 0)},
        "serviceArea": {"type": "Polygon", "coordinates": [[grid.to_lnglat(x, y) for x, y in corners]]},
    }


SERVICE_BODY: dict[str, Any] = {
    "name": "Hour walk",
    "serviceType": "walking",
    "pricing": {"basePrice": 2000, "currency": "EUR", "priceType": "fixed", "additionalPetPrice": 500},
    "duration": 60,
    "petTypes": ["dog"],
    "maxPets": 3,
}


def walker_body(run: str, number: int) -> dict[str, Any]:
    return {
        "email": walker_email(run, number),
        "firstName": f"Walker{number}",
        "lastName": "Demo",
        "password": PASSWORD,
        "specializations": ["dog"],
    }


def pet_body(number: int) -> dict[str, Any]:
    return {"name": f"Rex{number}", "species": "dog"}


async def _session(api: Api, email: str) -> Account:
    data = await api.call("POST", "/v1/auth/login", body={"email": email, "password": PASSWORD})
    user = data["user"]
    return Account(data["accessToken"], user["id"], user.get("workerId"))


async def _register(api: Api, email: str, role: str, first: str) -> Account:
    body = {"email": email, "password": PASSWORD, "role": role, "firstName": first, "lastName": "Demo"}
    data = await api.call("POST", "/v1/auth/register", body=body)
    return Account(data["accessToken"], data["user"]["id"])


async def build_world(api: Api, *, walkers: int, owners: int, grid: Grid, radius_m: float) -> World:
    run = new_run()
    email = business_email(run)
    business = await _register(api, email, "business", "Dispatch")
    created = await api.call("POST", "/v1/businesses", business.token, business_body(run, grid, radius_m))
    service = await api.call("POST", f"/v1/businesses/{created['id']}/services", business.token, SERVICE_BODY)
    # Sign in again: the business token now carries the business id.
    world = World(grid, radius_m, created["id"], email, await _session(api, email), service["id"])
    gate = asyncio.Semaphore(CREATE_CONCURRENCY)

    async def add_walker(number: int) -> Account:
        async with gate:
            body = walker_body(run, number)
            await api.call("POST", f"/v1/businesses/{world.business_id}/workers", world.business.token, body)
            return await _session(api, body["email"])

    async def add_owner(number: int) -> tuple[Account, str]:
        async with gate:
            owner = await _register(api, owner_email(run, number), "owner", f"Owner{number}")
            pet = await api.call("POST", "/v1/pets", owner.token, pet_body(number))
            return owner, pet["id"]

    world.walkers = list(await asyncio.gather(*(add_walker(n) for n in range(walkers))))
    world.owners = list(await asyncio.gather(*(add_owner(n) for n in range(owners))))
    return world
