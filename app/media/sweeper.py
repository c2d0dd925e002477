"""The media cleanup job: removes stored objects no media document points to.

An upload stores its objects before it records the document; a request that fails in between (a
crash, a lost race, a pet deleted meanwhile) leaves objects nobody can reach. Objects younger than
the grace period are left alone, since their upload may still be under way. Sweeping is idempotent,
so several processes sweeping one bucket do no harm.
"""

from __future__ import annotations

from datetime import timedelta

import structlog

from app.clock import Clock
from app.media.storage import MediaStorage
from app.periodic import Periodic
from app.store.media import MediaRepository

log = structlog.get_logger("walky.media")

BATCH = 200


class MediaSweeper(Periodic):
    def __init__(
        self, storage: MediaStorage, media: MediaRepository, clock: Clock, *, grace_s: int, interval_s: float
    ) -> None:
        super().__init__("media-sweeper", interval_s)
        self._storage = storage
        self._media = media
        self._clock = clock
        self._grace = timedelta(seconds=grace_s)

    async def sweep_once(self) -> int:
        """Remove unreferenced objects older than the grace period; return how many went."""
        removed = 0
        batch: list[str] = []
        async for key in self._storage.keys_older_than(self._clock.now() - self._grace):
            batch.append(key)
            if len(batch) >= BATCH:
                removed += await self._remove_unused(batch)
                batch = []
        if batch:
            removed += await self._remove_unused(batch)
        return removed

    async def _remove_unused(self, keys: list[str]) -> int:
        used = await self._media.keys_in_use(keys)
        orphans = [key for key in keys if key not in used]
        for key in orphans:
            await self._storage.delete(key)
        return len(orphans)

    async def _round(self) -> None:
        removed = await self.sweep_once()
        if removed:
            log.info("swept orphaned media objects", removed=removed)
