"""Idempotency records: the first response to a keyed write, replayed for every retry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.domain.base import iso
from app.store.documents import DocumentCollection, DuplicateKey, Update

PENDING = "pending"
DONE = "done"


class IdempotencyRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    @staticmethod
    def record_id(scope: str, user_id: str, key: str) -> str:
        return f"{scope}:{user_id}:{key}"

    async def begin(self, record_id: str, fingerprint: str, now: datetime) -> dict[str, Any] | None:
        """Claim the key. None: we own it now. Otherwise the existing record (pending or done)."""
        try:
            await self._col.insert(
                {"id": record_id, "fingerprint": fingerprint, "state": PENDING, "createdAt": iso(now)}
            )
            return None
        except DuplicateKey:
            return await self._col.get(record_id)

    async def finish(self, record_id: str, status: int, body: Any) -> None:
        await self._col.update_one({"id": record_id}, Update(set={"state": DONE, "status": status, "body": body}))

    async def abandon(self, record_id: str) -> None:
        """A failed first attempt must not pin its error: the client may retry with the same key."""
        await self._col.delete_one({"id": record_id, "state": PENDING})

    async def purge_before(self, cutoff: datetime) -> int:
        return await self._col.delete_many({"createdAt": {"$lt": iso(cutoff)}})
