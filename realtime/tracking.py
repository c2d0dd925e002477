"""Live walk tracking: the walk trail, `tracking:location` to the booking's watchers, and the pickup geofence.

Booking transitions keep `ActiveWalks` current (walk started / finished), and the walks in progress in
the store refill it at start; each accepted fix of a worker on a walk is appended to the trail durably
before the fix is acknowledged, then fanned out to the booking's room. No database read on this path.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.clock import iso
from app.composition import Services
from app.domain.bookings import Booking, BookingStatus
from app.events import booking_room
from geo.coordinates import LngLat
from geo.distance import haversine_m
from realtime.fixes import AcceptedFixes
from realtime.walks import ActiveWalk

# The pickup geofence: `geofence:arrived` / `geofence:departed` fire when crossing this circle.
GEOFENCE_RADIUS_M = 50.0


def _inside(position: LngLat, pickup: LngLat) -> bool:
    return haversine_m(position, pickup) <= GEOFENCE_RADIUS_M


class WalkTracker:
    """A BookingListener (walk start/finish) and a fix hook (trail, fan-out, geofence)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        services.active_walks.restore_from(self.walks_in_progress)

    async def walks_in_progress(self) -> list[ActiveWalk]:
        """The active-walk table as the store has it: every booking in progress, the geofence state as of
        the last point of its trail."""
        walks = []
        for booking in await self.services.store.bookings.find({"status": BookingStatus.IN_PROGRESS.value}):
            if booking.worker_id is None:
                continue
            pickup = LngLat(*booking.location.coordinates)
            last = await self.services.store.trails.last(booking.id)
            walks.append(
                ActiveWalk(booking.id, booking.worker_id, pickup, last is not None and _inside(last.position, pickup))
            )
        return walks

    async def created(self, booking: Booking) -> None:
        return None

    async def dispatch_requested(self, booking: Booking) -> None:
        return None

    async def started(self, booking: Booking) -> None:
        assert booking.worker_id is not None
        pickup = LngLat(*booking.location.coordinates)
        live = await self.services.live_index.worker(booking.worker_id)
        start_fix = live.last_fix if live is not None else None
        if start_fix is not None:
            # The walk starts where the worker stood when they started it.
            await self.services.store.trails.append(booking.id, [start_fix.trail_point()])
        inside = start_fix is not None and _inside(start_fix.position, pickup)
        await self.services.active_walks.put(ActiveWalk(booking.id, booking.worker_id, pickup, inside))

    async def finished(self, booking: Booking) -> None:
        if booking.worker_id is not None and booking.status in (BookingStatus.COMPLETED, BookingStatus.CANCELLED):
            await self.services.active_walks.remove(booking.worker_id, booking.id)

    async def on_fixes(self, batch: AcceptedFixes) -> None:
        walk = self.services.active_walks.get(batch.worker_id)
        if walk is None:
            return
        await self.services.store.trails.append(walk.booking_id, [fix.trail_point() for fix in batch.fixes])
        room = booking_room(walk.booking_id)
        events = self.services.events
        inside = walk.inside
        for fix in batch.fixes:
            await events.emit(
                "tracking:location",
                {
                    "bookingId": walk.booking_id,
                    "coordinates": fix.coordinates(),
                    "timestamp": fix.timestamp_ms,
                    # Distance from the pickup point: how far the dog is from home right now.
                    "distanceM": round(haversine_m(fix.position, walk.pickup), 1),
                },
                room=room,
            )
            now_inside = _inside(fix.position, walk.pickup)
            if now_inside != inside:
                inside = now_inside
                at = iso(datetime.fromtimestamp(fix.timestamp_ms / 1000, tz=UTC))
                await events.emit(
                    "geofence:arrived" if inside else "geofence:departed",
                    {"bookingId": walk.booking_id, "at": at},
                    room=room,
                )
        if inside != walk.inside:
            await self.services.active_walks.put(walk.with_inside(inside))
