"""The exact geo queries the MongoDB adapter sends, and how it reads the answers (no server needed)."""

from __future__ import annotations

from typing import Any

import pytest

from app.store.mongo.geo_search import MongoGeoSearch, near_pipeline, serving_filter
from app.store.mongo.translate import index_model
from app.store.schema import BUSINESSES, COLLECTIONS
from geo.coordinates import LngLat
from geo.distance import haversine_m

POINT = LngLat(2.35, 48.85)
GEOJSON_POINT = {"type": "Point", "coordinates": [2.35, 48.85]}


class Cursor:
    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.docs = docs

    async def to_list(self) -> list[dict[str, Any]]:
        return self.docs


class FakeBusinesses:
    """Stands in for AsyncCollection: records the queries, answers with scripted documents."""

    def __init__(self, serving: list[str], near: list[dict[str, Any]]) -> None:
        self.serving, self.near = serving, near
        self.finds: list[tuple[Any, ...]] = []
        self.pipelines: list[list[dict[str, Any]]] = []

    def find(self, *args: Any) -> Cursor:
        self.finds.append(args)
        return Cursor([{"_id": business_id} for business_id in self.serving])

    async def aggregate(self, pipeline: list[dict[str, Any]]) -> Cursor:
        self.pipelines.append(pipeline)
        return Cursor(self.near)


def test_both_geometry_fields_have_2dsphere_indexes() -> None:
    specs = {index.name: index_model(index).document for index in COLLECTIONS[BUSINESSES]}
    assert specs["location_2dsphere"]["key"] == {"location": "2dsphere"}
    assert specs["service_area_2dsphere"]["key"] == {"serviceArea": "2dsphere"}


def test_serving_filter_is_geo_intersects_on_the_service_area() -> None:
    assert serving_filter(POINT) == {
        "isActive": True,
        "status": {"$ne": "suspended"},
        "serviceArea": {"$geoIntersects": {"$geometry": GEOJSON_POINT}},
    }


def test_near_pipeline_names_the_location_index_and_limits_candidates() -> None:
    assert near_pipeline(POINT, 2_500.0, among={"b2", "b1"}) == [
        {
            "$geoNear": {
                "near": GEOJSON_POINT,
                "key": "location",
                "distanceField": "distanceM",
                "maxDistance": 2_500.0,
                "spherical": True,
                "query": {"isActive": True, "status": {"$ne": "suspended"}, "_id": {"$in": ["b1", "b2"]}},
            }
        },
        {"$project": {"_id": 1, "location.coordinates": 1}},
    ]
    assert near_pipeline(POINT, 10.0)[0]["$geoNear"]["query"] == {"isActive": True, "status": {"$ne": "suspended"}}


async def test_near_marks_served_points_and_recomputes_distances() -> None:
    fake = FakeBusinesses(
        serving=["a", "z"],
        near=[
            {"_id": "b", "location": {"coordinates": [2.36, 48.85]}},
            {"_id": "a", "location": {"coordinates": [2.351, 48.85]}},
        ],
    )
    hits = await MongoGeoSearch(fake).businesses_near(POINT, 5_000)
    assert [(h.business_id, h.serves_location) for h in hits] == [("a", True), ("b", False)]
    assert hits[1].distance_m == pytest.approx(haversine_m(POINT, LngLat(2.36, 48.85)))
    assert fake.finds == [(serving_filter(POINT), {"_id": 1})]


async def test_serving_only_restricts_the_geo_near_to_serving_candidates() -> None:
    fake = FakeBusinesses(serving=["a", "z"], near=[])
    await MongoGeoSearch(fake).businesses_near(POINT, 5_000, among={"a", "b"}, serving_only=True)
    assert fake.pipelines[0][0]["$geoNear"]["query"]["_id"] == {"$in": ["a"]}
