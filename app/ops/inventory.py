"""What a store holds, read through the store port so it is the same on SQLite and MongoDB."""

from __future__ import annotations

from app.store.backend import StoreBackend
from app.store.migrations import stored_version
from app.store.schema import COLLECTIONS, META


async def collection_counts(backend: StoreBackend) -> dict[str, int]:
    return {name: await backend.collection(name).count({}) for name in sorted(COLLECTIONS)}


async def schema_version(backend: StoreBackend) -> int:
    return await stored_version(backend.collection(META))
