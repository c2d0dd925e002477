"""Notifications repository."""

from __future__ import annotations

from datetime import datetime

from app.domain.base import iso
from app.domain.notifications import Notification, NotificationGroup
from app.store.batching import BatchInserter
from app.store.documents import DocumentCollection, Update


class NotificationRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection
        # A status change or a dispatch wave stores many at once: they share one write (one fsync).
        self._writer = BatchInserter(collection)

    async def add(self, notification: Notification) -> None:
        """Store a notification with a fresh id; returns once it is durable."""
        await self._writer.insert([notification.to_doc()])

    async def add_once(self, notification: Notification) -> bool:
        """Store a notification whose id is derived from its event; False when it was stored already."""
        return await self._col.insert_many_new([notification.to_doc()]) == 1

    async def page(
        self,
        user_id: str,
        *,
        is_read: bool | None = None,
        group: NotificationGroup | None = None,
        kind: str | None = None,
        skip: int,
        limit: int,
    ) -> tuple[list[Notification], int]:
        """The person's notifications, newest first: read or unread ones only, of one group, and of one kind
        and the kinds under it (`booking` is `booking` and `booking.*`)."""
        where: dict[str, object] = {"userId": user_id}
        if is_read is not None:
            where["readAt"] = {"$ne": None} if is_read else None
        if group is not None:
            where["group"] = group.value
        if kind is not None:
            # Kinds are lowercase letters, digits, underscores and dots; "/" follows "." and precedes them
            # all, so [kind, kind + "/") holds exactly the kind and its dotted children, on both stores.
            where["type"] = {"$gte": kind, "$lt": kind + "/"}
        docs = await self._col.find(where, sort=[("createdAt", -1)], skip=skip, limit=limit)
        return [Notification.from_doc(d) for d in docs], await self._col.count(where)

    async def mark_read(self, user_id: str, notification_id: str, now: datetime) -> Notification | None:
        doc = await self._col.update_one({"id": notification_id, "userId": user_id}, Update(set={"readAt": iso(now)}))
        return Notification.from_doc(doc) if doc else None

    async def mark_all_read(self, user_id: str, now: datetime) -> int:
        return await self._col.update_many({"userId": user_id, "readAt": None}, Update(set={"readAt": iso(now)}))

    async def delete(self, user_id: str, notification_id: str) -> bool:
        return await self._col.delete_one({"id": notification_id, "userId": user_id})

    async def purge_before(self, cutoff: datetime) -> int:
        return await self._col.delete_many({"createdAt": {"$lt": iso(cutoff)}})

    async def of_user(self, user_id: str) -> list[Notification]:
        docs = await self._col.find({"userId": user_id}, sort=[("createdAt", 1)])
        return [Notification.from_doc(d) for d in docs]
