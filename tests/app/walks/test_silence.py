"""A silent device: `tracking:stale` and a notification once per silence, to the owners and the business."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from app.composition import Services
from app.domain.base import iso
from app.events import user_room
from app.usecases.walks.silent_walks import alert_silent_walks, silence_watcher
from app.walks.silence import SILENCE_MS, silent_since
from tests.app.walks.walk_world import east, walk_world


def test_a_silence_is_named_by_when_it_began() -> None:
    assert silent_since(1_000, 0, 1_000 + SILENCE_MS - 1) is None
    assert silent_since(1_000, 0, 1_000 + SILENCE_MS) == 1_000
    # No fix since the start: the silence began with the walk.
    assert silent_since(None, 5_000, 5_000 + SILENCE_MS) == 5_000
    assert silent_since(None, 5_000, 5_000 + 10) is None


async def test_a_silent_walk_is_alerted_once_per_silence(client: httpx.AsyncClient, services: Services) -> None:
    ww = await walk_world(client, services)
    await ww.start_walk(seconds_ago=50)
    last = await services.store.trails.last(ww.booking_id)
    assert last is not None
    heard_at = datetime.fromtimestamp(last.timestamp_ms / 1000, tz=UTC)
    business = await services.store.businesses.get(ww.world.business_id)
    assert business is not None

    assert await alert_silent_walks(services, heard_at + timedelta(seconds=119)) == 0
    assert await alert_silent_walks(services, heard_at + timedelta(seconds=121)) == 1
    assert ww.recorder.of("tracking:stale") == [
        {"bookingId": ww.booking_id, "lastAt": iso(heard_at)},
        {"bookingId": ww.booking_id, "lastAt": iso(heard_at)},
    ]
    assert set(ww.recorder.rooms("tracking:stale")) == {user_room(ww.world.owner_id), user_room(business.owner_id)}
    # The same silence, later: nothing new.
    assert await alert_silent_walks(services, heard_at + timedelta(minutes=10)) == 0
    notes = (await client.get("/v1/notifications", headers=ww.world.owner_headers)).json()["data"]
    assert [n["type"] for n in notes].count("walk.stale") == 1

    # The phone is heard again, then goes quiet again: a new silence, a new alert.
    await ww.fix(east(20), seconds_ago=0)
    again = await services.store.trails.last(ww.booking_id)
    assert again is not None and again.timestamp_ms > last.timestamp_ms
    later = datetime.fromtimestamp(again.timestamp_ms / 1000, tz=UTC) + timedelta(minutes=3)
    assert await alert_silent_walks(services, later) == 1


async def test_walks_not_in_progress_are_never_stale(client: httpx.AsyncClient, services: Services) -> None:
    ww = await walk_world(client, services)
    await ww.post("/on-my-way", ww.worker)
    assert await alert_silent_walks(services, datetime.now(UTC) + timedelta(hours=1)) == 0
    assert await silence_watcher(services).sweep_once() == 0
