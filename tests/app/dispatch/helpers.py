"""Builders for dispatch tests: workers placed in the live index."""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.principal import Principal
from app.composition import Services
from app.domain.businesses import Rating
from app.domain.fixes import LiveFix
from app.domain.pets import Species
from app.domain.users import Role
from app.domain.workers import Worker
from app.ids import new_id
from geo.coordinates import LngLat
from geo.distance import destination

PICKUP = LngLat(2.35, 48.85)


OFFER = "dispatch:offer"
"""The event a walker's room gets for each offer."""


@dataclass(frozen=True)
class PlacedWorker:
    id: str
    principal: Principal


async def place_worker(
    services: Services,
    business_id: str,
    *,
    meters: float,
    bearing: float = 0.0,
    center: LngLat = PICKUP,
    species: tuple[Species, ...] = (Species.DOG,),
    rating: float = 0.0,
    online: bool = True,
    available: bool = True,
) -> PlacedWorker:
    """A worker of `business_id` stored and, when online, live `meters` from `center`."""
    now = services.clock.now()
    worker_id = new_id()
    worker = Worker(
        id=worker_id,
        user_id=new_id(),
        business_id=business_id,
        first_name="Wally",
        last_name=worker_id[:6],
        email=f"{worker_id}@example.com",
        specializations=list(species),
        rating=Rating(average=rating, count=1 if rating else 0),
        created_at=now,
        updated_at=now,
    )
    await services.store.workers.add(worker)
    now_ms = int(now.timestamp() * 1000)
    position = destination(center, bearing, meters) if meters else center
    await services.live_index.set_presence(worker_id, business_id, online=online, available=available)
    await services.live_index.record_fix(worker_id, business_id, LiveFix(position, now_ms - 1000, 5.0), now_ms)
    principal = Principal(user_id=worker.user_id, role=Role.WORKER, business_id=business_id, worker_id=worker_id)
    return PlacedWorker(worker_id, principal)
