"""Who may take a booking: the search in growing rings around the pickup point.

Eligible walkers are online, available and fresh in the live index (the index filters those), work
for a business that serves the pickup point, offers the service type and is open now (only the booking's
own business when it has one), are active with specializations covering every pet's species, hold no
live offer for another booking, are not on a walk and have no booking overlapping this one, and were
not offered this booking before.

Cost per ring: one `nearby` call, then three batched reads for the walkers it returned (worker
documents, "who holds an offer", schedules). No per-candidate query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.clock import Clock
from app.dispatch.ranking import Candidate, best
from app.domain.bookable import open_now
from app.domain.bookings import Booking, DispatchState
from app.domain.pets import Species
from app.domain.schedules import WorkerSchedule
from app.domain.workers import Worker
from app.live.live_index import LiveIndex
from app.store.schema import SCHEDULES
from app.store.store import Store
from geo.coordinates import LngLat

RINGS_M = (1_000.0, 3_000.0, 5_000.0, 10_000.0)
# Nearby hits asked per ring (plus one per walker already tried); widened while filters leave nobody.
BASE_LIMIT = 24
MAX_LIMIT = 1_536


class CandidatePorts(Protocol):
    @property
    def store(self) -> Store: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def live_index(self) -> LiveIndex: ...


@dataclass(frozen=True, slots=True)
class BookingNeeds:
    """What a walker must satisfy for this booking, read once per search."""

    pickup: LngLat
    business_ids: frozenset[str]
    species: frozenset[Species]


async def booking_needs(ports: CandidatePorts, booking: Booking) -> BookingNeeds:
    pickup = LngLat(*booking.location.coordinates)
    if booking.business_id is not None:
        # The business asked the dispatcher to pick among its own staff (the booking's service already
        # checked that the business serves the pickup point), unless an admin has suspended it since.
        business = await ports.store.businesses.get(booking.business_id)
        business_ids = frozenset({booking.business_id}) if business is not None and business.is_listed else frozenset()
    else:
        serving, offering = await asyncio.gather(
            ports.store.geo_search.businesses_serving(pickup),
            ports.store.services.business_ids_offering(booking.service_type),
        )
        business_ids = frozenset(serving) & frozenset(offering)
    if booking.asap:
        business_ids = await _open_now(ports, business_ids)
    pets = [await ports.store.pets.get(pet_id) for pet_id in booking.pet_ids]
    species = frozenset(pet.species for pet in pets if pet is not None)
    return BookingNeeds(pickup=pickup, business_ids=business_ids, species=species)


async def _open_now(ports: CandidatePorts, business_ids: frozenset[str]) -> frozenset[str]:
    """Those of the businesses open at this moment (asap walks go out now); one batched read."""
    found = await ports.store.businesses.get_many(list(business_ids))
    now = ports.clock.now()
    return frozenset(bid for bid, business in found.items() if open_now(business, now))


def fits(worker: Worker, needs: BookingNeeds) -> bool:
    if not worker.is_active or worker.business_id not in needs.business_ids:
        return False
    return worker.takes(needs.species)


def free_for(schedule: WorkerSchedule, booking: Booking) -> bool:
    return schedule.in_progress is None and schedule.conflict(booking.id, booking.scheduled_at, booking.ends_at) is None


def idle_since(schedule: WorkerSchedule, now: datetime) -> datetime | None:
    ended = [slot.end for slot in schedule.slots if slot.end <= now]
    return max(ended) if ended else None


async def holding_offers(ports: CandidatePorts, worker_ids: Collection[str]) -> set[str]:
    """Those of `worker_ids` holding a live offer for some booking (one query)."""
    if not worker_ids:
        return set()
    offered = await ports.store.bookings.find(
        {"dispatch.state": DispatchState.OFFERED.value, "dispatch.current.workerId": {"$in": list(worker_ids)}}
    )
    return {b.dispatch.current.worker_id for b in offered if b.dispatch and b.dispatch.current}


async def schedules_of(ports: CandidatePorts, worker_ids: Collection[str]) -> dict[str, WorkerSchedule]:
    """The schedules of `worker_ids` in one read; a walker without a schedule document has none yet
    (read-only: unlike `ScheduleRepository.get`, nothing is created on the dispatch path)."""
    docs = await ports.store.backend.collection(SCHEDULES).find({"id": {"$in": list(worker_ids)}})
    return {doc["id"]: WorkerSchedule.from_doc(doc) for doc in docs}


async def find_candidate(
    ports: CandidatePorts, booking: Booking, now: datetime, needs: BookingNeeds | None = None
) -> Candidate | None:
    """The best walker to offer `booking` to now, or None when nobody within the last ring qualifies."""
    needs = needs or await booking_needs(ports, booking)
    if not needs.business_ids:
        return None
    tried = set(booking.dispatch.offers_tried if booking.dispatch else ())
    examined: set[str] = set()
    now_ms = int(now.timestamp() * 1000)
    for radius in RINGS_M:
        limit = BASE_LIMIT + len(tried)
        while True:
            hits = await ports.live_index.nearby(
                needs.pickup, radius, limit=limit, now_ms=now_ms, business_ids=needs.business_ids
            )
            fresh = [h for h in hits if h.worker_id not in tried and h.worker_id not in examined]
            if fresh:
                examined.update(h.worker_id for h in fresh)
                ids = [h.worker_id for h in fresh]
                workers, busy, schedules = await asyncio.gather(
                    ports.store.workers.get_many(ids),
                    holding_offers(ports, ids),
                    schedules_of(ports, ids),
                )
                candidates = []
                for hit in fresh:
                    worker = workers.get(hit.worker_id)
                    schedule = schedules.get(hit.worker_id) or WorkerSchedule(id=hit.worker_id)
                    if worker is None or hit.worker_id in busy or not fits(worker, needs):
                        continue
                    if not free_for(schedule, booking):
                        continue
                    candidates.append(
                        Candidate(
                            hit.worker_id,
                            worker.business_id,
                            hit.distance_m,
                            worker.rating.average,
                            idle_since(schedule, now),
                        )
                    )
                chosen = best(candidates)
                if chosen is not None:
                    return chosen
            if len(hits) < limit or limit >= MAX_LIMIT:
                break
            limit = min(limit * 4, MAX_LIMIT)
    return None
