"""Public browse and service search over 10,000 businesses on the embedded store, against `GET /healthz`.

Setup: 10,000 businesses spread uniformly over a 15 km disc around Paris, each with a 2 km square
service area, a rating and one to three services of random types; 1 in 50 is suspended. Documents go
straight into the SQLite store (its triggers fill the geo index), then `python -m app` serves them.

Load: C keep-alive HTTP clients in one Node process (node/http_load.mjs), closed loop, no token.
Browse rotates through pages 1-50 of `GET /v1/businesses`, plain, by `serviceType` and by `q`;
service search rotates through 200 random points of the disc with random `serviceType`/`petType`.
The bare route is `GET /healthz` of the same server, measured just before, in the same run.

Browse pages come from ordered id lists the server keeps per filter until businesses or services are
written (app/store/listing.py). The "browse-miss" line measures browse again while this script bumps the
store's change counters every millisecond from its own connection (as another process's writes would):
nearly every answer then rebuilds its list, the worst case for a store written without pause.

Target: p99 <= 20 ms for both routes.

    .venv/bin/python -m scripts.bench.bench_browse [--businesses 10000] [--clients 4] [--duration 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from app.domain.businesses import Address, Business, BusinessStatus, Rating, point
from app.domain.pets import Species
from app.domain.services import PriceType, Pricing, Service, ServiceType
from app.store.schema import BUSINESSES, SERVICES
from app.store.sqlite.backend import SqliteBackend
from app.store.sqlite.versions import VERSIONS_TABLE
from geo.coordinates import LngLat
from geo.distance import destination
from scripts.bench.live_support import business_id, cpu_seconds, median, run_http, serve, verdict

CENTER = LngLat(2.35, 48.85)
SPREAD_M = 15_000.0
AREA_HALF_DEG = 0.01
TARGET_P99_MS = 20.0
BATCH = 2000
WORDS = ("Paws", "Happy", "Tails", "Walkers", "Bark", "Canine", "Kitty", "Club", "Care", "Pets")


def random_point(rng: random.Random) -> LngLat:
    return destination(CENTER, rng.uniform(0, 360), SPREAD_M * math.sqrt(rng.random()))


def square(at: LngLat) -> dict[str, Any]:
    h = AREA_HALF_DEG
    ring = [[at.lng - h, at.lat - h], [at.lng + h, at.lat - h], [at.lng + h, at.lat + h], [at.lng - h, at.lat + h]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def documents(i: int, rng: random.Random, now: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    at = random_point(rng)
    count = rng.randint(0, 200)
    business = Business(
        id=business_id(i),
        owner_id=f"o{i:023x}",
        name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}",
        address=Address(city="Paris", coordinates=(at.lng, at.lat)),
        location=point(at.lng, at.lat),
        service_area=square(at),
        rating=Rating(average=round(rng.uniform(3, 5), 2) if count else 0.0, count=count),
        status=BusinessStatus.SUSPENDED if i % 50 == 0 else BusinessStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )
    services = [
        Service(
            id=f"s{i:019x}{n:04x}",
            business_id=business.id,
            name=f"{kind.value.title()} {n}",
            service_type=kind,
            pricing=Pricing(base_price=rng.randint(1000, 6000), currency="EUR", price_type=PriceType.FIXED),
            duration=60,
            pet_types=rng.sample(list(Species), rng.randint(1, 3)),
            max_pets=3,
            created_at=now,
            updated_at=now,
        ).to_doc()
        for n, kind in enumerate(rng.sample(list(ServiceType), rng.randint(1, 3)))
    ]
    return business.to_doc(), services


async def load(data_dir: Path, count: int, rng: random.Random) -> float:
    started = time.perf_counter()
    now = datetime.now(UTC)
    backend = SqliteBackend(data_dir / "walky.sqlite3")
    await backend.setup()
    for first in range(0, count, BATCH):
        built = [documents(i, rng, now) for i in range(first, min(first + BATCH, count))]
        await backend.collection(BUSINESSES).insert_many_new([business for business, _ in built])
        await backend.collection(SERVICES).insert_many_new([s for _, services in built for s in services])
    await backend.close()
    return time.perf_counter() - started


def browse_paths(rng: random.Random) -> list[str]:
    paths = []
    for page in range(1, 51):
        paths.append(f"/v1/businesses?page={page}&limit=20")
        paths.append(f"/v1/businesses?page={page}&limit=20&serviceType={rng.choice(list(ServiceType)).value}")
        paths.append(f"/v1/businesses?page={1 + page % 5}&limit=20&q={rng.choice(WORDS).lower()}")
    return paths


def search_paths(rng: random.Random) -> list[str]:
    paths = []
    for _ in range(200):
        p = random_point(rng)
        query = f"/v1/services/search?lat={p.lat:.6f}&lng={p.lng:.6f}&radius=5000"
        if rng.random() < 0.5:
            query += f"&serviceType={rng.choice(list(ServiceType)).value}"
        if rng.random() < 0.5:
            query += f"&petType={rng.choice(list(Species)).value}"
        paths.append(query)
    return paths


@contextmanager
def writes_everywhere(db_path: Path, every_s: float = 0.001) -> Iterator[list[int]]:
    """Bump the businesses' and services' change counters every `every_s` while inside; yields [bumps]."""
    stop = threading.Event()
    bumps = [0]

    def run() -> None:
        conn = sqlite3.connect(db_path, isolation_level=None)
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA busy_timeout=5000")
        while not stop.wait(every_s):
            conn.execute(
                f"UPDATE {VERSIONS_TABLE} SET version = version + 1 WHERE name IN (?, ?)", (BUSINESSES, SERVICES)
            )
            bumps[0] += 1
        conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield bumps
    finally:
        stop.set()
        thread.join()


def line(name: str, r: dict[str, Any]) -> str:
    cpu_ms = r["cpuShare"] * r["wallS"] * 1000 / max(1.0, r["rps"] * r["durationS"])
    return (
        f"  {name:11} {r['rps']:7.0f} req/s  p50 {r['p50Ms']:5.2f} ms  p99 {r['p99Ms']:5.2f} ms  "
        f"max {r['maxMs']:6.1f} ms  errors {r['errors']}  {r['meanBytes']:.0f} B  "
        f"server cpu {r['cpuShare']:.2f} core, {cpu_ms:.2f} ms/req"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--businesses", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(11)
    browse = browse_paths(rng)
    routes = {"browse": browse, "search": search_paths(rng), "browse-miss": browse}
    p99s: dict[str, list[float]] = {name: [] for name in routes}
    errors: dict[str, int] = dict.fromkeys(routes, 0)
    ratios: dict[str, list[float]] = {name: [] for name in routes}
    with tempfile.TemporaryDirectory(prefix="walky-bench-browse-") as tmp:
        data_dir = Path(tmp)
        took = asyncio.run(load(data_dir, args.businesses, rng))
        print(f"loaded {args.businesses} businesses with their services into SQLite in {took:.1f} s")
        # One client address sends thousands of requests a second: lift the per-address API limit, or
        # the run measures 429 answers.
        with serve("app", {"WALKY_API_RATE_LIMIT": "100000000/minute"}, data_dir=data_dir) as app:
            for name, paths in list(routes.items())[:2]:
                sample = httpx.get(app.url + paths[0]).json()
                print(f"a {name} answer: {len(sample['data'])} items of {sample['meta']['total']}")
            wall = args.warmup + args.duration
            for round_no in range(1, args.rounds + 1):
                print(f"round {round_no}, {args.clients} clients, {args.duration:g} s:")
                cpu = cpu_seconds(app.pid)
                bare = run_http(
                    app.url,
                    ["/healthz"],
                    token=None,
                    clients=args.clients,
                    warmup_s=args.warmup,
                    duration_s=args.duration,
                )
                bare.update(cpuShare=(cpu_seconds(app.pid) - cpu) / wall, wallS=wall, durationS=args.duration)
                print(line("healthz", bare))
                for name, paths in routes.items():
                    miss = name == "browse-miss"
                    with writes_everywhere(data_dir / "walky.sqlite3") if miss else nullcontext() as bumps:
                        cpu = cpu_seconds(app.pid)
                        result = run_http(
                            app.url,
                            paths,
                            token=None,
                            clients=args.clients,
                            warmup_s=args.warmup,
                            duration_s=args.duration,
                        )
                        result.update(cpuShare=(cpu_seconds(app.pid) - cpu) / wall, wallS=wall, durationS=args.duration)
                    print(line(name, result))
                    if bumps is not None:
                        answers = result["rps"] * args.duration
                        print(f"  {name}: counters bumped {bumps[0] / max(1.0, answers):.1f} times per answer")
                    print(f"  {name} p99 {result['p99Ms'] / bare['p99Ms']:.1f}x the bare route's", flush=True)
                    p99s[name].append(result["p99Ms"])
                    errors[name] += int(result["errors"])
                    ratios[name].append(result["p99Ms"] / bare["p99Ms"])
    print(f"\nmedian over {args.rounds} round(s):")
    for name in routes:
        p99 = median(p99s[name])
        print(
            f"  {name} p99 {p99:.2f} ms, {median(ratios[name]):.1f}x /healthz, errors {errors[name]} "
            f"(target <= {TARGET_P99_MS:g} ms, no error) [{verdict(p99 <= TARGET_P99_MS and errors[name] == 0)}]"
        )


if __name__ == "__main__":
    main()
