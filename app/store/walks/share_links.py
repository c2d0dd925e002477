"""Share links, keyed by the token's hash (the token itself is never stored)."""

from __future__ import annotations

from datetime import datetime

from app.domain.base import iso
from app.store.documents import DocumentCollection, Update
from app.walks.share import ShareLink


class ShareLinkRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def add(self, link: ShareLink) -> None:
        await self._col.insert(link.to_doc())

    async def get(self, token_hash: str) -> ShareLink | None:
        doc = await self._col.get(token_hash)
        return ShareLink.from_doc(doc) if doc else None

    async def revoke(self, token_hash: str, booking_id: str, at: datetime) -> bool:
        """Revoke a live link of `booking_id`; False when there is none."""
        doc = await self._col.update_one(
            {"id": token_hash, "bookingId": booking_id, "revokedAt": None}, Update(set={"revokedAt": iso(at)})
        )
        return doc is not None
