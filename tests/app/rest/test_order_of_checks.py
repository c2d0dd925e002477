"""A caller who may not act on a resource is refused (401/403/404) before the body is validated (422)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.app.bookings_world import World, build_world
from tests.app.marketplace import business_account, error_code, owner

# Each body is wrong in its own way; the right caller gets 422 for it, everyone else never does.
BAD = {"unknown": True, "name": "", "firstName": 42, "reason": "", "text": ""}


@pytest.fixture
async def world(client: httpx.AsyncClient) -> World:
    world = await build_world(client)
    await world.add_worker("walker@example.com")
    return world


def _writes(world: World, booking_id: str, review_id: str = "no-review") -> list[tuple[str, str]]:
    worker_id = world.workers[0][0]
    return [
        ("PUT", f"/v1/businesses/{world.business_id}"),
        ("POST", f"/v1/businesses/{world.business_id}/workers"),
        ("POST", f"/v1/businesses/{world.business_id}/services"),
        ("PUT", f"/v1/services/{world.service_id}"),
        ("PUT", f"/v1/workers/{worker_id}"),
        ("PUT", f"/v1/pets/{world.pet_id}"),
        ("POST", f"/v1/pets/{world.pet_id}/co-owners"),
        ("POST", f"/v1/bookings/{booking_id}/cancel"),
        ("POST", f"/v1/reviews/{review_id}/response"),
        ("PUT", f"/v1/workers/{worker_id}/location"),
    ]


async def _send(client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str], body: Any) -> int:
    return (await client.request(method, path, json=body, headers=headers)).status_code


async def test_strangers_are_refused_before_their_body_is_read(world: World, client: httpx.AsyncClient) -> None:
    booking_id = (await world.book()).json()["data"]["id"]
    rival, _ = await business_account(client, "rival@example.com")
    stranger, _ = await owner(client, "stranger@example.com")
    for method, path in _writes(world, booking_id):
        for caller in (rival, stranger):
            status = await _send(client, method, path, caller, BAD)
            assert status in (403, 404), (method, path, status)
        assert await _send(client, method, path, {}, BAD) == 401, (method, path)


async def test_a_missing_resource_is_404_whatever_the_body(world: World, client: httpx.AsyncClient) -> None:
    for method, path in (
        ("PUT", "/v1/businesses/missing"),
        ("POST", "/v1/businesses/missing/workers"),
        ("PUT", "/v1/services/missing"),
        ("PUT", "/v1/workers/missing"),
        ("PUT", "/v1/pets/missing"),
        ("POST", "/v1/bookings/missing/cancel"),
        ("PUT", "/v1/reviews/missing"),
        ("POST", "/v1/payments/missing/refund"),
    ):
        response = await client.request(method, path, json=BAD, headers=world.business_headers)
        assert response.status_code == 404 and error_code(response) == "NOT_FOUND", (method, path)


async def test_the_right_caller_still_gets_the_validation_error(world: World, client: httpx.AsyncClient) -> None:
    booking_id = (await world.book()).json()["data"]["id"]
    for method, path, caller in (
        ("POST", f"/v1/businesses/{world.business_id}/workers", world.business_headers),
        ("PUT", f"/v1/services/{world.service_id}", world.business_headers),
        ("PUT", f"/v1/pets/{world.pet_id}", world.owner_headers),
        ("POST", f"/v1/bookings/{booking_id}/cancel", world.owner_headers),
    ):
        response = await client.request(method, path, json={"name": "", "reason": "", "email": 1}, headers=caller)
        assert response.status_code == 422 and error_code(response) == "VALIDATION_ERROR", (path, response.text)


async def test_a_worker_may_not_edit_a_colleague_before_the_body_counts(
    world: World, client: httpx.AsyncClient
) -> None:
    _, walker_headers = world.workers[0]
    colleague, _ = await world.add_worker("colleague@example.com")
    response = await client.put(f"/v1/workers/{colleague}", json=BAD, headers=walker_headers)
    assert response.status_code == 403 and error_code(response) == "FORBIDDEN"
