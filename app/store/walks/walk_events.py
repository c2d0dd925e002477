"""Walk events (pee, poo, photo, ...) stored per booking, and once-only walk alerts."""

from __future__ import annotations

from app.store.documents import DocumentCollection
from app.walks.walk_events import WalkEvent


class WalkEventRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def add(self, event: WalkEvent) -> None:
        await self._col.insert(event.to_doc())

    async def of_booking(self, booking_id: str) -> list[WalkEvent]:
        """Oldest first."""
        docs = await self._col.find({"bookingId": booking_id}, sort=[("at", 1)])
        return [WalkEvent.from_doc(d) for d in docs]

    async def count(self, booking_id: str) -> int:
        return await self._col.count({"bookingId": booking_id})


class WalkAlertRepository:
    """An alert id names one occurrence (`arrived.<booking>`, `stale.<booking>.<lastAt>`): exactly one
    caller, in any process, claims it and sends the alert."""

    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def claim(self, alert_id: str) -> bool:
        return await self._col.insert_many_new([{"id": alert_id}]) == 1
