"""A small booking world on the SQLite store for the booking use cases: a business with a service, an owner with
a pet, two walkers, and a ports object holding only what BookingPorts names."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.auth.principal import Principal
from app.booking_events import (
    BookingCreated,
    BookingEvent,
    BookingEvents,
    BookingFinished,
    WalkerApproaching,
    WalkStarted,
)
from app.domain.bookings import Booking
from app.domain.businesses import Address, Business, point
from app.domain.pets import Pet, Species
from app.domain.services import Pricing, Service, ServiceType
from app.domain.users import Role
from app.domain.workers import Worker
from app.ids import new_id
from app.live.live_index import LiveIndex
from app.live.memory_live_index import MemoryLiveIndex
from app.settings import Settings
from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store
from app.usecases.bookings.creation import BookingCreate, create_booking

PICKUP = (2.35, 48.85)
AREA = {
    "type": "Polygon",
    "coordinates": [[[2.2, 48.8], [2.5, 48.8], [2.5, 48.9], [2.2, 48.9], [2.2, 48.8]]],
}


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


@dataclass
class Emitted:
    sent: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)

    async def emit(self, event: str, data: dict[str, Any], *, room: str) -> None:
        self.sent.append((event, data, room))


@dataclass
class Relay:
    wakes: int = 0

    def wake(self) -> None:
        self.wakes += 1


@dataclass
class Ports:
    """Only what BookingPorts names."""

    store: Store
    clock: FixedClock
    events: Emitted
    booking_events: BookingEvents
    live_index: LiveIndex
    outbox_relay: Relay
    settings: Settings = field(default_factory=lambda: Settings(_env_file=None))


@dataclass
class World:
    ports: Ports
    owner: Principal
    business: Principal
    pet_id: str
    service_id: str
    workers: list[Worker]
    published: list[BookingEvent]


@asynccontextmanager
async def open_world(tmp_path: Path) -> AsyncIterator[World]:
    now = datetime.now(UTC).replace(microsecond=0)  # the store keeps milliseconds
    store = Store(SqliteBackend(tmp_path / "walky.db"))
    await store.setup()
    published: list[BookingEvent] = []
    bus = BookingEvents()

    async def record(event: BookingEvent) -> None:
        published.append(event)

    for kind in (BookingCreated, WalkStarted, WalkerApproaching, BookingFinished):
        bus.subscribe(kind, record)
    ports = Ports(store, FixedClock(now), Emitted(), bus, MemoryLiveIndex(), Relay())
    business = Business(
        id=new_id(),
        owner_id=new_id(),
        name="Paws",
        address=Address(coordinates=PICKUP),
        location=point(*PICKUP),
        service_area=AREA,
        created_at=now,
        updated_at=now,
    )
    await store.businesses.add(business)
    service = Service(
        id=new_id(),
        business_id=business.id,
        name="Hour walk",
        service_type=ServiceType.WALKING,
        pricing=Pricing(base_price=2000, currency="EUR", price_type="fixed", additional_pet_price=500),
        duration=60,
        pet_types=[Species.DOG],
        max_pets=3,
        created_at=now,
        updated_at=now,
    )
    await store.services.add(service)
    owner = Principal(new_id(), Role.OWNER)
    pet = Pet(id=new_id(), owner_id=owner.user_id, name="Rex", species=Species.DOG, created_at=now, updated_at=now)
    await store.pets.add(pet)
    workers = []
    for name in ("Ada", "Bea"):
        worker = Worker(
            id=new_id(),
            user_id=new_id(),
            business_id=business.id,
            first_name=name,
            last_name="Walker",
            email=f"{name.lower()}@example.com",
            specializations=[Species.DOG],
            created_at=now,
            updated_at=now,
        )
        await store.workers.add(worker)
        workers.append(worker)
    try:
        yield World(
            ports=ports,
            owner=owner,
            business=Principal(business.owner_id, Role.BUSINESS, business_id=business.id),
            pet_id=pet.id,
            service_id=service.id,
            workers=workers,
            published=published,
        )
    finally:
        await store.close()


def as_worker(worker: Worker) -> Principal:
    return Principal(worker.user_id, Role.WORKER, business_id=worker.business_id, worker_id=worker.id)


async def book(world: World) -> Booking:
    start = world.ports.clock.now() + timedelta(days=1)
    data = BookingCreate.model_validate(
        {
            "serviceId": world.service_id,
            "pets": [world.pet_id],
            "scheduledAt": start.isoformat(),
            "location": {"coordinates": list(PICKUP)},
        }
    )
    return await create_booking(world.ports, world.owner, data)
