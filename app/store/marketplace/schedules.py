"""Worker schedules: optimistic, versioned claims so a worker is never double-booked."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from app.domain.schedules import Slot, WorkerSchedule
from app.errors import Conflict
from app.store.documents import DocumentCollection, DuplicateKey, Update

MAX_ATTEMPTS = 50


class ScheduleRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def get(self, worker_id: str) -> WorkerSchedule:
        doc = await self._col.get(worker_id)
        if doc is not None:
            return WorkerSchedule.from_doc(doc)
        with suppress(DuplicateKey):  # created concurrently: read theirs
            await self._col.insert(WorkerSchedule(id=worker_id).to_doc())
        doc = await self._col.get(worker_id)
        assert doc is not None
        return WorkerSchedule.from_doc(doc)

    async def _write(self, schedule: WorkerSchedule, update: Update) -> bool:
        """Apply `update` only if nobody wrote since `schedule` was read."""
        bumped = Update(set={**update.set, "version": schedule.version + 1}, unset=update.unset)
        return await self._col.update_one({"id": schedule.id, "version": schedule.version}, bumped) is not None

    async def claim(self, worker_id: str, booking_id: str, start: datetime, end: datetime, now: datetime) -> None:
        """Reserve [start, end) for a booking; Conflict when it overlaps another of the worker's bookings."""
        for _ in range(MAX_ATTEMPTS):
            schedule = await self.get(worker_id)
            clash = schedule.conflict(booking_id, start, end)
            if clash is not None:
                raise Conflict("the worker already has a booking at that time")
            slots = [*schedule.without(booking_id, now), Slot(booking_id=booking_id, start=start, end=end)]
            if await self._write(schedule, Update(set={"slots": [s.model_dump(mode="json") for s in slots]})):
                return
        raise Conflict("the worker's schedule is busy; try again")

    async def release(self, worker_id: str, booking_id: str, now: datetime) -> None:
        for _ in range(MAX_ATTEMPTS):
            schedule = await self.get(worker_id)
            changes: dict[str, object] = {
                "slots": [s.model_dump(mode="json") for s in schedule.without(booking_id, now)]
            }
            if schedule.in_progress == booking_id:
                changes["inProgress"] = None
            if await self._write(schedule, Update(set=changes)):
                return
        raise Conflict("the worker's schedule is busy; try again")

    async def begin(self, worker_id: str, booking_id: str) -> bool:
        """Mark the walk in progress; False when the worker is already on another walk."""
        await self.get(worker_id)
        doc = await self._col.update_one(
            {"id": worker_id, "inProgress": None}, Update(set={"inProgress": booking_id}, inc={"version": 1})
        )
        if doc is not None:
            return True
        current = await self.get(worker_id)
        return current.in_progress == booking_id
