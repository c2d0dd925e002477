"""Notification preferences repository: one document per user, replaced whole."""

from __future__ import annotations

from app.messages.preferences import NotificationPreferences
from app.store.documents import DocumentCollection, Update


class PreferencesRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def get(self, user_id: str) -> NotificationPreferences:
        doc = await self._col.get(user_id)
        return NotificationPreferences.from_doc(doc) if doc else NotificationPreferences(id=user_id)

    async def put(self, preferences: NotificationPreferences) -> None:
        doc = preferences.to_doc()
        if await self._col.insert_many_new([doc]) == 0:
            await self._col.update_one({"id": preferences.id}, Update(set={"channels": doc["channels"]}))

    async def remove(self, user_id: str) -> None:
        await self._col.delete_one({"id": user_id})
