"""The report of a walk in progress follows its new fixes without recleaning the whole trail, and agrees
with the whole-trail summary (exactly: the same legs from the same fixes). Completion still stores the
whole-trail summary."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from app.composition import Services
from app.walks.live_summaries import LiveSummaries
from geo import LngLat, TrailPoint, destination, summarize_walk
from tests.app.bookings_world import PICKUP
from tests.app.walks.walk_world import WalkWorld, walk_world


def _noisy_walk(start_ms: int, count: int, seed: int) -> list[TrailPoint]:
    """1 fix/s at 1.3 m/s, turning every minute, 2.5 m of jitter and 2% spikes of 50-500 m."""
    rng = random.Random(seed)
    position, fixes = LngLat(*PICKUP), []
    for i in range(count):
        position = destination(position, (i // 60) * 53 % 360, 1.3)
        noisy = destination(position, rng.uniform(0, 360), abs(rng.gauss(0, 2.5)))
        if rng.random() < 0.02:
            noisy = destination(noisy, rng.uniform(0, 360), rng.uniform(50, 500))
        fixes.append(TrailPoint(noisy, start_ms + 1000 * i, 5.0))
    return fixes


class CountingReads:
    """Counts whole-trail reads (what the cache saves) on the store's trail repository."""

    def __init__(self, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
        self.whole = 0
        trails = services.store.trails
        original = trails.points

        async def points(booking_id: str) -> list[TrailPoint]:
            self.whole += 1
            return await original(booking_id)

        monkeypatch.setattr(trails, "points", points)


@pytest.fixture
async def walking(client: httpx.AsyncClient, services: Services) -> WalkWorld:
    ww = await walk_world(client, services)
    await ww.start_walk(seconds_ago=50)
    return ww


async def _report(ww: WalkWorld) -> dict[str, Any]:
    response = await ww.get("/report", ww.world.owner_headers)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()["data"]
    return report


async def _whole(services: Services, booking_id: str) -> float:
    return summarize_walk(await services.store.trails.points(booking_id)).distance_m


async def test_the_report_of_a_walk_in_progress_follows_new_fixes_reading_only_them(
    walking: WalkWorld, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    start_ms = int(services.clock.now().timestamp() * 1000) - 40_000
    fixes = _noisy_walk(start_ms, 900, seed=1)
    await services.store.trails.append(walking.booking_id, fixes[:300])
    reads = CountingReads(services, monkeypatch)
    first = await _report(walking)
    assert reads.whole == 1
    assert first["distanceM"] == pytest.approx(await _whole(services, walking.booking_id), rel=1e-4, abs=0.1)
    for begin in range(300, 900, 150):
        await services.store.trails.append(walking.booking_id, fixes[begin : begin + 150])
        before = reads.whole
        report = await _report(walking)
        map_svg = await walking.get("/report/map.svg", walking.world.owner_headers)
        assert map_svg.status_code == 200
        # Only the fixes stored since the last call were read.
        assert reads.whole == before
        whole = await _whole(services, walking.booking_id)
        assert report["distanceM"] == pytest.approx(whole, rel=1e-4, abs=0.1)
        assert report["distanceM"] > first["distanceM"]


async def test_a_fix_stored_late_rebuilds_the_summary(walking: WalkWorld, services: Services) -> None:
    start_ms = int(services.clock.now().timestamp() * 1000) - 40_000
    fixes = _noisy_walk(start_ms, 400, seed=2)
    late, on_time = fixes[200], fixes[:200] + fixes[201:]
    await services.store.trails.append(walking.booking_id, on_time)
    await _report(walking)
    # An offline flush delivers a fix older than the newest stored.
    await services.store.trails.append(walking.booking_id, [late])
    report = await _report(walking)
    assert report["distanceM"] == pytest.approx(await _whole(services, walking.booking_id), rel=1e-4, abs=0.1)


async def test_completion_stores_the_whole_trail_summary(walking: WalkWorld, services: Services) -> None:
    start_ms = int(services.clock.now().timestamp() * 1000) - 40_000
    fixes = _noisy_walk(start_ms, 600, seed=3)
    await services.store.trails.append(walking.booking_id, fixes[:500])
    await _report(walking)
    await services.store.trails.append(walking.booking_id, fixes[500:])
    await _report(walking)
    assert (await walking.post("/complete", walking.worker)).status_code == 200
    whole = summarize_walk(await services.store.trails.points(walking.booking_id))
    stored = await services.store.bookings.get(walking.booking_id)
    assert stored is not None and stored.walk is not None
    assert stored.walk.distance_m == round(whole.distance_m, 1)
    assert stored.walk.route == whole.route_geojson()
    report = await _report(walking)
    assert report["distanceM"] == round(whole.distance_m, 1)


async def test_the_tracking_view_of_a_walk_in_progress_agrees(walking: WalkWorld, services: Services) -> None:
    start_ms = int(services.clock.now().timestamp() * 1000) - 40_000
    fixes = _noisy_walk(start_ms, 500, seed=4)
    for begin in (0, 250):
        await services.store.trails.append(walking.booking_id, fixes[begin : begin + 250])
        response = await walking.client.get(
            f"/v1/bookings/{walking.booking_id}/tracking", headers=walking.world.owner_headers
        )
        assert response.status_code == 200, response.text
        distance = response.json()["data"]["distanceM"]
        assert distance == pytest.approx(await _whole(services, walking.booking_id), rel=1e-4, abs=0.1)


async def test_the_cache_holds_a_bounded_number_of_walks(services: Services) -> None:
    summaries = LiveSummaries(services.store.trails, max_walks=2)
    for k, booking_id in enumerate(["a", "b", "c"]):
        fixes = _noisy_walk(1_767_225_600_000, 200, seed=k)
        await services.store.trails.append(booking_id, fixes)
        summary = await summaries.summary(booking_id)
        assert summary.distance_m == pytest.approx(summarize_walk(fixes).distance_m, rel=1e-4, abs=0.1)
    assert len(summaries) == 2
