"""Pets repository. `coOwnerIds` is an array field (schema.ARRAY_FIELDS): equality matches an element."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.domain.base import iso
from app.domain.media import MediaRef
from app.domain.pets import Pet
from app.store.documents import DocumentCollection, Update


class PetRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def add(self, pet: Pet) -> None:
        await self._col.insert(pet.to_doc())

    async def get(self, pet_id: str) -> Pet | None:
        """Any pet, deleted ones included (bookings keep referring to them)."""
        doc = await self._col.get(pet_id)
        return Pet.from_doc(doc) if doc else None

    async def visible_to(self, user_id: str) -> list[Pet]:
        """Live pets the user owns or co-owns, oldest first.

        Two indexed queries rather than one $or, which the store port does not offer; a person's
        pets are few, so merging them here costs nothing.
        """
        owned = await self._col.find({"ownerId": user_id, "deletedAt": None})
        shared = await self._col.find({"coOwnerIds": user_id, "deletedAt": None})
        pets = {doc["id"]: Pet.from_doc(doc) for doc in [*owned, *shared]}
        return sorted(pets.values(), key=lambda pet: (pet.created_at, pet.id))

    async def update_fields(self, pet_id: str, fields: dict[str, Any], now: datetime) -> Pet | None:
        """Change a live pet; None when it does not exist or was deleted."""
        doc = await self._col.update_one(
            {"id": pet_id, "deletedAt": None}, Update(set={**fields, "updatedAt": iso(now)})
        )
        return Pet.from_doc(doc) if doc else None

    async def set_co_owners(self, pet: Pet, co_owner_ids: list[str], now: datetime) -> Pet | None:
        """Replace the co-owners if nobody changed them since `pet` was read; None otherwise."""
        doc = await self._col.update_one(
            {"id": pet.id, "deletedAt": None, "version": pet.version},
            Update(set={"coOwnerIds": co_owner_ids, "updatedAt": iso(now)}, inc={"version": 1}),
        )
        return Pet.from_doc(doc) if doc else None

    async def set_photos(self, pet: Pet, photos: list[MediaRef], now: datetime) -> Pet | None:
        """Replace the photos if nobody changed the pet's lists since `pet` was read; None otherwise."""
        doc = await self._col.update_one(
            {"id": pet.id, "deletedAt": None, "version": pet.version},
            Update(
                set={
                    "photos": [photo.model_dump(mode="json", by_alias=True) for photo in photos],
                    "updatedAt": iso(now),
                },
                inc={"version": 1},
            ),
        )
        return Pet.from_doc(doc) if doc else None

    async def delete(self, pet_id: str, now: datetime) -> bool:
        stamp = iso(now)
        doc = await self._col.update_one(
            {"id": pet_id, "deletedAt": None}, Update(set={"deletedAt": stamp, "updatedAt": stamp})
        )
        return doc is not None
