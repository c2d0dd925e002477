"""The route guards on the store alone: 404 to whoever may not know a resource exists, 403 to whoever may see
it but not change it, nothing to whoever may."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from app.auth.memory_session_channel import MemorySessionChannel
from app.auth.principal import Principal
from app.domain.businesses import Business
from app.domain.pets import Species
from app.domain.reviews import Review
from app.domain.services import PriceType, Pricing, Service, ServiceType
from app.domain.users import Role
from app.domain.workers import Worker
from app.errors import Forbidden, NotFound
from app.ids import new_id
from app.store.store import Store
from app.usecases import access, pets
from app.usecases.pets import CoOwnerInput, PetCreate
from tests.app.marketplace import business, square
from tests.support.clocks import MovableClock
from tests.support.people import owner_account

ADMIN = Principal("admin", Role.ADMIN)


@dataclass
class Ports:
    store: Store
    clock: MovableClock
    session_channel: MemorySessionChannel = field(default_factory=MemorySessionChannel)


@dataclass
class World:
    ports: Ports
    owner: Principal
    rival: Principal
    worker: Principal
    business: Business
    service: Service
    staff: Worker


@pytest.fixture
async def world(store: Store, clock: MovableClock) -> World:
    ports = Ports(store, clock)
    now = clock.now()
    owner, rival = Principal("owner-account", Role.BUSINESS), Principal("rival-account", Role.BUSINESS)
    paws = business(2.35, 48.85, square(2.35, 48.85, 0.05)).model_copy(update={"owner_id": owner.user_id})
    await store.businesses.add(paws)
    service = Service(
        id=new_id(),
        business_id=paws.id,
        name="Walk",
        service_type=ServiceType.WALKING,
        pricing=Pricing(base_price=2000, currency="EUR", price_type=PriceType.PER_SESSION),
        duration=60,
        pet_types=[Species.DOG],
        max_pets=2,
        created_at=now,
        updated_at=now,
    )
    await store.services.add(service)
    staff = Worker(
        id=new_id(),
        user_id="worker-account",
        business_id=paws.id,
        first_name="Wes",
        last_name="Walker",
        email="wes@example.com",
        created_at=now,
        updated_at=now,
    )
    await store.workers.add(staff)
    worker = Principal(staff.user_id, Role.WORKER, paws.id, staff.id)
    return World(ports, owner, rival, worker, paws, service, staff)


async def test_a_business_is_managed_by_its_account_and_admins(world: World) -> None:
    await access.manage_business(world.ports, world.owner, world.business.id)
    await access.manage_business(world.ports, ADMIN, world.business.id)
    with pytest.raises(Forbidden):
        await access.manage_business(world.ports, world.rival, world.business.id)
    with pytest.raises(NotFound):
        await access.manage_business(world.ports, world.owner, "no-such-business")


async def test_a_service_is_managed_through_its_business(world: World) -> None:
    await access.manage_service(world.ports, world.owner, world.service.id)
    with pytest.raises(Forbidden):
        await access.manage_service(world.ports, world.rival, world.service.id)
    with pytest.raises(NotFound):
        await access.manage_service(world.ports, world.owner, "no-such-service")


async def test_a_worker_profile_is_edited_by_the_worker_or_their_business(world: World) -> None:
    await access.edit_worker(world.ports, world.worker, world.staff.id)
    await access.edit_worker(world.ports, world.owner, world.staff.id)
    other = Principal("other-worker", Role.WORKER, world.business.id, new_id())
    for stranger in (world.rival, other):
        with pytest.raises(Forbidden):
            await access.edit_worker(world.ports, stranger, world.staff.id)
    with pytest.raises(NotFound):
        await access.edit_worker(world.ports, world.owner, "no-such-worker")


async def test_a_pet_is_the_primary_owners_to_change_and_unknown_to_strangers(world: World) -> None:
    ports = world.ports
    alice = Principal(new_id(), Role.OWNER)
    pet = await pets.create_pet(ports, alice, PetCreate(name="Rex", species=Species.DOG))
    bob = await owner_account(ports.store, ports.clock, "bob@example.com")
    await pets.add_co_owner(ports, alice, pet.id, CoOwnerInput(email="bob@example.com"))

    await access.own_pet(ports, alice, pet.id)
    await access.own_pet(ports, ADMIN, pet.id)
    with pytest.raises(Forbidden):
        await access.own_pet(ports, bob, pet.id)
    with pytest.raises(NotFound):
        await access.own_pet(ports, Principal(new_id(), Role.OWNER), pet.id)


async def test_a_review_is_edited_by_its_author_and_answered_by_the_reviewed_business(world: World) -> None:
    ports, now = world.ports, world.ports.clock.now()
    author = Principal(new_id(), Role.OWNER)
    review = Review(
        id=new_id(),
        booking_id=new_id(),
        business_id=world.business.id,
        worker_id=world.staff.id,
        author_id=author.user_id,
        rating=4,
        created_at=now,
        updated_at=now,
    )
    await ports.store.reviews.add(review)

    await access.author_review(ports, author, review.id)
    with pytest.raises(Forbidden):
        await access.author_review(ports, world.owner, review.id)
    await access.respond_to_review(ports, world.owner, review.id)
    for stranger in (world.rival, author, world.worker):
        with pytest.raises(Forbidden):
            await access.respond_to_review(ports, stranger, review.id)
    for check in (access.author_review, access.respond_to_review):
        with pytest.raises(NotFound):
            await check(ports, author, "no-such-review")
