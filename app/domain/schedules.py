"""A worker's schedule: the time slots they are committed to, and the one walk they are on.

Kept as one document per worker with a version, so "no two overlapping confirmed bookings" is
checked and claimed in a single compare-and-set on that version.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from app.domain.base import Entity, Timestamp, Value
from app.domain.bookings import overlaps


class Slot(Value):
    booking_id: str
    start: Timestamp
    end: Timestamp


class WorkerSchedule(Entity):
    """`id` is the worker id."""

    version: int = 0
    slots: list[Slot] = Field(default_factory=list)
    in_progress: str | None = None

    def conflict(self, booking_id: str, start: datetime, end: datetime) -> Slot | None:
        return next(
            (s for s in self.slots if s.booking_id != booking_id and overlaps(s.start, s.end, start, end)),
            None,
        )

    def without(self, booking_id: str, now: datetime) -> list[Slot]:
        """Slots kept on the next write: drop this booking's and those that ended long ago."""
        return [
            s for s in self.slots if s.booking_id != booking_id and (s.end > now or s.booking_id == self.in_progress)
        ]
