"""Media kept in a dict: the test double, and a storage for throwaway processes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import IO

from app.media.storage import CHUNK_BYTES, ObjectMissing, ObjectTooLarge, StoredObject


class MemoryStorage:
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str, datetime]] = {}

    async def setup(self) -> None:
        return None

    async def put(self, key: str, body: IO[bytes], *, content_type: str, max_bytes: int) -> StoredObject:
        data = body.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise ObjectTooLarge(max_bytes)
        self.objects[key] = (data, content_type, datetime.now(UTC))
        return StoredObject(key=key, bytes=len(data))

    async def open(self, key: str) -> AsyncIterator[bytes]:
        stored = self.objects.get(key)
        if stored is None:
            raise ObjectMissing(key)
        data = stored[0]
        for start in range(0, len(data), CHUNK_BYTES):
            yield data[start : start + CHUNK_BYTES]

    async def url(self, key: str, *, expires_s: int) -> str | None:
        return None

    async def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    async def keys_older_than(self, moment: datetime) -> AsyncIterator[str]:
        for key, (_, _, stored_at) in list(self.objects.items()):
            if stored_at < moment:
                yield key

    async def aclose(self) -> None:
        return None
