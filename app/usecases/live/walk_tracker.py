"""Live walk tracking: the walk trail, `tracking:location` to the booking's watchers, and the pickup geofence.

Booking transitions keep `ActiveWalks` current (on my way / walk started / finished), and the walks in
progress or on the way in the store refill it at start; each accepted fix of a worker on a walk is appended
to the trail durably before the fix is acknowledged, then fanned out to the booking's room. While the worker
is on the way, fixes are fanned out with `etaS` and not recorded. No database read on this path (the walker
arriving at the pickup before the walk, a once-per-booking event, announces itself).
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.booking_events import BookingFinished, WalkerApproaching, WalkStarted
from app.domain.base import iso
from app.domain.bookings import Booking, BookingStatus
from app.domain.fixes import AcceptedFixes, LiveFix
from app.events import booking_room
from app.live.active_walks import ActiveWalk
from app.usecases.walks.requests import WalkPorts, walker_arrived
from app.walks.approach import SpeedSample, eta_s
from geo.coordinates import LngLat
from geo.distance import haversine_m, round_dm

# The pickup geofence: `geofence:arrived` / `geofence:departed` fire when crossing this circle.
GEOFENCE_RADIUS_M = 50.0


def _inside(position: LngLat, pickup: LngLat) -> bool:
    return haversine_m(position, pickup) <= GEOFENCE_RADIUS_M


class WalkTracker:
    """Handles booking events (walker approaching, walk started, booking finished) and is a fix hook
    (trail, fan-out, geofence)."""

    def __init__(self, ports: WalkPorts) -> None:
        # The walk's ports: arriving at the pickup is a walk use case (`walker_arrived`).
        self.ports = ports
        # The approaching workers' recent speed, for the ETA. In this process's memory: a worker's socket
        # lives in one process, and a lost estimate only means walking pace until the next fix.
        self._speeds: dict[str, SpeedSample] = {}
        ports.active_walks.restore_from(self.walks_in_progress)

    async def walks_in_progress(self) -> list[ActiveWalk]:
        """The active-walk table as the store has it: every booking in progress (the geofence state as of
        the last point of its trail) and every booking whose worker is on the way (as of the live index)."""
        walks = []
        for booking in await self.ports.store.bookings.in_progress():
            if booking.worker_id is None:
                continue
            pickup = LngLat(*booking.location.coordinates)
            last = await self.ports.store.trails.last(booking.id)
            walks.append(
                ActiveWalk(booking.id, booking.worker_id, pickup, last is not None and _inside(last.position, pickup))
            )
        for booking in await self.ports.store.bookings.on_the_way():
            if booking.worker_id is not None:
                walks.append(await self._approach(booking, booking.worker_id))
        return walks

    async def _approach(self, booking: Booking, worker_id: str) -> ActiveWalk:
        pickup = LngLat(*booking.location.coordinates)
        live = await self.ports.live_index.worker(worker_id)
        inside = live is not None and live.last_fix is not None and _inside(live.last_fix.position, pickup)
        return ActiveWalk(booking.id, worker_id, pickup, inside, walking=False)

    async def approaching(self, event: WalkerApproaching) -> None:
        """The worker set off for the pickup: show their fixes to the booking's watchers from now on."""
        booking = event.booking
        assert booking.worker_id is not None
        current = self.ports.active_walks.get(booking.worker_id)
        if current is not None and current.walking:
            # Still walking another dog: that walk keeps the worker's fixes until it ends.
            return
        await self.ports.active_walks.put(await self._approach(booking, booking.worker_id))

    async def started(self, event: WalkStarted) -> None:
        booking = event.booking
        assert booking.worker_id is not None
        pickup = LngLat(*booking.location.coordinates)
        live = await self.ports.live_index.worker(booking.worker_id)
        start_fix = live.last_fix if live is not None else None
        if start_fix is not None:
            # The walk starts where the worker stood when they started it.
            await self.ports.store.trails.append(booking.id, [start_fix.trail_point()])
        inside = start_fix is not None and _inside(start_fix.position, pickup)
        await self.ports.active_walks.put(ActiveWalk(booking.id, booking.worker_id, pickup, inside))

    async def finished(self, event: BookingFinished) -> None:
        booking = event.booking
        if booking.worker_id is not None and booking.status in (BookingStatus.COMPLETED, BookingStatus.CANCELLED):
            self._speeds.pop(booking.worker_id, None)
            await self.ports.active_walks.remove(booking.worker_id, booking.id)

    def _location(self, walk: ActiveWalk, fix: LiveFix) -> dict[str, object]:
        # Distance from the pickup point: how far the walker is from the door, or the dog from home.
        distance = haversine_m(fix.position, walk.pickup)
        event: dict[str, object] = {
            "bookingId": walk.booking_id,
            "coordinates": fix.coordinates(),
            "timestamp": fix.timestamp_ms,
            "distanceM": round_dm(distance),
        }
        if not walk.walking:
            previous = self._speeds.get(walk.worker_id)
            sample = (
                previous.next(fix.position, fix.timestamp_ms)
                if previous is not None
                else SpeedSample(fix.position, fix.timestamp_ms, None)
            )
            self._speeds[walk.worker_id] = sample
            event["etaS"] = eta_s(distance, sample.speed_mps)
        return event

    async def on_fixes(self, batch: AcceptedFixes) -> None:
        walk = self.ports.active_walks.get(batch.worker_id)
        if walk is None:
            return
        if walk.walking:
            await self.ports.store.trails.append(walk.booking_id, [fix.trail_point() for fix in batch.fixes])
        room = booking_room(walk.booking_id)
        events = self.ports.events
        inside = walk.inside
        for fix in batch.fixes:
            await events.emit("tracking:location", self._location(walk, fix), room=room)
            now_inside = _inside(fix.position, walk.pickup)
            if now_inside != inside:
                inside = now_inside
                at = iso(datetime.fromtimestamp(fix.timestamp_ms / 1000, tz=UTC))
                await events.emit(
                    "geofence:arrived" if inside else "geofence:departed",
                    {"bookingId": walk.booking_id, "at": at},
                    room=room,
                )
                if inside and not walk.walking:
                    await walker_arrived(self.ports, walk.booking_id, at)
        if inside != walk.inside:
            await self.ports.active_walks.put(walk.with_inside(inside))
