"""Pets: owned by one owner account, visible to the co-owners that owner adds."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from app.domain.base import Entity, Timestamp, Value
from app.domain.media import MediaRef


class Species(StrEnum):
    DOG = "dog"
    CAT = "cat"
    BIRD = "bird"
    RABBIT = "rabbit"
    OTHER = "other"


class PetStatus(StrEnum):
    ACTIVE = "active"
    DECEASED = "deceased"
    REHOMED = "rehomed"


class EnergyLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


MAX_CO_OWNERS = 10


class Vaccination(Value):
    name: str
    date: dt.date
    expiry_date: dt.date | None = None
    # Media id of the certificate (uploaded through the pet's documents route).
    document_id: str | None = None


class VetInfo(Value):
    name: str
    phone: str | None = None
    address: str | None = None


class MedicalInfo(Value):
    vaccinations: list[Vaccination] = Field(default_factory=list)
    allergies: list[str] = Field(default_factory=list)
    medications: list[str] = Field(default_factory=list)
    special_needs: str | None = None
    vet_info: VetInfo | None = None


class Behavior(Value):
    temperament: str | None = None
    good_with_kids: bool | None = None
    good_with_pets: bool | None = None
    energy_level: EnergyLevel | None = None


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
    # Years and kilograms (the seed's names).
    age: float | None = None
    weight: float | None = None
    notes: str | None = None
    special_needs: str | None = None
    medical_info: MedicalInfo | None = None
    behavior: Behavior | None = None
    microchip_id: str | None = None
    status: PetStatus = PetStatus.ACTIVE
    # Read-only in the API: changed only by the photo upload and delete routes.
    photos: list[MediaRef] = Field(default_factory=list)
    created_at: Timestamp
    updated_at: Timestamp
    # Soft delete: bookings keep pointing at the pet.
    deleted_at: Timestamp | None = None

    def visible_to(self, user_id: str) -> bool:
        return user_id == self.owner_id or user_id in self.co_owner_ids
