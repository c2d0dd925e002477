"""What a storage engine provides to the repositories."""

from __future__ import annotations

from typing import Protocol

from app.store.documents import DocumentCollection


class StoreBackend(Protocol):
    async def setup(self) -> None:
        """Open connections and create tables/indexes idempotently."""

    def collection(self, name: str) -> DocumentCollection: ...

    async def ping(self) -> None:
        """Raise when the engine does not answer."""

    async def close(self) -> None: ...
