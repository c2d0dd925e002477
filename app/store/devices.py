"""Push devices repository: the token is the id, so registering again moves it to the new user."""

from __future__ import annotations

from app.messages.devices import Device
from app.store.documents import DocumentCollection, Update


class DeviceRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

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
        return [device.id for device in await self.of_user(user_id)]

    async def remove(self, user_id: str, token: str) -> bool:
        return await self._col.delete_one({"id": token, "userId": user_id})

    async def forget(self, token: str) -> None:
        await self._col.delete_one({"id": token})

    async def remove_all(self, user_id: str) -> int:
        return await self._col.delete_many({"userId": user_id})
