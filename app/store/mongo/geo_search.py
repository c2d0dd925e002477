"""GeoSearch on MongoDB: `$geoNear` on the `location` 2dsphere index, `$geoIntersects` on `serviceArea`.

The pipeline and filter are built by pure functions so tests can assert the exact documents sent.
Distances are recomputed with geo.distance.haversine_m from the stored point rather than taken from
`$geoNear` (which uses a 6378.1 km Earth radius), so both store adapters report the same metres.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from app.domain.businesses import point as geojson_point
from app.store.geo_search import NearbyBusiness
from app.store.marketplace.businesses import LISTED
from geo.coordinates import LngLat
from geo.distance import haversine_m


def serving_filter(point: LngLat) -> dict[str, Any]:
    """Listed businesses whose service area contains `point` (2dsphere IXSCAN on serviceArea, then FETCH)."""
    return {
        **LISTED,
        "serviceArea": {"$geoIntersects": {"$geometry": geojson_point(point.lng, point.lat)}},
    }


def near_pipeline(point: LngLat, radius_m: float, among: Collection[str] | None = None) -> list[dict[str, Any]]:
    """Listed businesses within `radius_m` metres of `point`, nearest first.

    `key` names the index: the collection has two 2dsphere indexes, and $geoNear refuses to guess.
    """
    query: dict[str, Any] = dict(LISTED)
    if among is not None:
        query["_id"] = {"$in": sorted(among)}
    return [
        {
            "$geoNear": {
                "near": geojson_point(point.lng, point.lat),
                "key": "location",
                "distanceField": "distanceM",
                "maxDistance": radius_m,
                "spherical": True,
                "query": query,
            }
        },
        {"$project": {"_id": 1, "location.coordinates": 1}},
    ]


class MongoGeoSearch:
    def __init__(self, collection: Any) -> None:
        # Any: PyMongo's AsyncCollection, or a recording double in tests.
        self._col = collection

    async def businesses_near(
        self,
        point: LngLat,
        radius_m: float,
        *,
        among: Collection[str] | None = None,
        serving_only: bool = False,
    ) -> list[NearbyBusiness]:
        serving = set(await self.businesses_serving(point))
        if serving_only:
            among = serving if among is None else serving.intersection(among)
        cursor = await self._col.aggregate(near_pipeline(point, radius_m, among))
        hits = []
        for doc in await cursor.to_list():
            lng, lat = doc["location"]["coordinates"]
            hits.append(NearbyBusiness(doc["_id"], haversine_m(point, LngLat(lng, lat)), doc["_id"] in serving))
        hits.sort(key=lambda hit: (hit.distance_m, hit.business_id))
        return hits

    async def businesses_serving(self, point: LngLat) -> list[str]:
        cursor = self._col.find(serving_filter(point), {"_id": 1})
        return [doc["_id"] for doc in await cursor.to_list()]
