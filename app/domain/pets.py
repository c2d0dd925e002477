"""Pets: owned by one owner account, visible to the co-owners that owner adds."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from app.domain.base import Entity, Timestamp
from app.media.media import MediaRef


class Species(StrEnum):
    DOG = "dog"
    CAT = "cat"
    BIRD = "bird"
    RABBIT = "rabbit"
    OTHER = "other"


MAX_CO_OWNERS = 10


def unique_species(values: list[Species]) -> list[Species]:
    """Drop repeats, keeping the first-given order (a set of kinds sent as a JSON list)."""
    return list(dict.fromkeys(values))


class Pet(Entity):
    owner_id: str
    co_owner_ids: list[str] = Field(default_factory=list)
    # Bumped by every co-owner change, which is a compare-and-set on it: racing edits never lose one.
    version: int = 0
    name: str
    species: Species
    breed: str | None = None
    age_years: float | None = None
    weight_kg: float | None = None
    notes: str | None = None
    special_needs: str | None = None
    # Read-only in the API: changed only by the photo upload and delete routes.
    photos: list[MediaRef] = Field(default_factory=list)
    created_at: Timestamp
    updated_at: Timestamp
    # Soft delete: bookings keep pointing at the pet.
    deleted_at: Timestamp | None = None

    def visible_to(self, user_id: str) -> bool:
        return user_id == self.owner_id or user_id in self.co_owner_ids
