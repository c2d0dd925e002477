"""Worker and business booking lists: time ranges, status, worker filter, paging and who may read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.composition import Services
from tests.app.bookings_world import World, build_world
from tests.app.marketplace import admin_headers, business_account, error_code, owner


def _at(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


@pytest.fixture
async def world(client: httpx.AsyncClient) -> World:
    return await build_world(client)


async def _booked(world: World, hours_ahead: float, worker_id: str | None = None) -> str:
    created = await world.book(hours_ahead=hours_ahead)
    assert created.status_code == 201, created.text
    booking_id: str = created.json()["data"]["id"]
    if worker_id is not None:
        confirmed = await world.client.post(
            f"/v1/bookings/{booking_id}/confirm", json={"workerId": worker_id}, headers=world.business_headers
        )
        assert confirmed.status_code == 200, confirmed.text
    return booking_id


async def test_a_business_lists_its_bookings_by_time_status_and_worker(world: World) -> None:
    walker, _ = await world.add_worker("walker@example.com")
    later = await _booked(world, 72, walker)
    soon = await _booked(world, 30)
    middle = await _booked(world, 50, walker)
    path = f"/v1/businesses/{world.business_id}/bookings"

    everything = await world.client.get(path, headers=world.business_headers)
    assert everything.status_code == 200, everything.text
    assert [b["id"] for b in everything.json()["data"]] == [soon, middle, later]
    ranged = await world.client.get(path, params={"from": _at(40), "to": _at(60)}, headers=world.business_headers)
    assert [b["id"] for b in ranged.json()["data"]] == [middle]
    confirmed = await world.client.get(path, params={"status": "confirmed"}, headers=world.business_headers)
    assert [b["id"] for b in confirmed.json()["data"]] == [middle, later]
    of_walker = await world.client.get(path, params={"workerId": walker, "limit": 1}, headers=world.business_headers)
    assert [b["id"] for b in of_walker.json()["data"]] == [middle]
    assert of_walker.json()["meta"] == {"page": 1, "limit": 1, "total": 2}


async def test_a_worker_sees_their_own_bookings_and_nobody_else_does(
    world: World, client: httpx.AsyncClient, services: Services
) -> None:
    walker, walker_headers = await world.add_worker("walker@example.com")
    colleague, colleague_headers = await world.add_worker("colleague@example.com")
    mine = await _booked(world, 30, walker)
    await _booked(world, 40, colleague)
    path = f"/v1/workers/{walker}/bookings"

    for allowed in (walker_headers, world.business_headers, await admin_headers(client, services)):
        response = await client.get(path, headers=allowed)
        assert [b["id"] for b in response.json()["data"]] == [mine]
    rival_headers, rival_business = await business_account(client, "rival@example.com")
    stranger, _ = await owner(client, "stranger@example.com")
    for refused in (colleague_headers, rival_headers, stranger, world.owner_headers):
        response = await client.get(path, headers=refused)
        assert response.status_code == 403 and error_code(response) == "FORBIDDEN"
        business = await client.get(f"/v1/businesses/{world.business_id}/bookings", headers=refused)
        assert business.status_code == 403
    assert (await client.get(path)).status_code == 401
    assert (await client.get("/v1/workers/missing/bookings", headers=world.business_headers)).status_code == 404
    assert (await client.get(f"/v1/businesses/{rival_business}/bookings", headers=rival_headers)).json()["data"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"from": "yesterday"},
        {"from": "2026-05-01T10:00:00"},
        {"from": "2026-05-02T00:00:00Z", "to": "2026-05-01T00:00:00Z"},
        {"status": "lost"},
        {"page": 0},
        {"limit": 101},
        {"workerId": "x" * 65},
    ],
)
async def test_bad_ranges_are_refused(world: World, params: dict[str, str | int]) -> None:
    response = await world.client.get(
        f"/v1/businesses/{world.business_id}/bookings", params=params, headers=world.business_headers
    )
    assert response.status_code == 422 and error_code(response) == "VALIDATION_ERROR"
