"""Use cases of pets: an owner's pets, and the co-owners who may see them.

A pet the caller may not see answers 404, never 403, so ids do not reveal which pets exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Protocol

from pydantic import Field, StrictBool

from app.auth.principal import Principal
from app.auth.session_signals import SessionChannel
from app.clock import Clock
from app.domain.base import Timestamp
from app.domain.media import MediaRef
from app.domain.pets import MAX_CO_OWNERS, Behavior, EnergyLevel, MedicalInfo, Pet, PetStatus, Species
from app.domain.users import Role
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.ids import new_id
from app.store.store import Store
from app.usecases.bookings.watchers import co_owners_changed
from app.usecases.inputs import Email, Input, Name, Output, Phone, Text


class PetPorts(Protocol):
    """The session channel ends a removed co-owner's live watch (app/usecases/bookings/watchers.py)."""

    @property
    def store(self) -> Store: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def session_channel(self) -> SessionChannel: ...


# Retries of a co-owner change that lost a race with another edit of the same pet.
MAX_CO_OWNER_ATTEMPTS = 10

Age = Annotated[float, Field(strict=True, ge=0, le=40, allow_inf_nan=False, description="years")]
Weight = Annotated[float, Field(strict=True, gt=0, le=150, allow_inf_nan=False, description="kilograms")]
Short = Annotated[Text, Field(min_length=1, max_length=200)]
ShortList = Annotated[list[Short], Field(max_length=50)]
MicrochipId = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9.\-]+$")]
MAX_VACCINATIONS = 50


class VaccinationInput(Input):
    name: Name
    date: dt.date
    expiry_date: dt.date | None = None
    document_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class VetInfoInput(Input):
    name: Name
    phone: Phone | None = None
    address: Annotated[Text, Field(max_length=300)] | None = None


class MedicalInfoInput(Input):
    vaccinations: Annotated[list[VaccinationInput], Field(max_length=MAX_VACCINATIONS)] = Field(default_factory=list)
    allergies: ShortList = Field(default_factory=list)
    medications: ShortList = Field(default_factory=list)
    special_needs: Text | None = None
    vet_info: VetInfoInput | None = None


class BehaviorInput(Input):
    temperament: Short | None = None
    good_with_kids: StrictBool | None = None
    good_with_pets: StrictBool | None = None
    energy_level: EnergyLevel | None = None


class PetCreate(Input):
    name: Name
    species: Species
    breed: Name | None = None
    age: Age | None = None
    weight: Weight | None = None
    notes: Text | None = None
    special_needs: Text | None = None
    medical_info: MedicalInfoInput | None = None
    behavior: BehaviorInput | None = None
    microchip_id: MicrochipId | None = None
    status: PetStatus = PetStatus.ACTIVE


class PetUpdate(Input):
    name: Name | None = None
    species: Species | None = None
    breed: Name | None = None
    age: Age | None = None
    weight: Weight | None = None
    notes: Text | None = None
    special_needs: Text | None = None
    medical_info: MedicalInfoInput | None = None
    behavior: BehaviorInput | None = None
    microchip_id: MicrochipId | None = None
    status: PetStatus | None = None


class CoOwnerInput(Input):
    email: Email


class PetView(Output):
    id: str
    owner_id: str
    co_owner_ids: list[str]
    name: str
    species: Species
    breed: str | None
    age: float | None
    weight: float | None
    notes: str | None
    special_needs: str | None
    medical_info: MedicalInfo | None
    behavior: Behavior | None
    microchip_id: str | None
    status: PetStatus
    photos: list[MediaRef]
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, pet: Pet) -> PetView:
        return cls.model_validate(pet.model_dump(include=set(cls.model_fields)))


async def _visible(ports: PetPorts, principal: Principal, pet_id: str) -> Pet:
    pet = await ports.store.pets.get(pet_id)
    if pet is None or pet.deleted_at is not None or not (principal.is_admin or pet.visible_to(principal.user_id)):
        raise NotFound("no such pet")
    return pet


async def _owned(ports: PetPorts, principal: Principal, pet_id: str) -> Pet:
    """The pet, when the caller is its primary owner (or an admin); co-owners only look."""
    pet = await _visible(ports, principal, pet_id)
    if not principal.is_admin and pet.owner_id != principal.user_id:
        raise Forbidden("only the pet's primary owner may do this")
    return pet


