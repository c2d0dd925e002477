"""User accounts repository."""

from __future__ import annotations

from datetime import datetime

from app.clock import iso
from app.domain.users import User
from app.errors import Conflict
from app.media.media import MediaRef
from app.store.documents import DocumentCollection, DuplicateKey, Update


class UserRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def add(self, user: User) -> None:
        try:
            await self._col.insert(user.to_doc())
        except DuplicateKey as exc:
            raise Conflict("an account with this email already exists") from exc

    async def get(self, user_id: str) -> User | None:
        doc = await self._col.get(user_id)
        return User.from_doc(doc) if doc else None

    async def by_email(self, email: str) -> User | None:
        doc = await self._col.find_one({"email": email})
        return User.from_doc(doc) if doc else None

    async def update_fields(self, user_id: str, fields: dict[str, object], now: datetime) -> User | None:
        doc = await self._col.update_one(
            {"id": user_id, "erasedAt": None}, Update(set={**fields, "updatedAt": iso(now)})
        )
        return User.from_doc(doc) if doc else None

    async def swap_avatar(self, user_id: str, expected_id: str | None, avatar: MediaRef, now: datetime) -> bool:
        """Set the avatar if it is still `expected_id` (compare-and-set: two racing uploads leave one)."""
        doc = await self._col.update_one(
            {"id": user_id, "erasedAt": None, "avatar.id": expected_id},
            Update(set={"avatar": avatar.model_dump(mode="json", by_alias=True), "updatedAt": iso(now)}),
        )
        return doc is not None

    async def set_business(self, user_id: str, business_id: str) -> bool:
        """Link a business account to its business, once: False when it already has one (or is erased).

        Compare-and-set on an empty `businessId`, so two concurrent creates leave one business.
        """
        doc = await self._col.update_one(
            {"id": user_id, "businessId": None, "erasedAt": None}, Update(set={"businessId": business_id})
        )
        return doc is not None

    async def record_login_failure(self, user_id: str, max_failures: int, locked_until: datetime) -> User | None:
        """Count a failure; the failure that reaches the limit locks the account and restarts the count."""
        doc = await self._col.update_one({"id": user_id}, Update(inc={"failedLogins": 1}))
        if doc is None:
            return None
        locked = await self._col.update_one(
            {"id": user_id, "failedLogins": {"$gte": max_failures}},
            Update(set={"failedLogins": 0, "lockedUntil": iso(locked_until)}),
        )
        return User.from_doc(locked or doc)

    async def record_login_success(self, user_id: str) -> None:
        await self._col.update_one({"id": user_id, "failedLogins": {"$gt": 0}}, Update(set={"failedLogins": 0}))

    async def erase(self, user_id: str, now: datetime) -> bool:
        """Remove personal data; the id stays so money records keep their reference."""
        stamp = iso(now)
        doc = await self._col.update_one(
            {"id": user_id, "erasedAt": None},
            Update(
                set={
                    "email": f"erased-{user_id}@erased.invalid",
                    "firstName": "",
                    "lastName": "",
                    "phone": None,
                    "passwordHash": None,
                    "avatar": None,
                    "erasedAt": stamp,
                    "updatedAt": stamp,
                }
            ),
        )
        return doc is not None
