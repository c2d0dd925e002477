"""Watching a walk: who may, and what they see (last fix, the trail so far, distance and duration)."""

from __future__ import annotations

from typing import Any, Protocol

from app.auth.principal import Principal
from app.domain.bookings import Booking, BookingStatus
from app.errors import Conflict
from app.usecases.bookings.lifecycle import BookingPorts, get_booking
from app.usecases.inputs import Input, Output
from app.walks.approach import ON_MY_WAY, display_status, on_the_way
from app.walks.live_summaries import LiveSummaries
from geo.distance import round_dm
from geo.trail import TrailPoint, summarize_walk


class TrackingPorts(BookingPorts, Protocol):
    """What tracking reads beyond the booking use cases' ports (it reads the booking through `get_booking`)."""

    @property
    def live_summaries(self) -> LiveSummaries: ...


TRACKED = (BookingStatus.IN_PROGRESS, BookingStatus.COMPLETED)


class LastFix(Output):
    coordinates: list[float]
    timestamp: int


class TrackingView(Output):
    booking_id: str
    # A booking status, or `on_my_way` while the worker is on the way to the pickup.
    status: str
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


async def watchable_booking(ports: TrackingPorts, principal: Principal, booking_id: str) -> Booking:
    """The booking, if the caller is one of its parties (who booked it, its pets' current owners and co-owners,
    business, worker, admin)."""
    return await get_booking(ports, principal, booking_id)


async def _live_position(ports: TrackingPorts, booking: Booking) -> TrailPoint | None:
    """The worker's live position while they are on the way (not part of the walk's trail)."""
    fix = await ports.live_index.last_fix(booking.worker_id) if booking.worker_id else None
    return fix.trail_point() if fix is not None else None


async def get_tracking(ports: TrackingPorts, principal: Principal, booking_id: str) -> TrackingView:
    booking = await watchable_booking(ports, principal, booking_id)
    if on_the_way(booking):
        return TrackingView(
            booking_id=booking.id,
            status=ON_MY_WAY,
            last=last_fix(await _live_position(ports, booking)),
            trail={"type": "LineString", "coordinates": []},
            distance_m=0.0,
            duration_s=0,
        )
    if booking.status not in TRACKED:
        raise Conflict("tracking starts when the worker is on the way")
    trail = await ports.store.trails.points(booking.id)
    # A completed walk is summarized once and for all at completion; the cache is for walks in progress.
    summary = (
        ports.live_summaries.summary_of(booking.id, trail)
        if booking.status is BookingStatus.IN_PROGRESS
        else summarize_walk(trail)
    )
    started = booking.started_at or ports.clock.now()
    ended = booking.completed_at or ports.clock.now()
    return TrackingView(
        booking_id=booking.id,
        status=booking.status.value,
        last=last_fix(trail[-1] if trail else None),
        trail={"type": "LineString", "coordinates": [[p.position.lng, p.position.lat] for p in trail]},
        distance_m=round_dm(summary.distance_m),
        duration_s=max(0, int((ended - started).total_seconds())),
    )


async def subscribe(ports: TrackingPorts, principal: Principal, data: TrackingSubscription) -> dict[str, Any]:
    """Checks for `tracking:subscribe`; the socket layer then joins the booking's room."""
    booking = await watchable_booking(ports, principal, data.booking_id)
    if on_the_way(booking):
        last = await _live_position(ports, booking)
    else:
        last = await ports.store.trails.last(booking.id)
    view = last_fix(last)
    return {"bookingId": booking.id, "status": display_status(booking), "last": view.model_dump() if view else None}
