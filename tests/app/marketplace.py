"""Builders shared by the marketplace tests: GeoJSON areas, business documents, API set-up."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx

from app.composition import Services
from app.domain.businesses import Address, Business, point
from app.ids import new_id
from app.usecases.admin import AdminAccount, create_admin
from tests.support.api import PASSWORD, bearer, register

NOW = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def ring(lng: float, lat: float, half: float) -> list[list[float]]:
    """A closed square ring of half-width `half` degrees around (lng, lat)."""
    return [
        [lng - half, lat - half],
        [lng + half, lat - half],
        [lng + half, lat + half],
        [lng - half, lat + half],
        [lng - half, lat - half],
    ]


def square(lng: float, lat: float, half: float, hole: float | None = None) -> dict[str, Any]:
    rings = [ring(lng, lat, half)]
    if hole is not None:
        rings.append(ring(lng, lat, hole))
    return {"type": "Polygon", "coordinates": rings}


def business(
    lng: float, lat: float, area: dict[str, Any], *, business_id: str | None = None, active: bool = True
) -> Business:
    return Business(
        id=business_id or new_id(),
        owner_id="owner",
        name="Paws",
        address=Address(coordinates=(lng, lat)),
        location=point(lng, lat),
        service_area=area,
        is_active=active,
        created_at=NOW,
        updated_at=NOW,
    )


def business_body(lng: float = 2.35, lat: float = 48.85, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Paws of Paris",
        "address": {"street": "1 rue de Rivoli", "city": "Paris", "coordinates": [lng, lat]},
        "serviceArea": square(lng, lat, 0.05),
        **extra,
    }


async def business_account(client: httpx.AsyncClient, email: str, **body: Any) -> tuple[dict[str, str], str]:
    """A business account with its business: (auth headers, business id)."""
    session = await register(client, email, role="business")
    headers = bearer(session)
    response = await client.post("/v1/businesses", json=business_body(**body), headers=headers)
    assert response.status_code == 201, response.text
    return headers, response.json()["data"]["id"]


async def owner(client: httpx.AsyncClient, email: str) -> tuple[dict[str, str], str]:
    session = await register(client, email)
    return bearer(session), session["user"]["id"]


def loose_json(body: Any, headers: dict[str, str]) -> dict[str, Any]:
    """Request arguments sending `body` as Python's json writes it, NaN and Infinity included
    (httpx refuses them, but a sloppy client can still send them)."""
    return {"content": json.dumps(body), "headers": {**headers, "Content-Type": "application/json"}}


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


async def admin_headers(
    client: httpx.AsyncClient, services: Services, email: str = "admin@example.com"
) -> dict[str, str]:
    """A platform admin made the way `python -m app admin create` makes one, logged in over REST."""
    account = AdminAccount(email=email, password=PASSWORD)
    await create_admin(services.store, services.passwords, services.clock, account)
    response = await client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return bearer(response.json()["data"])
