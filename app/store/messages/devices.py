"""Push devices repository: the token is the id, so registering again moves it to the new user."""

from __future__ import annotations

from collections.abc import Sequence

from app.messages.devices import Device
from app.store.batching import ReadCoalescer
from app.store.documents import DocumentCollection, Update


class DeviceRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection
        # Concurrent look-ups (a burst of notifications, each asking whether its person has a device)
        # share one read.
        self._tokens: ReadCoalescer[str, list[str]] = ReadCoalescer(self.tokens_of_many)

    async def register(self, device: Device) -> Device:
        if await self._col.insert_many_new([device.to_doc()]) == 0:
            doc = await self._col.update_one(
                {"id": device.id}, Update(set={"userId": device.user_id, "platform": device.platform.value})
            )
            if doc is not None:
                return Device.from_doc(doc)
        return device

    async def of_user(self, user_id: str) -> list[Device]:
        docs = await self._col.find({"userId": user_id}, sort=[("createdAt", 1)])
        return [Device.from_doc(d) for d in docs]

    async def tokens_of(self, user_id: str) -> list[str]:
        return list(await self._tokens.read(user_id) or ())

    async def tokens_of_many(self, user_ids: Sequence[str]) -> dict[str, list[str]]:
        """The tokens of several people in one read (the push sender, once per batch)."""
        docs = await self._col.find({"userId": {"$in": list(user_ids)}}, sort=[("createdAt", 1)])
        tokens: dict[str, list[str]] = {}
        for doc in docs:
            tokens.setdefault(doc["userId"], []).append(doc["id"])
        return tokens

    async def remove(self, user_id: str, token: str) -> bool:
        return await self._col.delete_one({"id": token, "userId": user_id})

    async def forget(self, token: str) -> None:
        await self._col.delete_one({"id": token})

    async def remove_all(self, user_id: str) -> int:
        return await self._col.delete_many({"userId": user_id})
