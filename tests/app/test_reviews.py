"""Reviews: who may review what, once; responses; flags; exact rating aggregates under concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.settings import Settings
from tests.app.marketplace import owner
from tests.app.payments_world import Env, payments_env


@pytest.fixture
async def env(settings: Settings) -> AsyncIterator[Env]:
    async with payments_env(settings) as env:
        await env.world.add_worker("walker@example.com")
        yield env


async def _completed(env: Env, count: int = 1) -> list[str]:
    """Bookings marked completed with the world's worker (the lifecycle itself is tested with payments)."""
    worker_id = env.world.workers[0][0]
    ids = []
    for index in range(count):
        booking = await env.book(hours_ahead=48 + index * 2)
        done = await env.services.store.bookings.update_where(
            {"id": booking["id"]}, {"status": "completed", "workerId": worker_id}
        )
        assert done is not None
        ids.append(booking["id"])
    return ids


async def _review(env: Env, booking_id: str, rating: Any = 5, headers: dict[str, str] | None = None) -> httpx.Response:
    return await env.client.post(
        "/v1/reviews",
        json={"bookingId": booking_id, "rating": rating, "title": "Great", "comment": "Rex loved it"},
        headers=headers or env.world.owner_headers,
    )


async def _ratings(env: Env) -> tuple[dict[str, Any], dict[str, Any]]:
    business = await env.client.get(f"/v1/businesses/{env.world.business_id}", headers=env.world.owner_headers)
    worker = await env.client.get(f"/v1/workers/{env.world.workers[0][0]}", headers=env.world.business_headers)
    assert business.status_code == worker.status_code == 200, (business.text, worker.text)
    return business.json()["data"]["rating"], worker.json()["data"]["rating"]


async def test_only_the_owner_of_a_completed_booking_reviews_it_once(env: Env) -> None:
    pending = await env.book()
    refused = await _review(env, pending["id"])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "CONFLICT"
    (booking_id,) = await _completed(env)
    stranger, _ = await owner(env.client, "stranger@example.com")
    assert (await _review(env, booking_id, headers=stranger)).status_code == 404
    assert (await _review(env, booking_id, headers=env.world.business_headers)).status_code == 403
    assert (await _review(env, "missing")).status_code == 404
    for bad in (0, 6, 4.5, "4", True, None):
        response = await _review(env, booking_id, rating=bad)
        assert response.status_code == 422, (bad, response.text)
    created = await _review(env, booking_id, rating=4)
    assert created.status_code == 201, created.text
    review = created.json()["data"]
    assert (review["rating"], review["businessId"], review["workerId"]) == (
        4,
        env.world.business_id,
        env.world.workers[0][0],
    )
    second = await _review(env, booking_id, rating=5)
    assert second.status_code == 409
    assert "review.created" in await env.notification_types(env.world.business_headers)


async def test_aggregates_follow_creates_edits_and_deletes(env: Env) -> None:
    first_id, second_id = await _completed(env, 2)
    first = (await _review(env, first_id, rating=5)).json()["data"]
    await _review(env, second_id, rating=2)
    business, worker = await _ratings(env)
    assert business == worker == {"average": 3.5, "count": 2}
    url = f"/v1/reviews/{first['id']}"
    stranger, _ = await owner(env.client, "other@example.com")
    assert (await env.client.put(url, json={"rating": 1}, headers=stranger)).status_code == 403
    assert (await env.client.put(url, json={"rating": 7}, headers=env.world.owner_headers)).status_code == 422
    edited = await env.client.put(url, json={"rating": 3, "comment": "Fine"}, headers=env.world.owner_headers)
    assert edited.status_code == 200 and edited.json()["data"]["comment"] == "Fine"
    business, worker = await _ratings(env)
    assert business == worker == {"average": 2.5, "count": 2}
    assert (await env.client.delete(url, headers=stranger)).status_code == 403
    assert (await env.client.delete(url, headers=env.world.owner_headers)).status_code == 200
    assert (await env.client.get(url, headers=env.world.owner_headers)).status_code == 404
    business, worker = await _ratings(env)
    assert business == worker == {"average": 2.0, "count": 1}


