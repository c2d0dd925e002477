"""The geo query port over stored businesses: who is near a point, whose service area contains it.

Each store backend brings its own adapter: SQLite answers from R*Tree bounding boxes plus exact
shapely checks (app/store/sqlite/geo_search.py), MongoDB from its 2dsphere indexes
(app/store/mongo/geo_search.py). Both index only active businesses, and the contract suite in
tests/app/store/test_geo_search_contract.py holds them to the same answers.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple, Protocol

from geo.coordinates import LngLat


class NearbyBusiness(NamedTuple):
    business_id: str
    # Great-circle distance from the query point to the business address.
    distance_m: float
    # The query point lies in the business's service area (boundary included, holes excluded).
    serves_location: bool


class GeoSearch(Protocol):
    async def businesses_near(
        self,
        point: LngLat,
        radius_m: float,
        *,
        among: Collection[str] | None = None,
        serving_only: bool = False,
    ) -> list[NearbyBusiness]:
        """Active businesses whose address is within `radius_m` of `point`, nearest first.

        `among` restricts the answer to those business ids (e.g. the ones offering a service type);
        `serving_only` keeps only businesses whose service area contains `point`.
        """

    async def businesses_serving(self, point: LngLat) -> list[str]:
        """Ids of the active businesses whose service area contains `point` (in no particular order)."""
