"""Which workers are on a walk right now: the cache the location hot path reads instead of the database.

Booking transitions write it (walk started, walk finished); every fix reads it. The Redis adapter
(app/live/redis_active_walks.py) is a mirrored hash, so a read never leaves the process.

The store is the source of truth: the table is filled from it at start (the memory adapter starts empty
after every restart) and, in Redis mode, whenever the mirror finds walks missing from Redis (a Redis
restarted without persistence). Without that, fixes of a walk begun before a restart were accepted and
never reached its trail.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from geo.coordinates import LngLat


@dataclass(frozen=True, slots=True)
class ActiveWalk:
    booking_id: str
    worker_id: str
    pickup: LngLat
    # Whether the worker is inside the pickup geofence, as of the last fix.
    inside: bool
    # False while the worker is on the way to the pickup: fixes are shown to the watchers with an ETA but
    # are not part of the walk's trail.
    walking: bool = True

    def with_inside(self, inside: bool) -> ActiveWalk:
        return replace(self, inside=inside)


WalkSource = Callable[[], Awaitable[Sequence[ActiveWalk]]]
"""The walks in progress according to the store."""


class ActiveWalks(Protocol):
    def get(self, worker_id: str) -> ActiveWalk | None: ...

    def restore_from(self, source: WalkSource) -> None:
        """Fill the table from `source` at start (and, in Redis mode, when Redis lost it); entries already
        present win, they are at least as recent."""

    @property
    def loaded(self) -> bool:
        """Whether the table has been loaded since start: until then a fix cannot tell whether it belongs
        to a walk."""

    async def put(self, walk: ActiveWalk) -> None: ...

    async def remove(self, worker_id: str, booking_id: str) -> None:
        """Forget the worker's walk, if it is still this booking's."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class MemoryActiveWalks:
    def __init__(self) -> None:
        self._walks: dict[str, ActiveWalk] = {}
        self._source: WalkSource | None = None

    def get(self, worker_id: str) -> ActiveWalk | None:
        return self._walks.get(worker_id)

    def restore_from(self, source: WalkSource) -> None:
        self._source = source

    @property
    def loaded(self) -> bool:
        # Filled by `start`, before the app serves anything.
        return True

    async def put(self, walk: ActiveWalk) -> None:
        self._walks[walk.worker_id] = walk

    async def remove(self, worker_id: str, booking_id: str) -> None:
        walk = self._walks.get(worker_id)
        if walk is not None and walk.booking_id == booking_id:
            del self._walks[worker_id]

    async def start(self) -> None:
        if self._source is not None:
            for walk in await self._source():
                self._walks.setdefault(walk.worker_id, walk)

    async def stop(self) -> None:
        return None
