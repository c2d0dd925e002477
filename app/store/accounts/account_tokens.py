"""Email token repository: using a token is a compare-and-set on `usedAt`, so it works once."""

from __future__ import annotations

from datetime import datetime

from app.domain.account_tokens import AccountToken, TokenPurpose
from app.domain.base import iso
from app.store.documents import DocumentCollection, Update


class AccountTokenRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def issue(self, token: AccountToken) -> None:
        """Store a new token; the person's earlier unused tokens of the same purpose stop working."""
        await self._col.update_many(
            {"userId": token.user_id, "purpose": token.purpose.value, "usedAt": None},
            Update(set={"usedAt": iso(token.created_at)}),
        )
        await self._col.insert(token.to_doc())

    async def consume(self, token_hash: str, purpose: TokenPurpose, now: datetime) -> AccountToken | None:
        """The token, marked used; None when unknown, of another purpose, used already or expired."""
        doc = await self._col.update_one(
            {"id": token_hash, "purpose": purpose.value, "usedAt": None, "expiresAt": {"$gt": iso(now)}},
            Update(set={"usedAt": iso(now)}),
        )
        return AccountToken.from_doc(doc) if doc else None

    async def revoke_user(self, user_id: str, now: datetime) -> int:
        return await self._col.update_many({"userId": user_id, "usedAt": None}, Update(set={"usedAt": iso(now)}))

    async def purge_expired(self, cutoff: datetime) -> int:
        return await self._col.delete_many({"expiresAt": {"$lt": iso(cutoff)}})
