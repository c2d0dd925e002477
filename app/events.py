"""The event publisher port: use cases announce what happened; the live plane delivers it.

Room names are part of this port so use cases and the Socket.IO layer agree on them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from app.domain.bookings import Booking


class EventPublisher(Protocol):
    async def emit(self, event: str, data: dict[str, Any], *, room: str) -> None: ...


def user_room(user_id: str) -> str:
    return f"user:{user_id}"


def booking_room(booking_id: str) -> str:
    return f"booking:{booking_id}"


def fleet_room(business_id: str) -> str:
    return f"fleet:{business_id}"


def worker_room(worker_id: str) -> str:
    return f"worker:{worker_id}"


class BookingListener(Protocol):
    """In-process observers of the booking lifecycle (dispatch, live tracking, payments).

    Bookings call them after each committed transition, so those capabilities plug in without
    the booking use cases importing them.
    """

    async def created(self, booking: Booking) -> None: ...

    async def dispatch_requested(self, booking: Booking) -> None:
        """A business asked the dispatcher to pick one of its own workers."""

    async def started(self, booking: Booking) -> None: ...

    async def finished(self, booking: Booking) -> None:
        """Completed or cancelled."""


ApproachHook = Callable[[Booking], Awaitable[None]]
"""Called when a booking's worker sets off for the pickup (on my way, or an asap booking's assignment)."""
