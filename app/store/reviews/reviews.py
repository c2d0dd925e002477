"""Reviews repository: one review per booking (unique index on bookingId)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.domain.base import iso
from app.domain.reviews import Review, ReviewStatus
from app.store.documents import DocumentCollection, DuplicateKey, Update


class ReviewExists(Exception):
    """The booking was reviewed already."""


class ReviewRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def add(self, review: Review) -> None:
        try:
            await self._col.insert(review.to_doc())
        except DuplicateKey as exc:
            raise ReviewExists(review.booking_id) from exc

    async def get(self, review_id: str) -> Review | None:
        doc = await self._col.get(review_id)
        return Review.from_doc(doc) if doc else None

    async def update_if(
        self,
        review_id: str,
        expected: Mapping[str, Any],
        fields: Mapping[str, Any],
        now: datetime,
        push: Mapping[str, Any] | None = None,
    ) -> Review | None:
        """Change the review only while it still has the `expected` values (compare-and-set)."""
        doc = await self._col.update_one(
            {"id": review_id, **expected}, Update(set={**fields, "updatedAt": iso(now)}, push=dict(push or {}))
        )
        return Review.from_doc(doc) if doc else None

    async def delete_if(self, review_id: str, rating: int) -> bool:
        """Delete the review only while its rating is still `rating` (so the aggregate delta is exact)."""
        return await self._col.delete_one({"id": review_id, "rating": rating})

    async def published(self, field: str, value: str, *, skip: int, limit: int) -> tuple[list[Review], int]:
        where = {field: value, "status": ReviewStatus.PUBLISHED.value}
        docs = await self._col.find(where, sort=[("createdAt", -1)], skip=skip, limit=limit)
        return [Review.from_doc(d) for d in docs], await self._col.count(where)

    async def with_status(self, status: ReviewStatus, *, skip: int, limit: int) -> tuple[list[Review], int]:
        """Reviews in `status`, oldest change first (the moderation queue)."""
        where = {"status": status.value}
        docs = await self._col.find(where, sort=[("updatedAt", 1), ("id", 1)], skip=skip, limit=limit)
        return [Review.from_doc(d) for d in docs], await self._col.count(where)

    async def by_author(self, user_id: str) -> list[Review]:
        return [Review.from_doc(d) for d in await self._col.find({"authorId": user_id}, sort=[("createdAt", 1)])]
