"""DocumentCollection on MongoDB through PyMongo's asyncio API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError, WriteError

from app.errors import ValidationFailed
from app.store.documents import Document, DuplicateKey, Filter, SortKey, Update
from app.store.mongo.translate import from_mongo, mongo_filter, mongo_path, mongo_sort, mongo_update, to_mongo

DUPLICATE_KEY_CODE = 11000
# "Can't extract geo keys": MongoDB's spherical geometry refuses a shape shapely accepted
# (e.g. repeated consecutive vertices, edges longer than a hemisphere).
GEO_KEYS_CODE = 16755


def _refused_geometry(exc: WriteError) -> ValidationFailed:
    message = str(exc.details.get("errmsg", exc)) if exc.details else str(exc)
    return ValidationFailed(
        "the geometry was refused by the database's spherical model",
        [{"field": "geometry", "message": message[:300], "type": "geojson"}],
    )


class MongoCollection:
    def __init__(self, collection: Any, *, ttl_from: str | None = None) -> None:
        # Typed as Any: AsyncCollection is generic over the document type and the adapter
        # is also driven by a recording double in tests.
        self.raw = collection
        self.name: str = collection.name
        self._ttl_from = ttl_from

    async def insert(self, doc: Document) -> None:
        try:
            await self.raw.insert_one(to_mongo(doc, self._ttl_from))
        except DuplicateKeyError as exc:
            raise DuplicateKey(self.name, str(exc)) from exc
        except WriteError as exc:
            if exc.code == GEO_KEYS_CODE:
                raise _refused_geometry(exc) from exc
            raise

    async def insert_many_new(self, docs: Sequence[Document]) -> int:
        if not docs:
            return 0
        try:
            result = await self.raw.insert_many([to_mongo(doc, self._ttl_from) for doc in docs], ordered=False)
            return len(result.inserted_ids)
        except BulkWriteError as exc:
            # Unordered: every non-duplicate was written; only duplicate-key failures are expected.
            errors = exc.details.get("writeErrors", [])
            if any(err.get("code") != DUPLICATE_KEY_CODE for err in errors):
                raise
            return int(exc.details.get("nInserted", 0))

    async def get(self, doc_id: str) -> Document | None:
        return await self.find_one({"id": doc_id})

    async def find_one(self, where: Filter) -> Document | None:
        return from_mongo(await self.raw.find_one(mongo_filter(where)))

    async def find(
        self,
        where: Filter,
        *,
        sort: Sequence[SortKey] = (),
        skip: int = 0,
        limit: int | None = None,
    ) -> list[Document]:
        cursor = self.raw.find(mongo_filter(where))
        if sort:
            cursor = cursor.sort(mongo_sort(sort))
        if skip:
            cursor = cursor.skip(skip)
        if limit is not None:
            cursor = cursor.limit(limit)
        return [doc for raw in await cursor.to_list() if (doc := from_mongo(raw)) is not None]

    async def find_ids(self, where: Filter, *, sort: Sequence[SortKey] = ()) -> list[str]:
        cursor = self.raw.find(mongo_filter(where), {"_id": 1})
        if sort:
            cursor = cursor.sort(mongo_sort(sort))
        return [str(raw["_id"]) for raw in await cursor.to_list()]

    async def count(self, where: Filter) -> int:
        return int(await self.raw.count_documents(mongo_filter(where)))

    async def distinct(self, path: str, where: Filter) -> list[Any]:
        values = await self.raw.distinct(mongo_path(path), mongo_filter(where))
        return [value for value in values if value is not None]

    async def update_one(self, where: Filter, update: Update) -> Document | None:
        try:
            raw = await self.raw.find_one_and_update(
                mongo_filter(where), mongo_update(update), return_document=ReturnDocument.AFTER
            )
        except DuplicateKeyError as exc:
            raise DuplicateKey(self.name, str(exc)) from exc
        except WriteError as exc:
            if exc.code == GEO_KEYS_CODE:
                raise _refused_geometry(exc) from exc
            raise
        return from_mongo(raw)

    async def update_many(self, where: Filter, update: Update) -> int:
        result = await self.raw.update_many(mongo_filter(where), mongo_update(update))
        return int(result.modified_count)

    async def delete_one(self, where: Filter) -> bool:
        result = await self.raw.delete_one(mongo_filter(where))
        return bool(result.deleted_count)

    async def delete_many(self, where: Filter) -> int:
        result = await self.raw.delete_many(mongo_filter(where))
        return int(result.deleted_count)

    async def version(self) -> None:
        # Not tracked: a counter kept by every writer would cost a second write each. Readers do not cache.
        return None
