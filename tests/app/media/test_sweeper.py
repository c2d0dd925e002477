"""The cleanup job removes objects no media document points to, once past the grace period."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from app.domain.media import ContentType, MediaKind, MediaObject
from app.media.memory_storage import MemoryStorage
from app.media.sweeper import MediaSweeper
from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store
from tests.support.clocks import MovableClock

GRACE_S = 3600


async def test_orphans_go_after_the_grace_period_referenced_objects_stay(tmp_path: Path) -> None:
    backend = SqliteBackend(tmp_path / "store.sqlite3")
    await backend.setup()
    store, storage, clock = Store(backend), MemoryStorage(), MovableClock(datetime.now(UTC))
    for key in ("kept.jpg", "kept-thumb.jpg", "orphan.jpg"):
        await storage.put(key, io.BytesIO(b"bytes"), content_type="image/jpeg", max_bytes=100)
    await store.media.add(
        MediaObject(
            id="m1",
            kind=MediaKind.PET_PHOTO,
            subject_id="pet1",
            uploaded_by="u1",
            content_type=ContentType.JPEG,
            bytes=5,
            key="kept.jpg",
            thumbnail_key="kept-thumb.jpg",
            created_at=clock.now(),
        )
    )
    sweeper = MediaSweeper(storage, store.media, clock, grace_s=GRACE_S, interval_s=60)

    # An upload may still be under way: nothing young is touched.
    assert await sweeper.sweep_once() == 0
    assert set(storage.objects) == {"kept.jpg", "kept-thumb.jpg", "orphan.jpg"}

    clock.advance(GRACE_S + 1)
    assert await sweeper.sweep_once() == 1
    assert set(storage.objects) == {"kept.jpg", "kept-thumb.jpg"}
    assert await sweeper.sweep_once() == 0
    await backend.close()
