"""Outbox repository: enqueue once by id, claim due messages with a lease (compare-and-set), settle them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.clock import iso
from app.ids import new_id
from app.messages.outbox import OutboxMessage, OutboxStatus
from app.store.documents import DocumentCollection, Update


class OutboxRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def enqueue(self, messages: Sequence[OutboxMessage]) -> int:
        """Store new messages; one whose id is already there (a replay) is skipped. Returns how many were new."""
        if not messages:
            return 0
        return await self._col.insert_many_new([m.to_doc() for m in messages])

    async def get(self, message_id: str) -> OutboxMessage | None:
        doc = await self._col.get(message_id)
        return OutboxMessage.from_doc(doc) if doc else None

    async def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        docs = await self._col.find(
            {"status": OutboxStatus.PENDING.value, "leaseUntil": {"$lte": iso(now)}},
            sort=[("leaseUntil", 1)],
            limit=limit,
        )
        return [OutboxMessage.from_doc(d) for d in docs]

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
        """Take up to `limit` due messages for one send each; what another relay took first is not returned.

        One compare-and-set over the batch (still due when written) stamps a fresh claim id; reading back
        by that id tells which this caller won. Two writes per batch instead of one per message.
        """
        due = await self.due(now, limit)
        if not due:
            return []
        claim_id = new_id()
        await self._col.update_many(
            {
                "id": {"$in": [m.id for m in due]},
                "status": OutboxStatus.PENDING.value,
                "leaseUntil": {"$lte": iso(now)},
            },
            Update(set={"leaseUntil": iso(lease_until), "claimId": claim_id}, inc={"attempts": 1}),
        )
        docs = await self._col.find({"claimId": claim_id}, sort=[("leaseUntil", 1)])
        return [OutboxMessage.from_doc(d) for d in docs]

    async def mark_sent(self, message_id: str, provider_id: str, now: datetime) -> None:
        await self._col.update_one(
            {"id": message_id, "status": OutboxStatus.PENDING.value},
            Update(set={"status": OutboxStatus.SENT.value, "providerId": provider_id, "sentAt": iso(now)}),
        )

    async def retry_at(self, message_id: str, when: datetime, error: str) -> None:
        await self._col.update_one(
            {"id": message_id, "status": OutboxStatus.PENDING.value},
            Update(set={"leaseUntil": iso(when), "lastError": error}),
        )

    async def mark_failed(self, message_id: str, error: str) -> None:
        await self._col.update_one(
            {"id": message_id, "status": OutboxStatus.PENDING.value},
            Update(set={"status": OutboxStatus.FAILED.value, "lastError": error}),
        )

    async def of_user(self, user_id: str) -> list[OutboxMessage]:
        docs = await self._col.find({"userId": user_id}, sort=[("createdAt", 1)])
        return [OutboxMessage.from_doc(d) for d in docs]

    async def erase_user(self, user_id: str) -> int:
        """Blank what an erased person's messages say and stop the pending ones (the ids stay as a record)."""
        await self._col.update_many(
            {"userId": user_id, "status": OutboxStatus.PENDING.value},
            Update(set={"status": OutboxStatus.FAILED.value, "lastError": "recipient erased"}),
        )
        return await self._col.update_many(
            {"userId": user_id, "to": {"$ne": ""}},
            Update(set={"to": "", "title": "", "body": "", "data": {}}, unset=["link"]),
        )

    async def purge_settled_before(self, cutoff: datetime) -> int:
        return await self._col.delete_many(
            {"status": {"$ne": OutboxStatus.PENDING.value}, "createdAt": {"$lt": iso(cutoff)}}
        )
