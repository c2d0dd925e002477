"""Share links over REST: follow a walk without an account while the link lives; 404 once it does not."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from app.composition import Services
from app.domain.base import parse_iso
from app.walks.share import token_hash
from tests.app.bookings_world import PICKUP
from tests.app.marketplace import error_code, owner
from tests.app.walks.walk_world import WalkWorld, east, walk_world
from tests.support.clocks import MovableClock


@pytest.fixture
async def ww(client: httpx.AsyncClient, services: Services) -> WalkWorld:
    return await walk_world(client, services)


async def share(ww: WalkWorld, body: object = None) -> dict[str, str]:
    response = await ww.post("/share", ww.world.owner_headers, body)
    assert response.status_code == 201, response.text
    data: dict[str, str] = response.json()["data"]
    return data


async def shared(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get(f"/v1/share/{token}")


async def test_a_link_follows_the_walk_without_an_account(ww: WalkWorld, services: Services) -> None:
    link = await share(ww, {"expiresInMin": 120})
    assert len(link["token"]) >= 43 and link["url"].endswith(f"/track/{link['token']}")
    # Only the hash is stored.
    assert await services.store.share_links.get(link["token"]) is None
    assert await services.store.share_links.get(token_hash(link["token"])) is not None

    before = (await shared(ww.client, link["token"])).json()["data"]
    assert before == {
        "status": "confirmed",
        "walkerFirstName": "Wally",
        "last": None,
        "trail": {
            "type": "LineString",
            "coordinates": [],
        },
        "etaS": None,
    }

    await ww.post("/on-my-way", ww.worker)
    await ww.fix(east(300), seconds_ago=70)
    coming = (await shared(ww.client, link["token"])).json()["data"]
    assert coming["status"] == "on_my_way" and coming["last"]["coordinates"] == east(300)
    assert 280 <= coming["etaS"] <= 320

    await ww.fix(PICKUP, seconds_ago=30)
    assert (await ww.post("/start", ww.worker)).status_code == 200
    await ww.fix(east(100), seconds_ago=20)
    walking = (await shared(ww.client, link["token"])).json()["data"]
    assert walking["status"] == "in_progress" and walking["etaS"] is None
    assert walking["trail"]["coordinates"] == [PICKUP, east(100)]
    # The walker's first name only: no surname, email or phone anywhere in the answer.
    text = (await shared(ww.client, link["token"])).text
    assert "Walker" not in text and "@" not in text


async def test_revoked_links_are_gone(ww: WalkWorld, client: httpx.AsyncClient) -> None:
    link = await share(ww)
    stranger, _ = await owner(client, "nosy@example.com")
    assert error_code(await client.delete(f"/v1/bookings/{ww.booking_id}/share/{link['token']}", headers=stranger)) == (
        "NOT_FOUND"
    )
    revoked = await client.delete(f"/v1/bookings/{ww.booking_id}/share/{link['token']}", headers=ww.world.owner_headers)
    assert revoked.status_code == 200, revoked.text
    assert error_code(await shared(client, link["token"])) == "NOT_FOUND"
    again = await client.delete(f"/v1/bookings/{ww.booking_id}/share/{link['token']}", headers=ww.world.owner_headers)
    assert error_code(again) == "NOT_FOUND"


async def test_links_expire_on_time_and_an_hour_after_the_walk(ww: WalkWorld, services: Services) -> None:
    short = await share(ww, {"expiresInMin": 30})
    long = await share(ww, {"expiresInMin": 24 * 60})
    real = services.clock
    services.clock = MovableClock(real.now() + timedelta(minutes=31))
    assert error_code(await shared(ww.client, short["token"])) == "NOT_FOUND"
    assert (await shared(ww.client, long["token"])).status_code == 200
    services.clock = real

    await ww.start_walk()
    assert (await ww.post("/complete", ww.worker)).status_code == 200
    assert (await shared(ww.client, long["token"])).json()["data"]["status"] == "completed"
    services.clock = MovableClock(real.now() + timedelta(minutes=61))
    assert error_code(await shared(ww.client, long["token"])) == "NOT_FOUND"


async def test_expiry_answer_and_bounds(ww: WalkWorld) -> None:
    link = await share(ww)
    created = parse_iso(link["expiresAt"])
    assert timedelta(hours=3, minutes=59) < created - datetime.now(created.tzinfo) <= timedelta(hours=4)
    for body in ({"expiresInMin": 0}, {"expiresInMin": 24 * 60 + 1}, {"expiresInMin": "soon"}, {"ttl": 5}):
        assert error_code(await ww.post("/share", ww.world.owner_headers, body)) == "VALIDATION_ERROR", body


async def test_only_the_owners_share(ww: WalkWorld, client: httpx.AsyncClient) -> None:
    assert error_code(await ww.post("/share", ww.worker)) == "FORBIDDEN"
    assert error_code(await ww.post("/share", ww.world.business_headers)) == "FORBIDDEN"
    stranger, _ = await owner(client, "nosy@example.com")
    assert error_code(await ww.post("/share", stranger)) == "NOT_FOUND"
    await ww.post("/cancel", ww.world.owner_headers, {"reason": "rain"})
    assert error_code(await ww.post("/share", ww.world.owner_headers)) == "CONFLICT"


async def test_unknown_and_absurd_tokens_are_not_found(client: httpx.AsyncClient) -> None:
    for token in ("nope", "x" * 500, "%00"):
        assert error_code(await shared(client, token)) == "NOT_FOUND"
