"""One contract for the live-location index, run on every adapter (memory always, Redis always)."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from app.domain.fixes import LiveFix
from app.live.live_index import STALE_AFTER_MS, LiveIndex
from app.live.redis_live_index import RedisLiveIndex
from geo.coordinates import LngLat
from geo.distance import destination

NOW = 1_800_000_000_000
CENTER = LngLat(-0.1276, 51.5072)


def fix_at(bearing: float, distance_m: float, ts: int = NOW, accuracy: float | None = 5.0) -> LiveFix:
    return LiveFix(destination(CENTER, bearing, distance_m), ts, accuracy)


async def put_online(index: LiveIndex, worker_id: str, fix: LiveFix, business_id: str = "b1") -> None:
    await index.set_presence(worker_id, business_id, online=True, available=True)
    await index.record_fix(worker_id, business_id, fix, fix.timestamp_ms)


async def test_unknown_worker_has_no_state(index: LiveIndex) -> None:
    assert await index.worker("nobody") is None


async def test_record_fix_keeps_the_last_fix_and_metadata(index: LiveIndex) -> None:
    fix = fix_at(0, 100)
    outcome = await index.record_fix("w1", "b1", fix, NOW)
    assert outcome.stored
    assert not outcome.available
    state = await index.worker("w1")
    assert state is not None
    assert state.last_fix == fix
    assert state.business_id == "b1"
    assert state.last_seen_ms == NOW
    assert not state.online


async def test_older_or_equal_fix_never_replaces_a_newer_one(index: LiveIndex) -> None:
    newer = fix_at(0, 100, ts=NOW)
    await index.record_fix("w1", "b1", newer, NOW)
    assert not (await index.record_fix("w1", "b1", fix_at(90, 200, ts=NOW - 1000), NOW)).stored
    assert not (await index.record_fix("w1", "b1", fix_at(90, 200, ts=NOW), NOW)).stored
    # Not even the very same fix twice: only a newer one is stored.
    assert not (await index.record_fix("w1", "b1", newer, NOW)).stored
    state = await index.worker("w1")
    assert state is not None and state.last_fix == newer


async def test_unknown_accuracy_round_trips_as_none(index: LiveIndex) -> None:
    fix = fix_at(0, 10, accuracy=None)
    await index.record_fix("w1", None, fix, NOW)
    state = await index.worker("w1")
    assert state is not None and state.last_fix == fix and state.business_id is None


async def test_nearby_returns_online_available_workers_nearest_first(index: LiveIndex) -> None:
    await put_online(index, "far", fix_at(90, 900))
    await put_online(index, "near", fix_at(180, 100))
    await put_online(index, "mid", fix_at(270, 500))
    await put_online(index, "outside", fix_at(0, 1500))
    hits = await index.nearby(CENTER, 1000, limit=10, now_ms=NOW)
    assert [h.worker_id for h in hits] == ["near", "mid", "far"]
    assert hits[0].distance_m == pytest.approx(100, abs=0.5)
    assert hits[0].business_id == "b1"
    assert hits[0].last_seen_ms == NOW
    assert hits[0].position == fix_at(180, 100).position


async def test_nearby_honours_the_limit(index: LiveIndex) -> None:
    for i in range(30):
        await put_online(index, f"w{i:02d}", fix_at(i * 12, 10 + i * 10))
    hits = await index.nearby(CENTER, 5000, limit=7, now_ms=NOW)
    assert [h.worker_id for h in hits] == [f"w{i:02d}" for i in range(7)]


async def test_filtered_out_nearer_workers_do_not_hide_farther_matches(index: LiveIndex) -> None:
    # More unavailable workers nearby than the first GEOSEARCH page holds.
    for i in range(80):
        await put_online(index, f"busy{i:02d}", fix_at(i * 4, 50 + i))
        await index.set_presence(f"busy{i:02d}", None, online=None, available=False)
    await put_online(index, "free", fix_at(0, 900))
    hits = await index.nearby(CENTER, 1000, limit=1, now_ms=NOW)
    assert [h.worker_id for h in hits] == ["free"]


async def test_the_nearest_are_found_far_out_and_close_in(index: LiveIndex) -> None:
    await put_online(index, "far", fix_at(45, 4_000))
    await put_online(index, "farther", fix_at(200, 9_000))
    assert [h.worker_id for h in await index.nearby(CENTER, 10_000, limit=5, now_ms=NOW)] == ["far", "farther"]
    for i in range(40):
        await put_online(index, f"close{i:02d}", fix_at(i * 9, 20 + i))
    hits = await index.nearby(CENTER, 10_000, limit=3, now_ms=NOW)
    assert [h.worker_id for h in hits] == ["close00", "close01", "close02"]


async def test_offline_and_unavailable_workers_are_not_nearby(index: LiveIndex) -> None:
    await put_online(index, "w1", fix_at(0, 100))
    await put_online(index, "w2", fix_at(0, 200))
    await index.set_presence("w1", None, online=False, available=None)
    state = await index.set_presence("w2", None, online=None, available=False)
    assert state.online and not state.available
    assert await index.nearby(CENTER, 1000, limit=10, now_ms=NOW) == []
    await index.set_presence("w1", None, online=True, available=None)
    assert [h.worker_id for h in await index.nearby(CENTER, 1000, limit=10, now_ms=NOW)] == ["w1"]


async def test_a_fix_while_offline_is_kept_but_not_indexed(index: LiveIndex) -> None:
    fix = fix_at(0, 100)
    await index.set_presence("w1", "b1", online=False, available=True)
    await index.record_fix("w1", "b1", fix, NOW)
    assert await index.nearby(CENTER, 1000, limit=10, now_ms=NOW) == []
    state = await index.set_presence("w1", None, online=True, available=None)
    assert state.online and state.available and state.business_id == "b1"
    # Indexed by the presence change from the fix it holds (in Redis: its decimal text, not a fix's hex).
    [hit] = await index.nearby(CENTER, 1000, limit=10, now_ms=NOW)
    assert hit.worker_id == "w1" and hit.position == fix.position
    newer = LiveFix(destination(CENTER, 90, 200), NOW + 1, 5.0)
    await index.record_fix("w1", "b1", newer, NOW + 1)
    [hit] = await index.nearby(CENTER, 1000, limit=10, now_ms=NOW)
    assert hit.position == newer.position


async def test_stale_workers_leave_nearby_then_the_sweeper_drops_them(index: LiveIndex) -> None:
    await put_online(index, "old", fix_at(0, 100, ts=NOW - STALE_AFTER_MS - 1))
    await put_online(index, "fresh", fix_at(0, 200, ts=NOW - STALE_AFTER_MS))
    assert [h.worker_id for h in await index.nearby(CENTER, 1000, limit=10, now_ms=NOW)] == ["fresh"]
    assert await index.sweep(NOW) == 1
    assert await index.sweep(NOW) == 0
    # Still online, so their next fix brings them back.
    await index.record_fix("old", "b1", fix_at(0, 100, ts=NOW), NOW)
    assert {h.worker_id for h in await index.nearby(CENTER, 1000, limit=10, now_ms=NOW)} == {"old", "fresh"}


async def test_business_filter(index: LiveIndex) -> None:
    await put_online(index, "w1", fix_at(0, 100), business_id="b1")
    await put_online(index, "w2", fix_at(0, 200), business_id="b2")
    hits = await index.nearby(CENTER, 1000, limit=10, now_ms=NOW, business_ids={"b2", "b3"})
    assert [h.worker_id for h in hits] == ["w2"]
    assert await index.nearby(CENTER, 1000, limit=10, now_ms=NOW, business_ids=set()) == []


async def test_radius_edge_agrees_across_adapters(index: LiveIndex) -> None:
    await put_online(index, "inside", fix_at(45, 999))
    await put_online(index, "outside", fix_at(45, 1001))
    assert [h.worker_id for h in await index.nearby(CENTER, 1000, limit=10, now_ms=NOW)] == ["inside"]


async def test_across_the_antimeridian(index: LiveIndex) -> None:
    center = LngLat(179.9995, 0.0)
    east = LiveFix(LngLat(-179.9995, 0.0), NOW, None)
    await put_online(index, "east", east)
    hits = await index.nearby(center, 500, limit=10, now_ms=NOW)
    assert [h.worker_id for h in hits] == ["east"]
    assert hits[0].distance_m == pytest.approx(111.3, abs=1)


async def test_polar_positions_are_recorded_but_not_searchable(index: LiveIndex) -> None:
    polar = LiveFix(LngLat(10.0, 89.0), NOW, None)
    await put_online(index, "polar", polar)
    state = await index.worker("polar")
    assert state is not None and state.last_fix == polar
    assert await index.nearby(LngLat(10.0, 89.0), 1000, limit=10, now_ms=NOW) == []


async def test_search_centred_beyond_the_mercator_limit_still_finds_workers_below_it(index: LiveIndex) -> None:
    await put_online(index, "north", LiveFix(LngLat(10.0, 85.0), NOW, None))
    hits = await index.nearby(LngLat(10.0, 85.2), 50_000, limit=10, now_ms=NOW)
    assert [h.worker_id for h in hits] == ["north"]
    assert hits[0].distance_m == pytest.approx(22_239, rel=1e-3)


async def test_beyond_the_mercator_limit_the_nearest_is_measured_from_the_real_centre(index: LiveIndex) -> None:
    center = LngLat(10.0, 85.2)
    await put_online(index, "south", LiveFix(LngLat(10.0, 84.9), NOW, None))
    await put_online(index, "east", LiveFix(LngLat(12.0, 85.04), NOW, None))
    hits = await index.nearby(center, 50_000, limit=1, now_ms=NOW)
    assert [h.worker_id for h in hits] == ["east"]


async def test_connections_count_up_and_down_never_below_zero(index: LiveIndex) -> None:
    assert await index.connections("w1", 1) == 1
    assert await index.connections("w1", 1) == 2
    assert await index.connections("w1", -1) == 1
    assert await index.connections("w1", 0) == 1
    assert await index.connections("w1", -1) == 0
    assert await index.connections("w1", -1) == 0


async def test_concurrent_fixes_for_many_workers(index: LiveIndex) -> None:
    await asyncio.gather(*(put_online(index, f"w{i}", fix_at(i, 10 * i + 1)) for i in range(50)))
    hits = await index.nearby(CENTER, 1000, limit=100, now_ms=NOW)
    assert len(hits) == 50
    assert [h.distance_m for h in hits] == sorted(h.distance_m for h in hits)


async def test_wide_searches_up_to_the_50_km_cap(index: LiveIndex) -> None:
    # Wide enough that the memory index falls back from fine cells to scanning occupied ones.
    await put_online(index, "near", fix_at(45, 800))
    await put_online(index, "edge", fix_at(200, 49_000))
    await put_online(index, "beyond", fix_at(10, 51_000))
    hits = await index.nearby(CENTER, 50_000, limit=10, now_ms=NOW)
    assert [h.worker_id for h in hits] == ["near", "edge"]
    assert hits[1].distance_m == pytest.approx(49_000, rel=1e-3)


async def test_last_fix_is_the_newest_accepted(index: LiveIndex) -> None:
    assert await index.last_fix("w1") is None
    first, second = fix_at(0, 10, ts=NOW - 2000), fix_at(0, 20, ts=NOW - 1000)
    await put_online(index, "w1", first)
    assert await index.last_fix("w1") == first
    await index.record_fix("w1", "b1", second, NOW - 1000)
    assert await index.last_fix("w1") == second
    assert (await index.record_fix("w1", "b1", first, NOW)).stored is False
    assert await index.last_fix("w1") == second


async def test_a_newer_fix_from_another_process_is_not_hidden_by_memory(redis_url: str) -> None:
    here, there = RedisLiveIndex(Redis.from_url(redis_url)), RedisLiveIndex(Redis.from_url(redis_url))
    try:
        older, newer, late = fix_at(0, 10, ts=NOW - 3000), fix_at(0, 20, ts=NOW - 2000), fix_at(0, 15, ts=NOW - 2500)
        await here.record_fix("w1", "b1", older, NOW)
        await there.record_fix("w1", "b1", newer, NOW)
        # This process still remembers its own older fix; the index refuses a fix older than the newest.
        assert (await here.record_fix("w1", "b1", late, NOW)).stored is False
        assert await here.last_fix("w1") == newer
    finally:
        await here.redis.aclose()
        await there.redis.aclose()


async def test_online_count_follows_presence(index: LiveIndex) -> None:
    assert await index.online_count() == 0
    await put_online(index, "w1", fix_at(0, 100))
    await put_online(index, "w2", fix_at(90, 100))
    assert await index.online_count() == 2
    await index.set_presence("w1", "b1", online=False, available=None)
    assert await index.online_count() == 1
