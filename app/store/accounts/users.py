"""User accounts repository."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.domain.base import iso
from app.domain.media import MediaRef
from app.domain.phone_codes import PhoneCode
from app.domain.users import User, UserStatus
from app.errors import Conflict
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

    async def token_version(self, user_id: str) -> int | None:
        """The account's token version; None once erased. An id with no account has version 0: only a
        holder of the signing secret can make a token for one (tools and tests do)."""
        user = await self.get(user_id)
        if user is None:
            return 0
        return None if user.erased_at is not None else user.token_version

    async def bump_token_version(self, user_id: str) -> int | None:
        """Raise the token version (atomically, so racing bumps each count); None for an unknown account."""
        doc = await self._col.update_one({"id": user_id}, Update(inc={"tokenVersion": 1}))
        return User.from_doc(doc).token_version if doc else None

    async def by_email(self, email: str) -> User | None:
        doc = await self._col.find_one({"email": email})
        return User.from_doc(doc) if doc else None

    async def update_fields(self, user_id: str, fields: dict[str, object], now: datetime) -> User | None:
        """Change an account; a new phone number is not verified (and a code sent to the old one is void)."""
        change = {**fields, "updatedAt": iso(now)}
        if "phone" in fields:
            # Only when the number differs, in the same write: a verify racing it checks the number too.
            doc = await self._col.update_one(
                {"id": user_id, "erasedAt": None, "phone": {"$ne": fields["phone"]}},
                Update(set={**change, "isPhoneVerified": False, "phoneCode": None}),
            )
            if doc is not None:
                return User.from_doc(doc)
        doc = await self._col.update_one({"id": user_id, "erasedAt": None}, Update(set=change))
        return User.from_doc(doc) if doc else None

    async def set_phone_code(self, user_id: str, code: PhoneCode) -> bool:
        """Replace the code (the one sent before stops working), if the number is still the one it was sent to."""
        doc = await self._col.update_one(
            {"id": user_id, "erasedAt": None, "phone": code.phone},
            Update(set={"phoneCode": code.model_dump(mode="json", by_alias=True), "updatedAt": iso(code.created_at)}),
        )
        return doc is not None

    async def take_phone_try(self, user_id: str, code_hash: str, max_tries: int, now: datetime) -> bool:
        """Spend one of the code's tries before it is compared; False when none is left, or it expired or
        was replaced (so racing guesses still compare at most `max_tries` times)."""
        doc = await self._col.update_one(
            {
                "id": user_id,
                "phoneCode.codeHash": code_hash,
                "phoneCode.tries": {"$lt": max_tries},
                "phoneCode.expiresAt": {"$gt": iso(now)},
            },
            Update(inc={"phoneCode.tries": 1}),
        )
        return doc is not None

    async def mark_phone_verified(self, user_id: str, code: PhoneCode, now: datetime) -> User | None:
        """Use the code, once, for the number it was sent to; None if it was used, replaced or the number changed."""
        doc = await self._col.update_one(
            {"id": user_id, "erasedAt": None, "phone": code.phone, "phoneCode.codeHash": code.code_hash},
            Update(set={"isPhoneVerified": True, "phoneCode": None, "updatedAt": iso(now)}),
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

    async def record_login_success(self, user_id: str, now: datetime) -> User | None:
        doc = await self._col.update_one({"id": user_id}, Update(set={"failedLogins": 0, "lastLoginAt": iso(now)}))
        return User.from_doc(doc) if doc else None

    async def mark_email_verified(self, user_id: str, now: datetime) -> User | None:
        doc = await self._col.update_one(
            {"id": user_id, "erasedAt": None},
            Update(set={"isEmailVerified": True, "emailVerifiedAt": iso(now), "updatedAt": iso(now)}),
        )
        return User.from_doc(doc) if doc else None

    async def reset_password(self, user_id: str, password_hash: str, now: datetime) -> User | None:
        """Set a new password and lift a lockout."""
        stamp = iso(now)
        doc = await self._col.update_one(
            {"id": user_id, "erasedAt": None},
            Update(
                set={
                    "passwordHash": password_hash,
                    "failedLogins": 0,
                    "lockedUntil": None,
                    "updatedAt": stamp,
                }
            ),
        )
        return User.from_doc(doc) if doc else None

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
                    "isPhoneVerified": False,
                    "phoneCode": None,
                    "lastLoginAt": None,
                    "passwordHash": None,
                    "avatar": None,
                    "erasedAt": stamp,
                    "updatedAt": stamp,
                }
            ),
        )
        return doc is not None

    async def page_matching(self, text: str | None, *, skip: int, limit: int) -> tuple[list[User], int]:
        """Accounts not erased whose email contains `text` (all of them without), oldest first."""
        where: dict[str, Any] = {"erasedAt": None}
        if text:
            where["email"] = {"$contains": text}
        docs = await self._col.find(where, sort=[("createdAt", 1), ("id", 1)], skip=skip, limit=limit)
        return [User.from_doc(doc) for doc in docs], await self._col.count(where)

    async def set_status(self, user_id: str, status: UserStatus, now: datetime) -> User | None:
        doc = await self._col.update_one(
            {"id": user_id, "erasedAt": None}, Update(set={"status": status.value, "updatedAt": iso(now)})
        )
        return User.from_doc(doc) if doc else None
