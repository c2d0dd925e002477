"""The production store: MongoDB through PyMongo's AsyncMongoClient.

Pool sizes and timeouts come from the connection URL (`maxPoolSize`, `serverSelectionTimeoutMS`, ...).
"""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from app.store.mongo.collection import MongoCollection
from app.store.mongo.geo_search import MongoGeoSearch
from app.store.mongo.translate import index_model, ttl_path
from app.store.schema import BUSINESSES, COLLECTIONS


class MongoBackend:
    def __init__(self, url: str, database: str) -> None:
        self.client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
        self.db = self.client[database]
        self._collections = {
            name: MongoCollection(self.db[name], ttl_from=ttl_path(indexes)) for name, indexes in COLLECTIONS.items()
        }
        self.geo_search = MongoGeoSearch(self.db[BUSINESSES])

    async def setup(self) -> None:
        # create_indexes is idempotent for identical specifications, so every start may run it.
        for name, indexes in COLLECTIONS.items():
            if indexes:
                await self.db[name].create_indexes([index_model(index) for index in indexes])

    def collection(self, name: str) -> MongoCollection:
        return self._collections[name]

    async def ping(self) -> None:
        await self.client.admin.command("ping")

    async def close(self) -> None:
        await self.client.close()
