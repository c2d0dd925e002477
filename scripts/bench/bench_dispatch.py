"""Booking created -> first `dispatch:offer` emitted, with 100,000 live walkers.

Builds, in a temporary SQLite store: a few businesses whose service areas cover greater Paris, each with
a walking service; 100,000 worker documents (most walk dogs, some only cats); an owner with a dog. Puts
all walkers online and available in the live index at uniform random positions over the region (Redis:
a private redis-server loaded with pipelines in the adapter's key layout; memory: the in-process index).
Then, one booking at a time at a random pickup, times `create_booking` (asap walking) until the
dispatcher emits its first `dispatch:offer` (offers are left open, so later bookings also skip walkers
already holding one).

Baselines measured in the same run, on the same pickups (the machine is shared and noisy):
- `nearby`: the bare `live_index.nearby(pickup, 1 km)` call the dispatcher makes first;
- `create`: the same booking creation with no dispatcher listening.

    .venv/bin/python -m scripts.bench.bench_dispatch [--walkers 100000] [--bookings 200] [--mode both]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from app.auth.principal import Principal
from app.booking_events import BookingEvents
from app.composition import Services, build_services
from app.dispatch.candidates import BASE_LIMIT
from app.domain.businesses import Address, Business, point
from app.domain.fixes import LiveFix
from app.domain.pets import Pet, Species
from app.domain.services import Pricing, Service, ServiceType
from app.domain.users import Role
from app.domain.workers import Worker
from app.events import EventPublisher
from app.ids import new_id
from app.live.live_index import STATE_TTL_MS
from app.settings import Settings
from app.usecases.bookings.creation import BookingCreate, create_booking
from geo.coordinates import LngLat
from tests.support.redis_server import redis_server

# Greater Paris, about 37 x 33 km: 100,000 walkers make ~80 per square km.
REGION = (2.10, 48.70, 2.60, 49.00)
BUSINESSES = 5
CAT_ONLY_SHARE = 0.15
CHUNK = 5_000
TARGET_P99_MS = 50.0


def _now_ms() -> int:
    return int(time.time() * 1000)


def _random_point(rng: random.Random) -> LngLat:
    return LngLat(rng.uniform(REGION[0], REGION[2]), rng.uniform(REGION[1], REGION[3]))


def _region_area() -> dict[str, Any]:
    lo_lng, lo_lat, hi_lng, hi_lat = REGION
    ring = [[lo_lng, lo_lat], [hi_lng, lo_lat], [hi_lng, hi_lat], [lo_lng, hi_lat], [lo_lng, lo_lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class OfferClock:
    """A publisher wrapper noting when each booking's first `dispatch:offer` went out."""

    inner: EventPublisher
    first_offer: dict[str, float] = field(default_factory=dict)
    waiting: dict[str, asyncio.Event] = field(default_factory=dict)

    async def emit(self, event: str, data: dict[str, Any], *, room: str) -> None:
        if event == "dispatch:offer":
            booking_id = data["bookingId"]
            self.first_offer.setdefault(booking_id, time.perf_counter())
            self.waiting.setdefault(booking_id, asyncio.Event()).set()
        await self.inner.emit(event, data, room=room)

    async def wait(self, booking_id: str) -> float:
        async with asyncio.timeout(10):
            await self.waiting.setdefault(booking_id, asyncio.Event()).wait()
        return self.first_offer[booking_id]


@dataclass
class World:
    owner: Principal
    pet_id: str
    # Worker id -> business id.
    workers: dict[str, str]
    business_ids: list[str]


