"""Pets on the store alone: who sees a pet, who may change it, and co-owners' access coming and going."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from app.auth.memory_session_channel import MemorySessionChannel
from app.auth.principal import Principal
from app.domain.pets import Species
from app.domain.users import Role
from app.errors import Forbidden, NotFound
from app.store.store import Store
from app.usecases import pets
from app.usecases.pets import CoOwnerInput, PetCreate, PetUpdate
from tests.support.clocks import MovableClock
from tests.support.people import owner_account


@dataclass
class Ports:
    store: Store
    clock: MovableClock
    session_channel: MemorySessionChannel = field(default_factory=MemorySessionChannel)


@pytest.fixture
def ports(store: Store, clock: MovableClock) -> Ports:
    return Ports(store, clock)


async def test_a_pet_is_seen_by_its_owner_only_until_shared(ports: Ports) -> None:
    alice, bob = (
        await owner_account(ports.store, ports.clock, "alice@example.com"),
        await owner_account(ports.store, ports.clock, "bob@example.com"),
    )
    pet = await pets.create_pet(ports, alice, PetCreate(name="Rex", species=Species.DOG))

    assert (await pets.get_pet(ports, alice, pet.id)).name == "Rex"
    # Someone the pet is not shared with cannot tell it exists.
    with pytest.raises(NotFound):
        await pets.get_pet(ports, bob, pet.id)
    with pytest.raises(NotFound):
        await pets.update_pet(ports, bob, pet.id, PetUpdate(name="Max"))
    assert await pets.list_pets(ports, bob, page=1, limit=20) == ([], 0)

    shared = await pets.add_co_owner(ports, alice, pet.id, CoOwnerInput(email="bob@example.com"))
    assert shared.co_owner_ids == [bob.user_id]
    assert (await pets.get_pet(ports, bob, pet.id)).id == pet.id
    views, total = await pets.list_pets(ports, bob, page=1, limit=20)
    assert (total, [view.id for view in views]) == (1, [pet.id])


async def test_a_co_owner_looks_but_only_the_primary_owner_changes(ports: Ports) -> None:
    alice, bob = (
        await owner_account(ports.store, ports.clock, "alice@example.com"),
        await owner_account(ports.store, ports.clock, "bob@example.com"),
    )
    pet = await pets.create_pet(ports, alice, PetCreate(name="Rex", species=Species.DOG))
    await pets.add_co_owner(ports, alice, pet.id, CoOwnerInput(email="bob@example.com"))

    with pytest.raises(Forbidden):
        await pets.update_pet(ports, bob, pet.id, PetUpdate(name="Max"))
    with pytest.raises(Forbidden):
        await pets.delete_pet(ports, bob, pet.id)
    ports.clock.advance(60)
    updated = await pets.update_pet(ports, alice, pet.id, PetUpdate(name="Max"))
    assert updated.name == "Max"
    assert updated.updated_at == ports.clock.now()


async def test_a_co_owner_who_leaves_loses_sight_of_the_pet(ports: Ports) -> None:
    alice, bob = (
        await owner_account(ports.store, ports.clock, "alice@example.com"),
        await owner_account(ports.store, ports.clock, "bob@example.com"),
    )
    pet = await pets.create_pet(ports, alice, PetCreate(name="Rex", species=Species.DOG))
    await pets.add_co_owner(ports, alice, pet.id, CoOwnerInput(email="bob@example.com"))

    left = await pets.remove_co_owner(ports, bob, pet.id, bob.user_id)

    assert left.co_owner_ids == []
    with pytest.raises(NotFound):
        await pets.get_pet(ports, bob, pet.id)


async def test_a_deleted_pet_is_gone_for_everyone(ports: Ports) -> None:
    alice = await owner_account(ports.store, ports.clock, "alice@example.com")
    pet = await pets.create_pet(ports, alice, PetCreate(name="Rex", species=Species.DOG))

    await pets.delete_pet(ports, alice, pet.id)

    with pytest.raises(NotFound):
        await pets.get_pet(ports, alice, pet.id)
    with pytest.raises(NotFound):
        await pets.get_pet(ports, Principal("admin", Role.ADMIN), pet.id)
