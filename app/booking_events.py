"""Booking events: the moments of a booking's life that other capabilities react to (dispatch, live
tracking, payments), and the in-process bus that delivers them.

Bookings publish an event after the transition is committed, so those capabilities plug in without the
booking use cases importing them. A handler that raises cannot undo the transition: the bus logs it and
still calls the handlers after it. Subscriptions are made in one place (app/composition.py,
`wire_booking_events`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog

from app.domain.bookings import Booking

log = structlog.get_logger("walky.booking_events")


@dataclass(frozen=True)
class BookingEvent:
    booking: Booking


@dataclass(frozen=True)
class BookingCreated(BookingEvent):
    pass


@dataclass(frozen=True)
class DispatchRequested(BookingEvent):
    """A business asked the dispatcher to pick one of its own workers."""


@dataclass(frozen=True)
class WalkStarted(BookingEvent):
    pass


@dataclass(frozen=True)
class BookingFinished(BookingEvent):
    """Completed or cancelled (the booking's status says which)."""


@dataclass(frozen=True)
class WalkerApproaching(BookingEvent):
    """The booking's worker set off for the pickup (on my way, or an asap booking's assignment)."""


E = TypeVar("E", bound=BookingEvent)


def _name(handler: Callable[..., Any]) -> str:
    return getattr(handler, "__qualname__", None) or repr(handler)


class BookingEvents:
    """Handlers by event type, called in subscription order."""

    def __init__(self) -> None:
        # Keyed by the exact event type; `subscribe` pairs each handler with its own type.
        self._handlers: dict[type[BookingEvent], list[Callable[[Any], Awaitable[None]]]] = {}

    def subscribe(self, kind: type[E], handler: Callable[[E], Awaitable[None]]) -> None:
        self._handlers.setdefault(kind, []).append(handler)

    async def publish(self, event: BookingEvent) -> None:
        for handler in self._handlers.get(type(event), ()):
            try:
                await handler(event)
            except Exception:
                log.exception(
                    "booking event handler failed",
                    booking_event=type(event).__name__,
                    booking_id=event.booking.id,
                    handler=_name(handler),
                )