async def build_world(services: Services, walkers: int, rng: random.Random) -> World:
    now = datetime.now(UTC)
    business_ids = []
    center = LngLat((REGION[0] + REGION[2]) / 2, (REGION[1] + REGION[3]) / 2)
    for i in range(BUSINESSES):
        business = Business(
            id=new_id(),
            owner_id=new_id(),
            name=f"Paws {i}",
            address=Address(coordinates=(center.lng, center.lat)),
            location=point(center.lng, center.lat),
            service_area=_region_area(),
            created_at=now,
            updated_at=now,
        )
        await services.store.businesses.add(business)
        await services.store.services.add(
            Service(
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
        )
        business_ids.append(business.id)
    owner_id = new_id()
    pet = Pet(id=new_id(), owner_id=owner_id, name="Rex", species=Species.DOG, created_at=now, updated_at=now)
    await services.store.pets.add(pet)
    worker_ids = [new_id() for _ in range(walkers)]
    employer = {worker_id: rng.choice(business_ids) for worker_id in worker_ids}
    collection = services.store.backend.collection("workers")
    for start in range(0, walkers, CHUNK):
        docs = []
        for worker_id in worker_ids[start : start + CHUNK]:
            species = [Species.CAT] if rng.random() < CAT_ONLY_SHARE else [Species.DOG, Species.CAT]
            docs.append(
                Worker(
                    id=worker_id,
                    user_id=new_id(),
                    business_id=employer[worker_id],
                    first_name="Wally",
                    last_name="Walker",
                    email=f"{worker_id}@example.com",
                    specializations=species,
                    rating={"average": round(rng.uniform(3.5, 5.0), 1), "count": rng.randint(1, 200)},
                    online=True,
                    created_at=now,
                    updated_at=now,
                ).to_doc()
            )
        await collection.insert_many_new(docs)
    return World(Principal(owner_id, Role.OWNER), pet.id, employer, business_ids)


async def load_live_index(services: Services, world: World, rng: random.Random) -> None:
    """Every walker online, available, fresh, at a random position in the region."""
    now = _now_ms()
    if services.redis is not None:
        await _load_redis(services.redis, services.settings.redis_key_prefix, world.workers, now, rng)
        return
    index = services.live_index
    for worker_id, business_id in world.workers.items():
        await index.set_presence(worker_id, business_id, online=True, available=True)
        await index.record_fix(worker_id, business_id, LiveFix(_random_point(rng), now - 2_000, 8.0), now)


async def _load_redis(redis: Redis, prefix: str, businesses: dict[str, str], now: int, rng: random.Random) -> None:
    """The Redis adapter's layout (app/live/redis_live_index.py), written with pipelines of CHUNK walkers."""
    items = list(businesses.items())
    for start in range(0, len(items), CHUNK):
        pipe = redis.pipeline(transaction=False)
        geo: list[Any] = []
        seen: dict[str, int] = {}
        where: dict[str, str] = {}
        for worker_id, business_id in items[start : start + CHUNK]:
            position = _random_point(rng)
            key = f"{prefix}live:w:{worker_id}"
            fields = {
                "lng": repr(position.lng),
                "lat": repr(position.lat),
                "ts": now - 2_000,
                "acc": "8.0",
                "biz": business_id,
                "seen": now,
                "on": "1",
                "av": "1",
            }
            pipe.hset(key, mapping=fields)
            pipe.pexpire(key, STATE_TTL_MS)
            geo += [position.lng, position.lat, worker_id]
            seen[worker_id] = now
            where[worker_id] = f"{position.lng!r} {position.lat!r} {business_id}"
        pipe.geoadd(f"{prefix}live:geo", geo)
        pipe.zadd(f"{prefix}live:seen", seen)
        pipe.hset(f"{prefix}live:where", mapping=where)
        await pipe.execute()


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _summary(name: str, samples_ms: list[float]) -> str:
    return (
        f"{name:<26} p50 {_pct(samples_ms, 0.50):7.2f} ms   p99 {_pct(samples_ms, 0.99):7.2f} ms   "
        f"max {max(samples_ms):7.2f} ms   mean {statistics.fmean(samples_ms):6.2f} ms"
    )


async def _timed(calls: list[Callable[[], Awaitable[Any]]]) -> list[float]:
    out = []
    for call in calls:
        start = time.perf_counter()
        await call()
        out.append((time.perf_counter() - start) * 1000)
    return out


async def run(mode: str, walkers: int, bookings: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    with (
        tempfile.TemporaryDirectory(prefix="walky-bench-dispatch-") as tmp,
        redis_server() if mode == "redis" else nullcontext(None) as redis_url,
    ):
        settings = Settings(data_dir=Path(tmp), redis_url=redis_url, dispatch_sweep_s=3600, _env_file=None)
        # Wired as the app is (only the dispatcher's handlers run on the paths measured here).
        services = build_services(settings)
        offers = OfferClock(services.events)
        services.events = offers
        await services.start()
        try:
            started = time.perf_counter()
            world = await build_world(services, walkers, rng)
            await load_live_index(services, world, rng)
            print(f"[{mode}] {walkers:,} walkers stored and live in {time.perf_counter() - started:.1f} s")
            pickups = [_random_point(rng) for _ in range(bookings)]

            def body(pickup: LngLat) -> BookingCreate:
                return BookingCreate.model_validate(
                    {
                        "serviceType": "walking",
                        "asap": True,
                        "pets": [world.pet_id],
                        "location": {"coordinates": [pickup.lng, pickup.lat]},
                    }
                )

            # Warm-up (statement caches, script loading), not measured.
            for pickup in pickups[:10]:
                booking = await create_booking(services, world.owner, body(pickup))
                await offers.wait(booking.id)

            def nearby_call(pickup: LngLat) -> Callable[[], Awaitable[Any]]:
                return lambda: services.live_index.nearby(
                    pickup, 1_000, limit=BASE_LIMIT, now_ms=_now_ms(), business_ids=world.business_ids
                )

            def create_call(pickup: LngLat) -> Callable[[], Awaitable[Any]]:
                return lambda: create_booking(services, world.owner, body(pickup))

            nearby = await _timed([nearby_call(p) for p in pickups])
            wired, services.booking_events = services.booking_events, BookingEvents()
            create_only = await _timed([create_call(p) for p in pickups])
            services.booking_events = wired

            to_offer = []
            for pickup in pickups:
                start = time.perf_counter()
                booking = await create_booking(services, world.owner, body(pickup))
                offered_at = await offers.wait(booking.id)
                to_offer.append((offered_at - start) * 1000)
            await services.dispatcher.settle()
        finally:
            await services.close()
    print(_summary(f"[{mode}] created -> offer", to_offer))
    print(_summary(f"[{mode}] nearby 1 km (base)", nearby))
    print(_summary(f"[{mode}] create, no dispatch", create_only))
    p99 = _pct(to_offer, 0.99)
    print(
        f"[{mode}] p99 ratio vs nearby {p99 / _pct(nearby, 0.99):.1f}x, vs create-only "
        f"{p99 / _pct(create_only, 0.99):.1f}x; target p99 <= {TARGET_P99_MS:.0f} ms: "
        f"{'MET' if p99 <= TARGET_P99_MS else 'MISSED'}"
    )
    return {"p50": _pct(to_offer, 0.5), "p99": p99}


@contextmanager
def _quiet_logs() -> Iterator[None]:
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walkers", type=int, default=100_000)
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--mode", choices=["redis", "memory", "both"], default="both")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    modes = ["redis", "memory"] if args.mode == "both" else [args.mode]
    with _quiet_logs():
        for mode in modes:
            asyncio.run(run(mode, args.walkers, args.bookings, args.seed))


if __name__ == "__main__":
    main()
