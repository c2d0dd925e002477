"""Bookings repository: every status change is a compare-and-set on the stored status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from app.domain.base import iso
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

    async def set_walk_photos(self, booking_id: str, photo_ids: Sequence[str], now: datetime) -> Booking | None:
        """Replace `completionDetails.photos` of the completed booking; None when it is not completed."""
        doc = await self._col.update_one(
            {"id": booking_id, "status": BookingStatus.COMPLETED.value},
            Update(set={"completionDetails.photos": list(photo_ids), "updatedAt": iso(now)}),
        )
        return Booking.from_doc(doc) if doc else None

    async def page(self, where: Filter, *, skip: int, limit: int) -> tuple[list[Booking], int]:
        docs = await self._col.find(where, sort=[("createdAt", -1)], skip=skip, limit=limit)
        return [Booking.from_doc(d) for d in docs], await self._col.count(where)

    async def find(self, where: Filter, limit: int | None = None) -> list[Booking]:
        return [Booking.from_doc(d) for d in await self._col.find(where, limit=limit)]

    async def schedule_page(self, where: Filter, *, skip: int, limit: int) -> tuple[list[Booking], int]:
        """Bookings matching `where`, earliest scheduled first (a worker's or a business's agenda)."""
        docs = await self._col.find(where, sort=[("scheduledAt", 1), ("id", 1)], skip=skip, limit=limit)
        return [Booking.from_doc(d) for d in docs], await self._col.count(where)

    async def scheduled_between(
        self, start: datetime, end: datetime, statuses: Sequence[BookingStatus]
    ) -> list[Booking]:
        """Bookings in these states whose start is in (start, end] (reminders)."""
        docs = await self._col.find(
            {
                "status": {"$in": [s.value for s in statuses]},
                "scheduledAt": {"$gt": iso(start), "$lte": iso(end)},
            },
            sort=[("scheduledAt", 1)],
        )
        return [Booking.from_doc(d) for d in docs]

    async def of_person(self, user_id: str, worker_id: str | None) -> list[Booking]:
        """Every booking the person watches (owner, co-owner) or walks (worker), oldest first."""
        found = {d["id"]: d for d in await self._col.find({"watcherIds": user_id})}
        if worker_id:
            found.update({d["id"]: d for d in await self._col.find({"workerId": worker_id})})
        return sorted((Booking.from_doc(d) for d in found.values()), key=lambda b: b.created_at)

    async def erase_owner_details(self, owner_id: str, now: datetime) -> int:
        """Erasure: the pickup address, notes and instructions of the person's bookings go; the bookings stay."""
        return await self._col.update_many(
            {"ownerId": owner_id},
            Update(
                set={
                    "location.address": None,
                    "notes": None,
                    "specialInstructions": None,
                    "updatedAt": iso(now),
                }
            ),
        )

    async def has_booking_for_pet(
        self, pet_id: str, *, business_id: str | None = None, worker_id: str | None = None
    ) -> bool:
        """Whether the business (or the worker) has any booking for this pet: who may see its records."""
        where: dict[str, Any] = {"petIds": pet_id}
        if business_id is not None:
            where["businessId"] = business_id
        elif worker_id is not None:
            where["workerId"] = worker_id
        else:
            return False
        return await self._col.count(where) > 0

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
