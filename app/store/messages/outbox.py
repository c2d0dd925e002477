"""Outbox repository: enqueue once by id, claim due messages with a lease (compare-and-set), settle them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.domain.base import iso
from app.ids import new_id
from app.messages.outbox import LATER_CHANNELS, URGENT_CHANNELS, OutboxMessage, OutboxStatus
from app.store.batching import BatchInserter
from app.store.documents import Document, DocumentCollection, Update


class OutboxRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection
        self._writer = BatchInserter(collection)

    async def enqueue(self, messages: Sequence[OutboxMessage]) -> int:
        """Store new messages; one whose id is already there (a replay) is skipped. Returns how many were new."""
        if not messages:
            return 0
        return await self._col.insert_many_new([m.to_doc() for m in messages])

    async def enqueue_coalesced(self, messages: Sequence[OutboxMessage]) -> None:
        """Like `enqueue`, sharing one write with concurrent callers (a burst of notifications); returns
        once these messages are durable, without telling how many were new."""
        await self._writer.insert([m.to_doc() for m in messages])

    async def get(self, message_id: str) -> OutboxMessage | None:
        doc = await self._col.get(message_id)
        return OutboxMessage.from_doc(doc) if doc else None

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
        """Take up to `limit` due messages for one send each; what another relay took first is not returned.

        One compare-and-set over the batch (still due when written) stamps a fresh claim id; reading back
        by that id tells which this caller won. Two writes per batch instead of one per message.
        """
        due_now = {"status": OutboxStatus.PENDING.value, "leaseUntil": {"$lte": iso(now)}}
        # Phone channels first: a push or text (a dispatch offer that expires in seconds, "your walker has
        # arrived") must not wait behind a wave of receipt emails due at the same moment.
        due: list[Document] = []
        for channels in (URGENT_CHANNELS, LATER_CHANNELS):
            if len(due) < limit:
                due += await self._col.find(
                    {**due_now, "channel": {"$in": [channel.value for channel in channels]}},
                    sort=[("leaseUntil", 1)],
                    limit=limit - len(due),
                )
        if not due:
            return []
        claim_id = new_id()
        await self._col.update_many(
            {
                "id": {"$in": [doc["id"] for doc in due]},
                "status": OutboxStatus.PENDING.value,
                "leaseUntil": {"$lte": iso(now)},
            },
            Update(set={"leaseUntil": iso(lease_until), "claimId": claim_id}, inc={"attempts": 1}),
        )
        docs = await self._col.find({"claimId": claim_id}, sort=[("leaseUntil", 1)])
        return [OutboxMessage.from_doc(d) for d in docs]

    async def mark_sent(self, message_ids: Sequence[str], now: datetime) -> int:
        """Settle a batch of sends in one write (one commit, one fsync on SQLite)."""
        if not message_ids:
            return 0
        return await self._col.update_many(
            {"id": {"$in": list(message_ids)}, "status": OutboxStatus.PENDING.value},
            Update(set={"status": OutboxStatus.SENT.value, "sentAt": iso(now)}),
        )

    async def retry_at(self, message_ids: Sequence[str], when: datetime, error: str) -> int:
        """Put messages back for another try at `when` (one write for all that failed alike)."""
        return await self._col.update_many(
            {"id": {"$in": list(message_ids)}, "status": OutboxStatus.PENDING.value},
            Update(set={"leaseUntil": iso(when), "lastError": error}),
        )

    async def mark_failed(self, message_ids: Sequence[str], error: str) -> int:
        return await self._col.update_many(
            {"id": {"$in": list(message_ids)}, "status": OutboxStatus.PENDING.value},
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
