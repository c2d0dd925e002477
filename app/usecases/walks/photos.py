"""The walk's photos on the booking: `completionDetails.photos` lists the ids of the photos the walker added
(POST /v1/bookings/{id}/photos), oldest first.

A photo taken during the walk is listed when the walk completes; one added after completion (a phone that
was offline on the walk uploads later) is listed as it arrives: the owner's record of the walk is whatever
proof the walker sent. Both paths end here, and converge whichever order an upload and the completion run in:

- the completion reads the photos after its status change, and
- an upload re-reads the booking after its media document is stored,

so either the completion sees the photo or the upload sees the completed booking. Each writer re-reads the
photos after writing and writes again until what is stored is what is there: the last writer's list is complete.
"""

from __future__ import annotations

from typing import Protocol

from app.clock import Clock
from app.domain.bookings import Booking
from app.domain.media import MediaKind
from app.store.store import Store

# Each round lets in the photos that arrived since the last read; more than a few in a row is a burst the
# other uploaders' own rounds finish.
MAX_ROUNDS = 5


class WalkPhotoPorts(Protocol):
    @property
    def store(self) -> Store: ...
    @property
    def clock(self) -> Clock: ...


async def photo_ids(ports: WalkPhotoPorts, booking_id: str) -> list[str]:
    """The ids of the walker's photos of this booking, oldest first."""
    return [media.id for media in await ports.store.media.of_subject(booking_id, MediaKind.WALK_PHOTO)]


async def attach_walk_photos(ports: WalkPhotoPorts, booking: Booking) -> Booking:
    """The completed `booking` with every walk photo in `completionDetails.photos`; any other booking as it is."""
    current = booking
    for _ in range(MAX_ROUNDS):
        if current.completion_details is None:
            return current
        found = await photo_ids(ports, current.id)
        if current.completion_details.photos == found:
            return current
        updated = await ports.store.bookings.set_walk_photos(current.id, found, ports.clock.now())
        if updated is None:
            return current
        current = updated
    return current
