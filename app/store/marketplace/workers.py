"""Worker profiles repository."""

from __future__ import annotations

import time
from collections.abc import Collection
from datetime import datetime
from typing import Any

import orjson

from app.domain.base import iso
from app.domain.businesses import Rating
from app.domain.workers import Worker
from app.store.documents import Document, DocumentCollection, Update
from app.store.reviews.ratings import apply_rating

# How long `get_many_recent` may answer from this process's memory. Writes through this repository
# forget the worker at once; another process's writes show within this time.
RECENT_WORKER_TTL_S = 5.0
# Past this many remembered workers the memory starts over.
RECENT_WORKER_LIMIT = 50_000


def _fingerprint(doc: Document) -> bytes:
    """Tells a changed document from the one a profile was built from: its JSON text, a tenth of the cost
    of a validation (a digest of it would cost more than the text takes in memory)."""
    return orjson.dumps(doc, default=str)


class WorkerRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection
        # worker id -> (profile or None when absent, when read, the document it was built from as JSON)
        self._recent: dict[str, tuple[Worker | None, float, bytes | None]] = {}

    async def add(self, worker: Worker) -> None:
        await self._col.insert(worker.to_doc())
        self._recent.pop(worker.id, None)

    async def get(self, worker_id: str) -> Worker | None:
        doc = await self._col.get(worker_id)
        return Worker.from_doc(doc) if doc else None

    async def get_many(self, worker_ids: Collection[str]) -> dict[str, Worker]:
        docs = await self._col.find({"id": {"$in": list(worker_ids)}})
        return {doc["id"]: Worker.from_doc(doc) for doc in docs}

    async def get_many_recent(self, worker_ids: Collection[str]) -> dict[str, Worker]:
        """`get_many` for listings that tolerate seconds-old profiles (nearby search): answered from what
        this process read in the last RECENT_WORKER_TTL_S, reading only the rest. Nearby pages for one
        area ask for the same few dozen workers over and over; each read is a store round trip, and a
        model validation per worker whose document changed since the last read (an unchanged one, the
        usual case, keeps the profile already built: validation was most of a refresh's cost)."""
        now = time.monotonic()
        found: dict[str, Worker] = {}
        missing: list[str] = []
        for worker_id in worker_ids:
            entry = self._recent.get(worker_id)
            if entry is not None and now - entry[1] < RECENT_WORKER_TTL_S:
                if entry[0] is not None:
                    found[worker_id] = entry[0]
            else:
                missing.append(worker_id)
        if missing:
            docs = {doc["id"]: doc for doc in await self._col.find({"id": {"$in": missing}})}
            if len(self._recent) + len(missing) > RECENT_WORKER_LIMIT:
                self._recent.clear()
            for worker_id in missing:
                doc = docs.get(worker_id)
                if doc is None:
                    self._recent[worker_id] = (None, now, None)
                    continue
                fingerprint = _fingerprint(doc)
                entry = self._recent.get(worker_id)
                worker = entry[0] if entry is not None and entry[2] == fingerprint else None
                if worker is None:
                    worker = Worker.from_doc(doc)
                self._recent[worker_id] = (worker, now, fingerprint)
                found[worker_id] = worker
        return found

    async def list_for_business(
        self, business_id: str, *, active_only: bool = False, skip: int = 0, limit: int | None = None
    ) -> list[Worker]:
        """Oldest first, so pages stay stable while workers are added."""
        docs = await self._col.find(
            self._of_business(business_id, active_only), sort=[("createdAt", 1)], skip=skip, limit=limit
        )
        return [Worker.from_doc(doc) for doc in docs]

    async def count_for_business(self, business_id: str, *, active_only: bool = False) -> int:
        return await self._col.count(self._of_business(business_id, active_only))

    async def update_fields(self, worker_id: str, fields: dict[str, Any], now: datetime) -> Worker | None:
        doc = await self._col.update_one({"id": worker_id}, Update(set={**fields, "updatedAt": iso(now)}))
        # After the write: a read racing it may have remembered the old profile.
        self._recent.pop(worker_id, None)
        return Worker.from_doc(doc) if doc else None

    async def apply_rating(self, worker_id: str, delta_sum: int, delta_count: int) -> Rating | None:
        """Atomically add (or take back) review stars; see app/store/reviews/ratings.py."""
        rating = await apply_rating(self._col, worker_id, delta_sum, delta_count)
        self._recent.pop(worker_id, None)
        return rating

    @staticmethod
    def _of_business(business_id: str, active_only: bool) -> dict[str, Any]:
        return {"businessId": business_id, "isActive": True} if active_only else {"businessId": business_id}

    async def erase(self, worker_id: str, now: datetime) -> bool:
        """Erasure: the profile copies the account's name, email and phone and says who the person is (bio,
        experience, certifications); they go, the id stays."""
        stamp = iso(now)
        doc = await self._col.update_one(
            {"id": worker_id},
            Update(
                set={
                    "firstName": "",
                    "lastName": "",
                    "email": f"erased-{worker_id}@erased.invalid",
                    "phone": None,
                    "bio": None,
                    "experience": None,
                    "certifications": [],
                    "isActive": False,
                    "updatedAt": stamp,
                }
            ),
        )
        return doc is not None
