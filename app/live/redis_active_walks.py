"""The active-walk table in a mirrored Redis hash (app/live/redis_mirror.py): shared by every process, read
locally, and refilled from the store when Redis comes back without it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict

import orjson
from redis.asyncio import Redis

from app.live.active_walks import ActiveWalk, WalkSource
from app.live.redis_mirror import RedisMirror
from geo.coordinates import LngLat


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