async def test_aggregates_are_exact_under_concurrent_reviews(env: Env) -> None:
    bookings = await _completed(env, 12)
    ratings = [1, 2, 3, 4, 5, 5, 4, 4, 3, 5, 2, 5]
    created = await asyncio.gather(*(_review(env, b, rating=r) for b, r in zip(bookings, ratings, strict=True)))
    assert [c.status_code for c in created] == [201] * 12
    # The same booking reviewed twice at once: exactly one wins.
    duplicates = await asyncio.gather(*(_review(env, bookings[0], rating=5) for _ in range(3)))
    assert [d.status_code for d in duplicates] == [409] * 3
    business, worker = await _ratings(env)
    expected = {"average": round(sum(ratings) / 12, 2), "count": 12}
    assert business == worker == expected
    # Concurrent edits and deletes settle exactly too.
    ids = [c.json()["data"]["id"] for c in created]
    edits = [env.client.put(f"/v1/reviews/{i}", json={"rating": 5}, headers=env.world.owner_headers) for i in ids[:6]]
    deletes = [env.client.delete(f"/v1/reviews/{i}", headers=env.world.owner_headers) for i in ids[6:9]]
    results = await asyncio.gather(*edits, *deletes)
    assert [r.status_code for r in results] == [200] * 9
    remaining = [5] * 6 + ratings[9:]
    business, worker = await _ratings(env)
    assert business == worker == {"average": round(sum(remaining) / len(remaining), 2), "count": len(remaining)}
    stored = await env.services.store.businesses.get(env.world.business_id)
    assert stored is not None and stored.rating.count == len(remaining)


async def test_business_responds_once_and_the_author_is_told(env: Env) -> None:
    (booking_id,) = await _completed(env)
    review = (await _review(env, booking_id, rating=3)).json()["data"]
    url = f"/v1/reviews/{review['id']}/response"
    assert (await env.client.post(url, json={"comment": "Thanks"}, headers=env.world.owner_headers)).status_code == 403
    response = await env.client.post(url, json={"comment": "Thanks, see you soon"}, headers=env.world.business_headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["response"]["comment"] == "Thanks, see you soon"
    again = await env.client.post(url, json={"comment": "Again"}, headers=env.world.business_headers)
    assert again.status_code == 409
    assert "review.response" in await env.notification_types(env.world.owner_headers)


async def test_flagged_reviews_leave_the_public_lists(env: Env) -> None:
    first_id, second_id = await _completed(env, 2)
    kept = (await _review(env, first_id, rating=5)).json()["data"]
    flagged = (await _review(env, second_id, rating=1)).json()["data"]
    business_list = f"/v1/businesses/{env.world.business_id}/reviews"
    worker_list = f"/v1/workers/{env.world.workers[0][0]}/reviews"
    stranger, _ = await owner(env.client, "reader@example.com")
    before = await env.client.get(business_list, headers=stranger)
    assert before.json()["meta"]["total"] == 2
    # Not a party of the booking: may not flag.
    assert (await env.client.post(f"/v1/reviews/{flagged['id']}/flag", headers=stranger)).status_code == 403
    flag = await env.client.post(
        f"/v1/reviews/{flagged['id']}/flag", json={"reason": "abusive"}, headers=env.world.business_headers
    )
    assert flag.status_code == 200 and flag.json()["data"]["status"] == "flagged"
    for url in (business_list, worker_list):
        listed = await env.client.get(url, headers=stranger)
        assert listed.status_code == 200
        assert [r["id"] for r in listed.json()["data"]] == [kept["id"]]
        assert listed.json()["meta"]["total"] == 1
    assert (await env.client.get(f"/v1/reviews/{flagged['id']}", headers=stranger)).status_code == 404
    assert (await env.client.get(f"/v1/reviews/{flagged['id']}", headers=env.world.owner_headers)).status_code == 200
    assert (await env.client.get(f"/v1/reviews/{kept['id']}", headers=stranger)).status_code == 200
    assert (await env.client.get("/v1/businesses/missing/reviews", headers=stranger)).status_code == 404
