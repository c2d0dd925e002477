"""Booking use cases on the SQLite store with a tiny ports object: create, confirm with a worker, the
walk's transitions, the booking events they publish, and the compare-and-set that leaves one winner."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.auth.principal import Principal
from app.booking_events import (
    BookingCreated,
    BookingEvent,
    BookingEvents,
    BookingFinished,
    WalkerApproaching,
    WalkStarted,
)
from app.clock import Clock
from app.domain.bookings import Booking, BookingStatus
from app.domain.businesses import Address, Business, point
from app.domain.fixes import LiveFix
from app.domain.pets import Pet, Species
from app.domain.services import Pricing, Service, ServiceType
from app.domain.users import Role
from app.domain.workers import Worker
from app.errors import Conflict
from app.events import booking_room
from app.ids import new_id
from app.live.live_index import LiveIndex
from app.live.memory_live_index import MemoryLiveIndex
from app.settings import Settings
from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store
from app.usecases.bookings.creation import BookingCreate, create_booking
from app.usecases.bookings.lifecycle import (
    CancelInput,
    CompleteInput,
    ConfirmInput,
    assign_worker,
    cancel_booking,
    complete_booking,
    confirm_booking,
    start_booking,
)
from geo.coordinates import LngLat

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
    clock: Clock
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


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
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


async def test_create_stores_a_priced_pending_booking_and_publishes_it(world: World) -> None:
    booking = await book(world)

    assert booking.status is BookingStatus.PENDING
    assert booking.pricing is not None and booking.pricing.total_amount == 2000
    stored = await world.ports.store.bookings.get(booking.id)
    assert stored is not None and stored.status is BookingStatus.PENDING and stored.pet_ids == [world.pet_id]
    assert [type(e) for e in world.published] == [BookingCreated]
    assert world.published[0].booking == booking


async def test_confirm_with_a_worker_claims_their_time_and_tells_the_parties(world: World) -> None:
    booking = await book(world)
    ada = world.workers[0]

    confirmed = await confirm_booking(world.ports, world.business, booking.id, ConfirmInput(worker_id=ada.id))

    assert confirmed.status is BookingStatus.CONFIRMED and confirmed.worker_id == ada.id
    schedule = await world.ports.store.schedules.get(ada.id)
    assert [slot.booking_id for slot in schedule.slots] == [booking.id]
    status = [(data["status"], room) for event, data, room in world.ports.events.sent if event == "booking:status"]
    assert ("confirmed", booking_room(booking.id)) in status
    # A scheduled booking: the worker is not on the way yet.
    assert [type(e) for e in world.published] == [BookingCreated]


async def test_a_walk_goes_from_start_to_completion(world: World) -> None:
    booking = await book(world)
    ada = world.workers[0]
    await confirm_booking(world.ports, world.business, booking.id, ConfirmInput(worker_id=ada.id))
    now_ms = int(world.ports.clock.now().timestamp() * 1000)
    await world.ports.live_index.set_presence(ada.id, ada.business_id, online=True, available=True)
    await world.ports.live_index.record_fix(ada.id, ada.business_id, LiveFix(LngLat(*PICKUP), now_ms, 5.0), now_ms)

    started = await start_booking(world.ports, as_worker(ada), booking.id)
    done = await complete_booking(world.ports, as_worker(ada), booking.id, CompleteInput(worker_notes="good dog"))

    assert started.status is BookingStatus.IN_PROGRESS
    assert done.status is BookingStatus.COMPLETED
    assert done.completion_details is not None and done.completion_details.worker_notes == "good dog"
    assert [type(e) for e in world.published] == [BookingCreated, WalkStarted, BookingFinished]
    assert world.published[-1].booking == done
    assert (await world.ports.store.schedules.get(ada.id)).slots == []


async def test_cancelling_publishes_the_finished_booking(world: World) -> None:
    booking = await book(world)

    cancelled = await cancel_booking(world.ports, world.owner, booking.id, CancelInput(reason="plans changed"))

    assert cancelled.status is BookingStatus.CANCELLED
    assert [type(e) for e in world.published] == [BookingCreated, BookingFinished]
    with pytest.raises(Conflict):
        await cancel_booking(world.ports, world.owner, booking.id, CancelInput(reason="again"))


async def test_racing_confirmations_leave_one_winner(world: World) -> None:
    booking = await book(world)

    # Both read the same pending booking; the compare-and-set on its status lets exactly one through.
    results = await asyncio.gather(
        *(assign_worker(world.ports, world.business, booking, worker) for worker in world.workers),
        return_exceptions=True,
    )

    won = [r for r in results if isinstance(r, Booking)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1
    stored = await world.ports.store.bookings.get(booking.id)
    assert stored is not None and stored.worker_id == won[0].worker_id
    # The loser's claim on their time is undone.
    loser = next(w for w in world.workers if w.id != won[0].worker_id)
    assert (await world.ports.store.schedules.get(loser.id)).slots == []


async def test_an_asap_booking_confirmed_sets_the_walker_off(world: World) -> None:
    data = BookingCreate.model_validate(
        {"serviceId": world.service_id, "pets": [world.pet_id], "asap": True, "location": {"coordinates": list(PICKUP)}}
    )
    booking = await create_booking(world.ports, world.owner, data)

    confirmed = await assign_worker(world.ports, world.business, booking, world.workers[0])

    assert confirmed.on_my_way_at == world.ports.clock.now()
    assert [type(e) for e in world.published] == [BookingCreated, WalkerApproaching]
    status = [data["status"] for event, data, _ in world.ports.events.sent if event == "booking:status"]
    assert status[-1] == "on_my_way"
