"""The media repository on every store backend: by subject, and which storage keys are still in use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.media import ContentType, MediaKind, MediaObject
from app.store.store import Store

T0 = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def media(
    media_id: str, subject: str, key: str, *, kind: MediaKind = MediaKind.PET_PHOTO, minute: int = 0
) -> MediaObject:
    return MediaObject(
        id=media_id,
        kind=kind,
        subject_id=subject,
        uploaded_by="u1",
        content_type=ContentType.JPEG,
        bytes=10,
        width=4,
        height=3,
        key=key,
        thumbnail_key=f"thumb-{key}",
        created_at=T0 + timedelta(minutes=minute),
    )


async def test_media_of_a_subject_oldest_first_by_kind(store: Store) -> None:
    await store.media.add(media("m2", "pet1", "k2", minute=2))
    await store.media.add(media("m1", "pet1", "k1", minute=1))
    await store.media.add(media("d1", "pet1", "k3", kind=MediaKind.PET_DOCUMENT))
    await store.media.add(media("m3", "pet2", "k4"))

    assert [m.id for m in await store.media.of_subject("pet1", MediaKind.PET_PHOTO)] == ["m1", "m2"]
    assert [m.id for m in await store.media.of_subject("pet1", MediaKind.PET_DOCUMENT)] == ["d1"]


async def test_keys_in_use_covers_objects_and_thumbnails(store: Store) -> None:
    await store.media.add(media("m1", "pet1", "k1"))
    await store.media.add(media("m2", "pet1", "k2"))

    assert await store.media.keys_in_use(["k1", "thumb-k2", "orphan"]) == {"k1", "thumb-k2"}
    assert await store.media.remove("m1")
    assert await store.media.keys_in_use(["k1", "thumb-k1"]) == set()
    assert await store.media.keys_in_use([]) == set()
    assert not await store.media.remove("m1")
