"""Refresh token repository: rotation is a compare-and-set on the token's status."""

from __future__ import annotations

from datetime import datetime

from app.domain.base import iso
from app.domain.refresh_tokens import RefreshStatus, RefreshToken
from app.store.documents import DocumentCollection, Update


class RefreshTokenRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def add(self, token: RefreshToken) -> None:
        await self._col.insert(token.to_doc())

    async def get(self, token_hash: str) -> RefreshToken | None:
        doc = await self._col.get(token_hash)
        return RefreshToken.from_doc(doc) if doc else None

    async def rotate(self, token_hash: str) -> bool:
        """Mark an active token used; False when it was not active (already rotated or revoked)."""
        doc = await self._col.update_one(
            {"id": token_hash, "status": RefreshStatus.ACTIVE.value},
            Update(set={"status": RefreshStatus.ROTATED.value}),
        )
        return doc is not None

    async def revoke_family(self, family_id: str) -> int:
        return await self._col.update_many(
            {"familyId": family_id, "status": {"$ne": RefreshStatus.REVOKED.value}},
            Update(set={"status": RefreshStatus.REVOKED.value}),
        )

    async def revoke_user(self, user_id: str) -> int:
        return await self._col.update_many(
            {"userId": user_id, "status": {"$ne": RefreshStatus.REVOKED.value}},
            Update(set={"status": RefreshStatus.REVOKED.value}),
        )

    async def purge_expired(self, now: datetime) -> int:
        return await self._col.delete_many({"expiresAt": {"$lt": iso(now)}})
