"""Businesses repository. Geo queries over businesses live in the GeoSearch port (app/store/geo_search.py)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any, Literal

from app.domain.base import iso
from app.domain.businesses import Business, BusinessStatus, Rating
from app.domain.media import MediaRef
from app.errors import Conflict
from app.store.documents import DocumentCollection, Filter, Update
from app.store.reviews.ratings import apply_rating

# Shown to the public: not deleted, not suspended (documents older than `status` have none).
LISTED: Filter = {"isActive": True, "status": {"$ne": BusinessStatus.SUSPENDED.value}}
# Tries of a compare-and-set that lost to racing edits before giving up.
CAS_ATTEMPTS = 10
# Browse order: best rated first, then by name; the id makes pages stable.
BROWSE_ORDER: list[tuple[str, Literal[1, -1]]] = [("rating.average", -1), ("name", 1), ("id", 1)]


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

    async def swap_image(
        self,
        business_id: str,
        field: Literal["logo", "coverPhoto"],
        expected_id: str | None,
        image: MediaRef | None,
        now: datetime,
    ) -> bool:
        """Set (or clear) the logo or cover photo if it is still `expected_id` (compare-and-set: two racing
        uploads leave one)."""
        value = image.model_dump(mode="json", by_alias=True) if image else None
        doc = await self._col.update_one(
            {"id": business_id, "isActive": True, f"{field}.id": expected_id},
            Update(set={field: value, "updatedAt": iso(now)}),
        )
        return doc is not None

    async def change_certifications(
        self, business_id: str, change: Callable[[list[str]], list[str]], now: datetime
    ) -> Business | None:
        """Replace the certification ids by `change(current ids)` (which may raise to refuse), as a
        compare-and-set on `certificationsVersion` retried against racing edits; None when the business is
        gone or deleted. Conflict when the list keeps changing under it."""
        for _ in range(CAS_ATTEMPTS):
            current = await self._col.get(business_id)
            if current is None or not current.get("isActive"):
                return None
            version = current.get("certificationsVersion")
            doc = await self._col.update_one(
                {"id": business_id, "isActive": True, "certificationsVersion": version},
                Update(
                    set={
                        "certifications": change(list(current.get("certifications", []))),
                        "certificationsVersion": (version or 0) + 1,
                        "updatedAt": iso(now),
                    }
                ),
            )
            if doc is not None:
                return Business.from_doc(doc)
        raise Conflict("the certifications are being changed by someone else; try again")

    async def deactivate(self, business_id: str, now: datetime) -> bool:
        stamp = iso(now)
        doc = await self._col.update_one(
            {"id": business_id, "isActive": True},
            Update(set={"isActive": False, "deletedAt": stamp, "updatedAt": stamp}),
        )
        return doc is not None

    async def apply_rating(self, business_id: str, delta_sum: int, delta_count: int) -> Rating | None:
        """Atomically add (or take back) review stars; see app/store/reviews/ratings.py."""
        return await apply_rating(self._col, business_id, delta_sum, delta_count)

    async def page_listed(
        self, *, among: Collection[str] | None, name_contains: str | None, skip: int, limit: int
    ) -> tuple[list[Business], int]:
        """Listed businesses, best rated first; `among` restricts to those ids, `name_contains` to names
        containing that text (ASCII letter case ignored)."""
        where: dict[str, Any] = dict(LISTED)
        if among is not None:
            where["id"] = {"$in": sorted(among)}
        if name_contains:
            where["name"] = {"$contains": name_contains}
        docs = await self._col.find(where, sort=BROWSE_ORDER, skip=skip, limit=limit)
        if among is not None and not name_contains:
            # Counting thousands of ids against the index costs more than taking the few unlisted away.
            total = len(set(among) - await self._unlisted_ids())
        else:
            total = await self._col.count(where)
        return [Business.from_doc(doc) for doc in docs], total

    async def listed_ids(self, name_contains: str | None) -> list[str]:
        """The ids of every listed business in browse order (named like `name_contains` when given), read
        from the browse index alone."""
        where: dict[str, Any] = dict(LISTED)
        if name_contains:
            where["name"] = {"$contains": name_contains}
        return await self._col.find_ids(where, sort=BROWSE_ORDER)

    async def version(self) -> int | None:
        """Changes with every write to any business (DocumentCollection.version)."""
        return await self._col.version()

    async def _unlisted_ids(self) -> set[str]:
        deleted = await self._col.distinct("id", {"isActive": False})
        suspended = await self._col.distinct("id", {"status": BusinessStatus.SUSPENDED.value})
        return {*deleted, *suspended}

    async def set_status(
        self, business_id: str, status: BusinessStatus, now: datetime, *, expected: BusinessStatus | None = None
    ) -> Business | None:
        """Change the status of a business that is not deleted (and is in `expected`, when given)."""
        where: dict[str, Any] = {"id": business_id, "isActive": True}
        if expected is not None:
            where["status"] = expected.value
        doc = await self._col.update_one(where, Update(set={"status": status.value, "updatedAt": iso(now)}))
        return Business.from_doc(doc) if doc else None

    async def set_verified(self, business_id: str, now: datetime) -> Business | None:
        doc = await self._col.update_one(
            {"id": business_id, "isActive": True}, Update(set={"isVerified": True, "updatedAt": iso(now)})
        )
        return Business.from_doc(doc) if doc else None
