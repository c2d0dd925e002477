"""PUT /v1/bookings/{id}: the owner moves, relocates or annotates a pending or confirmed booking.

A new time passes the checks of a new booking (future, within a year, the business's operating hours)
plus, once a worker is assigned, their availability and their schedule: the worker's slot moves with
the booking in the same compare-and-set as on confirmation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from pydantic import Field, model_validator

from app.auth.principal import Principal
from app.domain.base import iso
from app.domain.bookings import Booking, BookingStatus, end_of
from app.errors import Conflict, Forbidden, ValidationFailed
from app.usecases.bookings.lifecycle import BookingPorts, get_booking
from app.usecases.bookings.rules import LocationInput, check_hours, check_pickup, check_start
from app.usecases.inputs import Input, Text

EDITABLE = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class BookingEdit(Input):
    scheduled_at: datetime | None = None
    notes: Text | None = Field(default=None, max_length=2000)
    special_instructions: Text | None = Field(default=None, max_length=2000)
    location: LocationInput | None = None

    @model_validator(mode="after")
    def _present(self) -> Self:
        for name in ("scheduled_at", "location"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{type(self).model_fields[name].alias} cannot be removed")
        if self.scheduled_at is not None and self.scheduled_at.tzinfo is None:
            raise ValueError("scheduledAt must carry a time zone (e.g. Z)")
        return self


async def edit_booking(ports: BookingPorts, principal: Principal, booking_id: str, change: BookingEdit) -> Booking:
    booking = await get_booking(ports, principal, booking_id)
    if principal.user_id != booking.owner_id and not principal.is_admin:
        raise Forbidden("only the booking's owner edits it")
    if booking.status not in EDITABLE:
        raise Conflict(f"cannot edit a booking that is {booking.status.value}")
    now = ports.clock.now()
    business = await ports.store.businesses.get(booking.business_id) if booking.business_id else None
    fields: dict[str, Any] = change.model_dump(
        include={"notes", "special_instructions"}, exclude_unset=True, by_alias=True, mode="json"
    )
    if change.location is not None:
        location = change.location.to_location()
        if business is not None:
            check_pickup(business, location)
        fields["location"] = location.model_dump(mode="json", by_alias=True)
    moved = change.scheduled_at is not None and change.scheduled_at != booking.scheduled_at
    worker = await ports.store.workers.get(booking.worker_id) if booking.worker_id else None
    if change.scheduled_at is not None and moved:
        if booking.asap:
            raise ValidationFailed("an asap booking is dispatched now; book a time instead")
        start, end = change.scheduled_at, end_of(change.scheduled_at, booking.duration)
        check_start(now, start)
        if business is not None:
            check_hours(business, worker, start, end)
        if worker is not None:
            await ports.store.schedules.claim(worker.id, booking.id, start, end, now)
        fields.update(scheduledAt=iso(start), endsAt=iso(end))
    # Pinned to the status and time read: a concurrent transition or edit makes this one lose.
    where = {"id": booking.id, "status": {"$in": [s.value for s in EDITABLE]}, "scheduledAt": iso(booking.scheduled_at)}
    updated = await ports.store.bookings.update_where(where, {**fields, "updatedAt": iso(now)})
    if updated is None:
        if worker is not None and moved:
            await _restore_slot(ports, booking.id, worker.id, now)
        raise Conflict("the booking changed meanwhile; read it again")
    return updated


async def _restore_slot(ports: BookingPorts, booking_id: str, worker_id: str, now: datetime) -> None:
    """After losing the race: the worker's slot follows the booking as it now is (or goes, if it left them)."""
    current = await ports.store.bookings.get(booking_id)
    if current is not None and current.worker_id == worker_id and current.status in EDITABLE:
        await ports.store.schedules.claim(worker_id, booking_id, current.scheduled_at, current.ends_at, now)
    elif current is None or current.status is not BookingStatus.IN_PROGRESS:
        await ports.store.schedules.release(worker_id, booking_id, now)
