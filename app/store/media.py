"""Media repository: one document per upload, found by id, by subject, or by the storage key it points to."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.media import MediaKind, MediaObject
from app.store.documents import DocumentCollection


class MediaRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def add(self, media: MediaObject) -> None:
        await self._col.insert(media.to_doc())

    async def get(self, media_id: str) -> MediaObject | None:
        doc = await self._col.get(media_id)
        return MediaObject.from_doc(doc) if doc else None

    async def of_subject(self, subject_id: str, kind: MediaKind) -> list[MediaObject]:
        docs = await self._col.find({"subjectId": subject_id, "kind": kind.value}, sort=[("createdAt", 1), ("id", 1)])
        return [MediaObject.from_doc(doc) for doc in docs]

    async def remove(self, media_id: str) -> bool:
        return await self._col.delete_one({"id": media_id})

    async def keys_in_use(self, keys: Sequence[str]) -> set[str]:
        """Which of these storage keys some media document still points to (as object or thumbnail)."""
        if not keys:
            return set()
        wanted = list(keys)
        used: set[str] = set()
        for doc in await self._col.find({"key": {"$in": wanted}}):
            used.add(doc["key"])
        for doc in await self._col.find({"thumbnailKey": {"$in": wanted}}):
            used.add(doc["thumbnailKey"])
        return used & set(wanted)
