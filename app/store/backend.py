"""What a storage engine provides to the repositories."""

from __future__ import annotations

from typing import Protocol

from app.store.documents import DocumentCollection
from app.store.geo_search import GeoSearch


class StoreBackend(Protocol):
    @property
    def geo_search(self) -> GeoSearch:
        """The engine's own geo queries over the businesses collection."""

    async def setup(self) -> None:
        """Open connections and create tables/indexes idempotently."""

    def collection(self, name: str) -> DocumentCollection: ...

    async def ping(self) -> None:
        """Raise when the engine does not answer."""

    async def close(self) -> None: ...
