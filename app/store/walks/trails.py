"""Walk trails: one small document per accepted fix, keyed by booking and time.

The id is derived from (booking, timestamp), so a replayed fix (an offline batch sent twice)
is stored once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.store.batching import BatchInserter
from app.store.documents import DocumentCollection
from geo.coordinates import LngLat
from geo.trail import TrailPoint


def _doc(booking_id: str, point: TrailPoint) -> dict[str, Any]:
    return {
        "id": f"{booking_id}:{point.timestamp_ms:013d}",
        "bookingId": booking_id,
        "t": point.timestamp_ms,
        "c": [point.position.lng, point.position.lat],
        "a": point.accuracy_m,
    }


def _point(doc: dict[str, Any]) -> TrailPoint:
    lng, lat = doc["c"]
    accuracy = doc.get("a")
    return TrailPoint(LngLat(float(lng), float(lat)), int(doc["t"]), None if accuracy is None else float(accuracy))


class TrailRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection
        # Fixes of many live walks arrive at once: they share transactions.
        self.writer = BatchInserter(collection)

    async def append(self, booking_id: str, points: Sequence[TrailPoint]) -> None:
        """Store points durably (returns once written); replayed points are stored once."""
        await self.writer.insert([_doc(booking_id, p) for p in points])

    async def points(self, booking_id: str) -> list[TrailPoint]:
        docs = await self._col.find({"bookingId": booking_id}, sort=[("t", 1)])
        return [_point(d) for d in docs]

    async def points_after(self, booking_id: str, after_ms: int) -> list[TrailPoint]:
        """The points stored with a time after ``after_ms``, oldest first."""
        docs = await self._col.find({"bookingId": booking_id, "t": {"$gt": after_ms}}, sort=[("t", 1)])
        return [_point(d) for d in docs]

    async def count(self, booking_id: str) -> int:
        return await self._col.count({"bookingId": booking_id})

    async def last(self, booking_id: str) -> TrailPoint | None:
        docs = await self._col.find({"bookingId": booking_id}, sort=[("t", -1)], limit=1)
        return _point(docs[0]) if docs else None
