"""Job records: claimed with a compare-and-set on `leaseUntil`, so one process runs a due job."""

from __future__ import annotations

from datetime import datetime

from app.domain.base import iso
from app.jobs.job import JobRecord
from app.store.documents import DocumentCollection, Update


class JobRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def ensure(self, name: str, now: datetime) -> None:
        """Create the job's record, due now, unless it exists."""
        await self._col.insert_many_new([JobRecord(id=name, lease_until=now).to_doc()])

    async def claim(self, name: str, now: datetime, lease_until: datetime) -> JobRecord | None:
        doc = await self._col.update_one(
            {"id": name, "leaseUntil": {"$lte": iso(now)}},
            Update(set={"leaseUntil": iso(lease_until)}, inc={"runs": 1}),
        )
        return JobRecord.from_doc(doc) if doc else None

    async def finished(self, name: str, started_at: datetime) -> None:
        await self._col.update_one({"id": name}, Update(set={"lastRunAt": iso(started_at), "lastError": None}))

    async def failed(self, name: str, retry_at: datetime, error: str) -> None:
        await self._col.update_one({"id": name}, Update(set={"leaseUntil": iso(retry_at), "lastError": error}))

    async def get(self, name: str) -> JobRecord | None:
        doc = await self._col.get(name)
        return JobRecord.from_doc(doc) if doc else None
