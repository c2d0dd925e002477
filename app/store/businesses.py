"""Businesses repository. Geo queries over businesses live in the GeoSearch port (app/store/geo_search.py)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from app.clock import iso
from app.domain.businesses import Business, Rating
from app.media.media import MediaRef
from app.store.documents import DocumentCollection, Update
from app.store.ratings import apply_rating


class BusinessRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def add(self, business: Business) -> None:
        await self._col.insert(business.to_doc())

    async def get(self, business_id: str) -> Business | None:
        """Any business, deleted ones included (bookings and payments keep referring to them)."""
        doc = await self._col.get(business_id)
        return Business.from_doc(doc) if doc else None

    async def get_many(self, business_ids: Collection[str]) -> dict[str, Business]:
        docs = await self._col.find({"id": {"$in": list(business_ids)}})
        return {doc["id"]: Business.from_doc(doc) for doc in docs}

    async def update_fields(self, business_id: str, fields: dict[str, Any], now: datetime) -> Business | None:
        """Change an active business; None when it does not exist or was deleted."""
        doc = await self._col.update_one(
            {"id": business_id, "isActive": True}, Update(set={**fields, "updatedAt": iso(now)})
        )
        return Business.from_doc(doc) if doc else None

    async def swap_logo(self, business_id: str, expected_id: str | None, logo: MediaRef, now: datetime) -> bool:
        """Set the logo if it is still `expected_id` (compare-and-set: two racing uploads leave one)."""
        doc = await self._col.update_one(
            {"id": business_id, "isActive": True, "logo.id": expected_id},
            Update(set={"logo": logo.model_dump(mode="json", by_alias=True), "updatedAt": iso(now)}),
        )
        return doc is not None

    async def deactivate(self, business_id: str, now: datetime) -> bool:
        stamp = iso(now)
        doc = await self._col.update_one(
            {"id": business_id, "isActive": True},
            Update(set={"isActive": False, "deletedAt": stamp, "updatedAt": stamp}),
        )
        return doc is not None

    async def apply_rating(self, business_id: str, delta_sum: int, delta_count: int) -> Rating | None:
        """Atomically add (or take back) review stars; see app/store/ratings.py."""
        return await apply_rating(self._col, business_id, delta_sum, delta_count)
