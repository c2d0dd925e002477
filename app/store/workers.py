"""Worker profiles repository."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from app.clock import iso
from app.domain.businesses import Rating
from app.domain.workers import Worker
from app.store.documents import DocumentCollection, Update
from app.store.ratings import apply_rating


class WorkerRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def add(self, worker: Worker) -> None:
        await self._col.insert(worker.to_doc())

    async def get(self, worker_id: str) -> Worker | None:
        doc = await self._col.get(worker_id)
        return Worker.from_doc(doc) if doc else None

    async def get_many(self, worker_ids: Collection[str]) -> dict[str, Worker]:
        docs = await self._col.find({"id": {"$in": list(worker_ids)}})
        return {doc["id"]: Worker.from_doc(doc) for doc in docs}

    async def list_for_business(
        self, business_id: str, *, active_only: bool = False, skip: int = 0, limit: int | None = None
    ) -> list[Worker]:
        """Oldest first, so pages stay stable while workers are added."""
        docs = await self._col.find(
            self._of_business(business_id, active_only), sort=[("createdAt", 1)], skip=skip, limit=limit
        )
        return [Worker.from_doc(doc) for doc in docs]

    async def count_for_business(self, business_id: str, *, active_only: bool = False) -> int:
        return await self._col.count(self._of_business(business_id, active_only))

    async def update_fields(self, worker_id: str, fields: dict[str, Any], now: datetime) -> Worker | None:
        doc = await self._col.update_one({"id": worker_id}, Update(set={**fields, "updatedAt": iso(now)}))
        return Worker.from_doc(doc) if doc else None

    async def apply_rating(self, worker_id: str, delta_sum: int, delta_count: int) -> Rating | None:
        """Atomically add (or take back) review stars; see app/store/ratings.py."""
        return await apply_rating(self._col, worker_id, delta_sum, delta_count)

    @staticmethod
    def _of_business(business_id: str, active_only: bool) -> dict[str, Any]:
        return {"businessId": business_id, "isActive": True} if active_only else {"businessId": business_id}