async def _save(ports: PetPorts, pet_id: str, fields: dict[str, Any]) -> PetView:
    updated = await ports.store.pets.update_fields(pet_id, fields, ports.clock.now())
    if updated is None:
        raise NotFound("no such pet")
    return PetView.of(updated)


async def create_pet(ports: PetPorts, principal: Principal, data: PetCreate) -> PetView:
    principal.require_role(Role.OWNER)
    now = ports.clock.now()
    pet = Pet(
        id=new_id(),
        owner_id=principal.user_id,
        **data.model_dump(mode="json"),
        created_at=now,
        updated_at=now,
    )
    await ports.store.pets.add(pet)
    return PetView.of(pet)


async def list_pets(ports: PetPorts, principal: Principal, *, page: int, limit: int) -> tuple[list[PetView], int]:
    pets = await ports.store.pets.visible_to(principal.user_id)
    window = pets[(page - 1) * limit : page * limit]
    return [PetView.of(pet) for pet in window], len(pets)


async def get_pet(ports: PetPorts, principal: Principal, pet_id: str) -> PetView:
    return PetView.of(await _visible(ports, principal, pet_id))


async def update_pet(ports: PetPorts, principal: Principal, pet_id: str, change: PetUpdate) -> PetView:
    pet = await _owned(ports, principal, pet_id)
    fields: dict[str, Any] = change.model_dump(exclude_unset=True, by_alias=True, mode="json")
    required = ("name", "species", "status")
    if any(fields.get(key) is None for key in required if key in fields):
        raise ValidationFailed(f"{', '.join(required)} cannot be removed")
    return await _save(ports, pet.id, fields)


async def delete_pet(ports: PetPorts, principal: Principal, pet_id: str) -> None:
    """Soft delete: past bookings keep pointing at the pet."""
    pet = await _owned(ports, principal, pet_id)
    if not await ports.store.pets.delete(pet.id, ports.clock.now()):
        raise NotFound("no such pet")


async def add_co_owner(ports: PetPorts, principal: Principal, pet_id: str, data: CoOwnerInput) -> PetView:
    user = await ports.store.users.by_email(data.email)
    if user is None or user.erased_at is not None or user.role is not Role.OWNER:
        raise NotFound("no pet owner account with this email")

    def added(pet: Pet) -> list[str] | None:
        if user.id == pet.owner_id:
            raise ValidationFailed("this account is already the pet's primary owner")
        if user.id in pet.co_owner_ids:
            return None
        if len(pet.co_owner_ids) >= MAX_CO_OWNERS:
            raise Conflict(f"a pet has at most {MAX_CO_OWNERS} co-owners")
        return [*pet.co_owner_ids, user.id]

    return await _change_co_owners(ports, lambda: _owned(ports, principal, pet_id), added)


async def remove_co_owner(ports: PetPorts, principal: Principal, pet_id: str, user_id: str) -> PetView:
    """The primary owner removes a co-owner, or a co-owner leaves."""

    async def load() -> Pet:
        pet = await _visible(ports, principal, pet_id)
        if not (principal.is_admin or principal.user_id in (pet.owner_id, user_id)):
            raise Forbidden("only the pet's primary owner may remove a co-owner")
        return pet

    def removed(pet: Pet) -> list[str] | None:
        if user_id not in pet.co_owner_ids:
            raise NotFound("this account is not a co-owner of the pet")
        return [uid for uid in pet.co_owner_ids if uid != user_id]

    return await _change_co_owners(ports, load, removed)


async def _change_co_owners(
    ports: PetPorts, load: Callable[[], Awaitable[Pet]], change: Callable[[Pet], list[str] | None]
) -> PetView:
    """Apply `change` to the freshest co-owner list; a concurrent edit makes us re-read and re-apply."""
    for _ in range(MAX_CO_OWNER_ATTEMPTS):
        pet = await load()
        co_owners = change(pet)
        if co_owners is None:
            return PetView.of(pet)
        saved = await ports.store.pets.set_co_owners(pet, co_owners, ports.clock.now())
        if saved is not None:
            await co_owners_changed(ports, pet, saved)
            return PetView.of(saved)
    raise Conflict("the pet's co-owners are being changed by someone else; try again")
