"""Watching a walk: who may, and what they see (last fix, the trail so far, distance and duration)."""

from __future__ import annotations

from typing import Any

from app.auth.principal import Principal
from app.composition import Services
from app.domain.bookings import Booking, BookingStatus
from app.errors import Conflict
from app.usecases.bookings import get_booking
from app.usecases.inputs import Input, Output
from geo.trail import TrailPoint, summarize_walk

TRACKED = (BookingStatus.IN_PROGRESS, BookingStatus.COMPLETED)


class LastFix(Output):
    coordinates: list[float]
    timestamp: int


class TrackingView(Output):
    booking_id: str
    status: BookingStatus
    last: LastFix | None
    trail: dict[str, Any]
    distance_m: float
    duration_s: int


class TrackingSubscription(Input):
    booking_id: str


def last_fix(point: TrailPoint | None) -> LastFix | None:
    if point is None:
        return None
    return LastFix(coordinates=[point.position.lng, point.position.lat], timestamp=point.timestamp_ms)


async def watchable_booking(services: Services, principal: Principal, booking_id: str) -> Booking:
    """The booking, if the caller is one of its parties (who booked it, its pets' current owners and co-owners,
    business, worker, admin)."""
    return await get_booking(services, principal, booking_id)


async def get_tracking(services: Services, principal: Principal, booking_id: str) -> TrackingView:
    booking = await watchable_booking(services, principal, booking_id)
    if booking.status not in TRACKED:
        raise Conflict("tracking starts when the walk starts")
    trail = await services.store.trails.points(booking.id)
    summary = summarize_walk(trail)
    started = booking.started_at or services.clock.now()
    ended = booking.completed_at or services.clock.now()
    return TrackingView(
        booking_id=booking.id,
        status=booking.status,
        last=last_fix(trail[-1] if trail else None),
        trail={"type": "LineString", "coordinates": [[p.position.lng, p.position.lat] for p in trail]},
        distance_m=round(summary.distance_m, 1),
        duration_s=max(0, int((ended - started).total_seconds())),
    )


async def subscribe(services: Services, principal: Principal, data: TrackingSubscription) -> dict[str, Any]:
    """Checks for `tracking:subscribe`; the socket layer then joins the booking's room."""
    booking = await watchable_booking(services, principal, data.booking_id)
    last = await services.store.trails.last(booking.id)
    view = last_fix(last)
    return {"bookingId": booking.id, "status": booking.status.value, "last": view.model_dump() if view else None}
