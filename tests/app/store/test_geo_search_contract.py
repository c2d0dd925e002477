"""The GeoSearch contract: the same questions give the same answers on every store adapter."""

from __future__ import annotations

from typing import Any

import pytest

from app.store.schema import BUSINESSES
from app.store.store import Store
from geo.coordinates import LngLat
from geo.distance import haversine_m
from tests.app.marketplace import NOW, business, square

PARIS = LngLat(2.35, 48.85)
# A triangle whose bounding box contains points the triangle does not: only the exact check tells.
TRIANGLE = {"type": "Polygon", "coordinates": [[[2.0, 48.0], [3.0, 48.0], [2.0, 49.0], [2.0, 48.0]]]}


async def _add(store: Store, business_id: str, lng: float, lat: float, area: dict[str, Any], **kw: bool) -> None:
    await store.businesses.add(business(lng, lat, area, business_id=business_id, **kw))


async def test_near_is_nearest_first_with_exact_distances_within_the_radius(store: Store) -> None:
    await _add(store, "far", 2.40, 48.85, square(2.40, 48.85, 0.01))
    await _add(store, "near", 2.36, 48.85, square(2.36, 48.85, 0.02))
    await _add(store, "out", 2.60, 48.85, square(2.60, 48.85, 0.01))
    await _add(store, "gone", 2.35, 48.85, square(2.35, 48.85, 0.01), active=False)
    hits = await store.geo_search.businesses_near(PARIS, 5_000)
    assert [h.business_id for h in hits] == ["near", "far"]
    assert hits[0].distance_m == pytest.approx(haversine_m(PARIS, LngLat(2.36, 48.85)), rel=1e-6)
    assert hits[0].serves_location is True
    assert hits[1].serves_location is False
    assert [h.business_id for h in await store.geo_search.businesses_near(PARIS, 30_000)] == ["near", "far", "out"]


async def test_near_filters_by_candidate_ids_and_by_service_area(store: Store) -> None:
    await _add(store, "a", 2.351, 48.85, square(2.35, 48.85, 0.05))
    await _add(store, "b", 2.352, 48.85, square(2.40, 48.90, 0.01))
    await _add(store, "c", 2.353, 48.85, square(2.35, 48.85, 0.05, hole=0.01))
    near = store.geo_search.businesses_near
    assert [h.business_id for h in await near(PARIS, 1_000, among={"b", "c"})] == ["b", "c"]
    assert [h.business_id for h in await near(PARIS, 1_000, among=set())] == []
    # c's area has a hole around Paris centre: the point is not served there.
    assert [h.business_id for h in await near(PARIS, 1_000, serving_only=True)] == ["a"]
    assert [h.business_id for h in await near(PARIS, 1_000, among={"b"}, serving_only=True)] == []


async def test_serving_uses_exact_geometry_holes_and_multipolygons(store: Store) -> None:
    await _add(store, "triangle", 2.2, 48.2, TRIANGLE)
    await _add(store, "donut", 10.0, 50.0, square(10.0, 50.0, 0.5, hole=0.1))
    multi = {
        "type": "MultiPolygon",
        "coordinates": [square(20.0, 40.0, 0.1)["coordinates"], square(21.0, 40.0, 0.1)["coordinates"]],
    }
    await _add(store, "multi", 20.0, 40.0, multi)
    serving = store.geo_search.businesses_serving
    assert await serving(LngLat(2.2, 48.2)) == ["triangle"]
    assert await serving(LngLat(2.9, 48.9)) == []  # inside the triangle's box, outside the triangle
    assert await serving(LngLat(10.3, 50.0)) == ["donut"]
    assert await serving(LngLat(10.0, 50.0)) == []  # in the hole
    assert await serving(LngLat(21.05, 40.05)) == ["multi"]
    assert await serving(LngLat(20.5, 40.0)) == []  # between the parts
    assert await serving(LngLat(-120.0, -30.0)) == []


async def test_index_follows_updates_deactivation_and_deletion(store: Store) -> None:
    await _add(store, "mover", 2.35, 48.85, square(2.35, 48.85, 0.01))
    await _add(store, "other", 2.35, 48.85, square(2.35, 48.85, 0.01))
    serving = store.geo_search.businesses_serving
    assert sorted(await serving(PARIS)) == ["mover", "other"]  # also warms any per-process cache
    moved = await store.businesses.update_fields(
        "mover",
        {"serviceArea": square(5.0, 45.0, 0.01), "location": {"type": "Point", "coordinates": [5.0, 45.0]}},
        NOW,
    )
    assert moved is not None
    assert await serving(PARIS) == ["other"]
    assert await serving(LngLat(5.0, 45.0)) == ["mover"]
    assert [h.business_id for h in await store.geo_search.businesses_near(LngLat(5.0, 45.0), 100)] == ["mover"]
    assert await store.businesses.update_fields("other", {"name": "Renamed"}, NOW) is not None
    assert await serving(PARIS) == ["other"]
    assert await store.businesses.deactivate("other", NOW)
    assert await serving(PARIS) == []
    assert await store.geo_search.businesses_near(PARIS, 1_000) == []
    assert await store.backend.collection(BUSINESSES).delete_one({"id": "mover"})
    assert await serving(LngLat(5.0, 45.0)) == []


async def test_areas_split_at_the_antimeridian(store: Store) -> None:
    fiji = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[179.0, -17.0], [180.0, -17.0], [180.0, -16.0], [179.0, -16.0], [179.0, -17.0]]],
            [[[-180.0, -17.0], [-179.0, -17.0], [-179.0, -16.0], [-180.0, -16.0], [-180.0, -17.0]]],
        ],
    }
    await _add(store, "fiji", 179.9, -16.5, fiji)
    assert await store.geo_search.businesses_serving(LngLat(-179.5, -16.5)) == ["fiji"]
    assert await store.geo_search.businesses_serving(LngLat(0.0, -16.5)) == []
    hits = await store.geo_search.businesses_near(LngLat(-179.95, -16.5), 20_000)
    assert [h.business_id for h in hits] == ["fiji"]
    assert hits[0].distance_m == pytest.approx(haversine_m(LngLat(-179.95, -16.5), LngLat(179.9, -16.5)), rel=1e-6)
