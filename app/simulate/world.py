"""The demo world, made through the public API: one business with a service area and a walking service,
its walkers, and owners with a dog each."""

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


def _area(grid: Grid, radius_m: float) -> dict[str, Any]:
    half = radius_m * 1.2
    corners = [(-half, -half), (half, -half), (half, half), (-half, half), (-half, -half)]
    return {"type": "Polygon", "coordinates": [[grid.to_lnglat(x, y) for x, y in corners]]}


async def _session(api: Api, email: str) -> Account:
    data = await api.call("POST", "/v1/auth/login", body={"email": email, "password": PASSWORD})
    user = data["user"]
    return Account(data["accessToken"], user["id"], user.get("workerId"))


async def _register(api: Api, email: str, role: str, first: str) -> Account:
    body = {"email": email, "password": PASSWORD, "role": role, "firstName": first, "lastName": "Demo"}
    data = await api.call("POST", "/v1/auth/register", body=body)
    return Account(data["accessToken"], data["user"]["id"])


async def build_world(api: Api, *, walkers: int, owners: int, grid: Grid, radius_m: float) -> World:
    run = secrets.token_hex(3)
    email = f"dispatch-{run}@walky-demo.example.com"
    business = await _register(api, email, "business", "Dispatch")
    created = await api.call(
        "POST",
        "/v1/businesses",
        business.token,
        {
            "name": f"Walky demo {run}",
            "address": {"city": "Demo city", "coordinates": grid.to_lnglat(0, 0)},
            "serviceArea": _area(grid, radius_m),
        },
    )
    service = await api.call(
        "POST",
        f"/v1/businesses/{created['id']}/services",
        business.token,
        {
            "name": "Hour walk",
            "serviceType": "walking",
            "pricing": {"basePrice": 2000, "currency": "EUR", "priceType": "fixed", "additionalPetPrice": 500},
            "duration": 60,
            "petTypes": ["dog"],
            "maxPets": 3,
        },
    )
    # Sign in again: the business token now carries the business id.
    world = World(grid, radius_m, created["id"], email, await _session(api, email), service["id"])
    gate = asyncio.Semaphore(CREATE_CONCURRENCY)

    async def add_walker(number: int) -> Account:
        async with gate:
            walker_email = f"walker{number}-{run}@walky-demo.example.com"
            body = {
                "email": walker_email,
                "firstName": f"Walker{number}",
                "lastName": "Demo",
                "password": PASSWORD,
                "specializations": ["dog"],
            }
            await api.call("POST", f"/v1/businesses/{world.business_id}/workers", world.business.token, body)
            return await _session(api, walker_email)

    async def add_owner(number: int) -> tuple[Account, str]:
        async with gate:
            owner = await _register(api, f"owner{number}-{run}@walky-demo.example.com", "owner", f"Owner{number}")
            pet = await api.call("POST", "/v1/pets", owner.token, {"name": f"Rex{number}", "species": "dog"})
            return owner, pet["id"]

    world.walkers = list(await asyncio.gather(*(add_walker(n) for n in range(walkers))))
    world.owners = list(await asyncio.gather(*(add_owner(n) for n in range(owners))))
    return world
