"""Builders for dispatch tests: workers placed in the live index, a movable clock, an event recorder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.auth.principal import Principal
from app.composition import Services
from app.domain.businesses import Rating
from app.domain.fixes import LiveFix
from app.domain.pets import Species
from app.domain.users import Role
from app.domain.workers import Worker
from app.events import EventPublisher
from app.ids import new_id
from geo.coordinates import LngLat
from geo.distance import destination

PICKUP = LngLat(2.35, 48.85)


class MovableClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@dataclass
class Recorder:
    """Wraps the app's publisher and keeps what was emitted."""

    inner: EventPublisher
    sent: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)

    async def emit(self, event: str, data: dict[str, Any], *, room: str) -> None:
        self.sent.append((event, data, room))
        await self.inner.emit(event, data, room=room)

    def offers(self) -> list[dict[str, Any]]:
        return [data for event, data, _ in self.sent if event == "dispatch:offer"]

    def offers_to(self, worker_id: str) -> list[dict[str, Any]]:
        return [d for e, d, room in self.sent if e == "dispatch:offer" and room == f"worker:{worker_id}"]

    def last_offer(self) -> dict[str, Any]:
        offers = self.offers()
        assert offers, "no dispatch:offer was emitted"
        return offers[-1]


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
