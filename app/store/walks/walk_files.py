"""Files rendered from a finished walk (its GPX), kept once made: a completed walk never changes."""

from __future__ import annotations

from app.store.documents import DocumentCollection


class WalkFileRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def get(self, booking_id: str, kind: str) -> str | None:
        doc = await self._col.get(f"{booking_id}.{kind}")
        return str(doc["text"]) if doc else None

    async def keep(self, booking_id: str, kind: str, text: str) -> None:
        """Store once; a racing second writer's identical copy is skipped."""
        await self._col.insert_many_new([{"id": f"{booking_id}.{kind}", "bookingId": booking_id, "text": text}])
