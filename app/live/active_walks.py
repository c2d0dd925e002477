"""Which workers are on a walk right now: the cache the location hot path reads instead of the database.

Booking transitions write it (walk started, walk finished); every fix reads it. The Redis adapter is a
mirrored hash (app/live/redis_mirror.py), so a read never leaves the process.

The store is the source of truth: the table is filled from it at start (the memory adapter starts empty
after every restart) and, in Redis mode, whenever the mirror finds walks missing from Redis (a Redis
restarted without persistence). Without that, fixes of a walk begun before a restart were accepted and
never reached its trail.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Protocol

import orjson
from redis.asyncio import Redis

from app.live.redis_mirror import RedisMirror
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


def _dump(walk: ActiveWalk) -> bytes:
    return orjson.dumps({**asdict(walk), "pickup": list(walk.pickup)})


def _load(raw: bytes) -> ActiveWalk:
    data = orjson.loads(raw)
    return ActiveWalk(
        data["booking_id"],
        data["worker_id"],
        LngLat(*data["pickup"]),
        bool(data["inside"]),
        # Entries written before the approach phase existed are walks.
        bool(data.get("walking", True)),
    )


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


class RedisActiveWalks:
    def __init__(self, redis: Redis, key_prefix: str) -> None:
        self.mirror = RedisMirror(redis, f"{key_prefix}walks", restore=self._missing)
        self._source: WalkSource | None = None

    def get(self, worker_id: str) -> ActiveWalk | None:
        raw = self.mirror.get(worker_id)
        return _load(raw) if raw is not None else None

    def restore_from(self, source: WalkSource) -> None:
        self._source = source

    @property
    def loaded(self) -> bool:
        return self.mirror.loaded

    async def _missing(self, stored: Mapping[str, bytes]) -> dict[str, bytes]:
        # Walks present in Redis are left alone. A walk that another process finishes between this read of
        # the store and the write of what is missing would be put back until its worker's next walk; that
        # needs Redis to have lost the table and a walk to end within those milliseconds.
        if self._source is None:
            return {}
        return {walk.worker_id: _dump(walk) for walk in await self._source() if walk.worker_id not in stored}

    async def put(self, walk: ActiveWalk) -> None:
        await self.mirror.put(walk.worker_id, _dump(walk))

    async def remove(self, worker_id: str, booking_id: str) -> None:
        current = await self.mirror.read_through(worker_id)
        if current is not None and _load(current).booking_id == booking_id:
            await self.mirror.delete(worker_id)

    async def start(self) -> None:
        await self.mirror.start()

    async def stop(self) -> None:
        await self.mirror.stop()
