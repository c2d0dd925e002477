"""Bookings repository: every status change is a compare-and-set on the stored status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.domain.bookings import Booking, BookingStatus, HistoryEntry
from app.store.documents import DocumentCollection, DuplicateKey, Filter, Update


class BookingNumberTaken(Exception):
    """The random booking number collided; the caller draws another."""


class BookingRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def add(self, booking: Booking) -> None:
        try:
            await self._col.insert(booking.to_doc())
        except DuplicateKey as exc:
            raise BookingNumberTaken(booking.booking_number) from exc

    async def get(self, booking_id: str) -> Booking | None:
        doc = await self._col.get(booking_id)
        return Booking.from_doc(doc) if doc else None

    async def transition(
        self,
        booking_id: str,
        *,
        sources: Iterable[BookingStatus],
        target: BookingStatus,
        entry: HistoryEntry,
        fields: Mapping[str, Any] | None = None,
        where: Filter | None = None,
    ) -> Booking | None:
        """Move to `target` only from one of `sources` (and matching `where`); None if another writer won."""
        doc = await self._col.update_one(
            {"id": booking_id, "status": {"$in": [s.value for s in sources]}, **(where or {})},
            Update(
                set={"status": target.value, "updatedAt": entry.model_dump(mode="json")["at"], **(fields or {})},
                push={"history": entry.model_dump(mode="json")},
            ),
        )
        return Booking.from_doc(doc) if doc else None

    async def update_where(self, where: Filter, fields: Mapping[str, Any]) -> Booking | None:
        doc = await self._col.update_one(where, Update(set=dict(fields)))
        return Booking.from_doc(doc) if doc else None

    async def page(self, where: Filter, *, skip: int, limit: int) -> tuple[list[Booking], int]:
        docs = await self._col.find(where, sort=[("createdAt", -1)], skip=skip, limit=limit)
        return [Booking.from_doc(d) for d in docs], await self._col.count(where)

    async def find(self, where: Filter, limit: int | None = None) -> list[Booking]:
        return [Booking.from_doc(d) for d in await self._col.find(where, limit=limit)]

    async def mark_on_my_way(self, booking_id: str, worker_id: str, at: str) -> Booking | None:
        """Set `onMyWayAt` on the worker's confirmed booking, once; None when it is not (or no longer) so."""
        doc = await self._col.update_one(
            {"id": booking_id, "status": BookingStatus.CONFIRMED.value, "workerId": worker_id, "onMyWayAt": None},
            Update(set={"onMyWayAt": at, "updatedAt": at}),
        )
        return Booking.from_doc(doc) if doc else None

    async def in_progress(self) -> list[Booking]:
        return await self.find({"status": BookingStatus.IN_PROGRESS.value})

    async def on_the_way(self) -> list[Booking]:
        """Confirmed bookings whose worker is on the way to the pickup."""
        return await self.find({"status": BookingStatus.CONFIRMED.value, "onMyWayAt": {"$ne": None}})
