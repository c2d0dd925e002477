"""Reviews: `isVerified` (written on a completed booking) and `photos` uploaded by the review's author."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.domain.reviews import MAX_REVIEW_PHOTOS
from app.settings import Settings
from tests.app.marketplace import owner
from tests.app.media.images import image_bytes, pdf
from tests.app.payments_world import Env, payments_env


@pytest.fixture
async def env(settings: Settings) -> AsyncIterator[Env]:
    async with payments_env(settings) as env:
        await env.world.add_worker("walker@example.com")
        yield env


def upload(data: bytes, name: str = "p.png", content_type: str = "image/png") -> dict[str, Any]:
    return {"files": {"file": (name, data, content_type)}}


async def _reviewed(env: Env) -> dict[str, Any]:
    booking = await env.book()
    await env.services.store.bookings.update_where(
        {"id": booking["id"]}, {"status": "completed", "workerId": env.world.workers[0][0]}
    )
    with_photos = await env.client.post(
        "/v1/reviews", json={"bookingId": booking["id"], "rating": 5, "photos": ["x"]}, headers=env.world.owner_headers
    )
    assert with_photos.status_code == 422
    created = await env.client.post(
        "/v1/reviews", json={"bookingId": booking["id"], "rating": 5, "photos": []}, headers=env.world.owner_headers
    )
    assert created.status_code == 201, created.text
    review: dict[str, Any] = created.json()["data"]
    return review


async def test_a_review_of_a_completed_booking_is_verified_and_carries_its_authors_photos(env: Env) -> None:
    review = await _reviewed(env)
    assert (review["isVerified"], review["photos"]) == (True, [])
    url = f"/v1/reviews/{review['id']}/photos"
    stranger, _ = await owner(env.client, "sam@example.com")
    assert (await env.client.post(url, headers=stranger, **upload(image_bytes("PNG")))).status_code == 403
    assert (
        await env.client.post(url, headers=env.world.business_headers, **upload(image_bytes("PNG")))
    ).status_code == 403
    refused = await env.client.post(url, headers=env.world.owner_headers, **upload(pdf(), "p.pdf", "application/pdf"))
    assert refused.status_code == 422
    ids = []
    for n in range(MAX_REVIEW_PHOTOS):
        done = await env.client.post(
            url, headers=env.world.owner_headers, **upload(image_bytes("PNG", size=(300 + n, 200)))
        )
        assert done.status_code == 201, done.text
        assert done.json()["data"]["kind"] == "review_photo"
        ids.append(done.json()["data"]["id"])
    full = await env.client.post(url, headers=env.world.owner_headers, **upload(image_bytes("PNG")))
    assert full.status_code == 409

    listed = (await env.client.get(f"/v1/businesses/{env.world.business_id}/reviews")).json()["data"]
    assert [(r["photos"], r["isVerified"]) for r in listed] == [(ids, True)]
    assert (await env.client.get(f"/v1/media/{ids[0]}")).status_code == 200
    deleted = await env.client.delete(f"/v1/reviews/{review['id']}", headers=env.world.owner_headers)
    assert deleted.status_code == 200
    assert [await env.services.store.media.get(photo_id) for photo_id in ids] == [None] * len(ids)
    assert (
        await env.client.post("/v1/reviews/nope/photos", headers=env.world.owner_headers, **upload(image_bytes("PNG")))
    ).status_code == 404


async def test_erasing_the_author_forgets_their_review_photos(env: Env) -> None:
    review = await _reviewed(env)
    done = await env.client.post(
        f"/v1/reviews/{review['id']}/photos", headers=env.world.owner_headers, **upload(image_bytes("PNG"))
    )
    exported = (await env.client.get("/v1/users/me/export", headers=env.world.owner_headers)).json()["data"]
    assert [(r["photos"], r["isVerified"]) for r in exported["reviews"]] == [([done.json()["data"]["id"]], True)]

    assert (await env.client.delete("/v1/users/me", headers=env.world.owner_headers)).status_code == 200

    stored = await env.services.store.reviews.get(review["id"])
    assert stored is not None and stored.photos == []
    assert await env.services.store.media.get(done.json()["data"]["id"]) is None
