"""Nearby search with 100,000 live walkers in Redis: `GET /v1/locations/workers` against `GET /healthz`.

Setup: a private redis-server; 100,000 workers spread uniformly over a 15 km disc around Paris (about
140 per km², so a 1 km radius holds about 440 of them). Their worker documents go into the embedded
SQLite store (the route reads ratings from them); their live state goes into Redis through
`RedisLiveIndex` itself (online + available, then a fresh fix), in concurrent batches so the pipeline
coalescer carries them. Then `python -m app` serves both from that Redis and that data directory.

Load: C keep-alive HTTP clients in one Node process (node/http_load.mjs), closed loop, an owner's token.
Nearby queries rotate through 200 random centres in the populated disc with radius=1000&limit=20. The
bare route is `GET /healthz` of the same server, measured just before, in the same run.

Targets: nearby p99 <= 10 ms; nearby requests/s >= 0.7x the bare route's.

    .venv/bin/python -m scripts.bench.bench_nearby [--workers 100000] [--clients 4] [--duration 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from redis.asyncio import Redis

from app.domain.fixes import LiveFix
from app.domain.workers import Worker
from app.live.redis_live_index import RedisLiveIndex
from app.store.schema import WORKERS
from app.store.sqlite.backend import SqliteBackend
from geo.coordinates import LngLat
from geo.distance import destination
from scripts.bench.live_support import (
    business_id,
    cpu_seconds,
    ensure_node_client,
    median,
    run_http,
    serve,
    token,
    verdict,
    worker_id,
)
from tests.support.redis_server import redis_server

CENTER = LngLat(2.35, 48.85)
SPREAD_M = 15_000.0
TARGET_P99_MS = 10.0
TARGET_THROUGHPUT = 0.7
BATCH = 5000


def random_point(rng: random.Random) -> LngLat:
    # Uniform over the disc: the distance grows with the square root.
    return destination(CENTER, rng.uniform(0, 360), SPREAD_M * math.sqrt(rng.random()))


async def store_workers(data_dir: Path, workers: int) -> None:
    """The workers' documents in the SQLite store (the route reads their ratings)."""
    now = datetime.now(UTC)
    backend = SqliteBackend(data_dir / "walky.sqlite3")
    await backend.setup()
    collection = backend.collection(WORKERS)
    for first in range(0, workers, BATCH):
        docs = [
            Worker(
                id=worker_id(i),
                user_id=f"u{i:023x}",
                business_id=business_id(i % 500),
                first_name="Walker",
                last_name=str(i),
                email=f"walker{i}@bench.example",
                created_at=now,
                updated_at=now,
            ).to_doc()
            for i in range(first, min(first + BATCH, workers))
        ]
        await collection.insert_many_new(docs)
    await backend.close()


async def index_workers(redis_url: str, points: list[LngLat]) -> None:
    """Worker `i` online, available and seen now at `points[i]` (the index forgets a walker unseen for five
    minutes, so a long run calls this again)."""
    redis = Redis.from_url(redis_url)
    index = RedisLiveIndex(redis)
    now_ms = int(time.time() * 1000)

    async def one(i: int) -> None:
        wid, biz = worker_id(i), business_id(i % 500)
        await index.set_presence(wid, biz, online=True, available=True)
        await index.record_fix(wid, biz, LiveFix(points[i], now_ms, 10.0), now_ms)

    for first in range(0, len(points), BATCH):
        await asyncio.gather(*(one(i) for i in range(first, min(first + BATCH, len(points)))))
    indexed = await redis.zcard("walky:live:geo")
    await index.close()
    await redis.aclose()
    assert indexed == len(points), indexed


async def load(redis_url: str, data_dir: Path, workers: int, rng: random.Random) -> float:
    started = time.perf_counter()
    await store_workers(data_dir, workers)
    await index_workers(redis_url, [random_point(rng) for _ in range(workers)])
    return time.perf_counter() - started


def line(name: str, r: dict[str, Any]) -> str:
    return (
        f"  {name:8} {r['rps']:7.0f} req/s  p50 {r['p50Ms']:5.2f} ms  p99 {r['p99Ms']:5.2f} ms  "
        f"max {r['maxMs']:6.1f} ms  errors {r['errors']}  {r['meanBytes']:.0f} B  "
        f"server cpu {r['cpuShare']:.2f} core"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ensure_node_client()
    rng = random.Random(4)
    rows: list[tuple[float, float]] = []
    with redis_server() as redis_url, tempfile.TemporaryDirectory(prefix="walky-bench-nearby-") as tmp:
        data_dir = Path(tmp)
        took = asyncio.run(load(redis_url, data_dir, args.workers, rng))
        print(f"loaded {args.workers} live workers (SQLite docs + Redis index) in {took:.1f} s")
        owner = token(sub="o" + "0" * 23, role="owner")
        paths = []
        for _ in range(200):
            p = random_point(rng)
            paths.append(f"/v1/locations/workers?lat={p.lat:.6f}&lng={p.lng:.6f}&radius=1000&limit=20")
        # One token drives every request: lift the per-user API limit above what the run sends (still counted).
        env = {"WALKY_REDIS_URL": redis_url, "WALKY_API_RATE_LIMIT": "1000000/minute"}
        with serve("app", env, data_dir=data_dir) as app:
            sample = httpx.get(app.url + paths[0], headers={"authorization": f"Bearer {owner}"}).json()
            print(f"a nearby answer holds {len(sample['data'])} workers, nearest {sample['data'][0]['distanceM']} m")
            for round_no in range(1, args.rounds + 1):
                duration = args.duration
                cpu = cpu_seconds(app.pid)
                bare = run_http(
                    app.url, ["/healthz"], token=None, clients=args.clients, warmup_s=args.warmup, duration_s=duration
                )
                cpu, bare["cpuS"] = cpu_seconds(app.pid), cpu_seconds(app.pid) - cpu
                near = run_http(
                    app.url, paths, token=owner, clients=args.clients, warmup_s=args.warmup, duration_s=duration
                )
                near["cpuS"] = cpu_seconds(app.pid) - cpu
                wall = args.warmup + args.duration
                for r in (bare, near):
                    r["cpuShare"] = r["cpuS"] / wall
                ratio = near["rps"] / bare["rps"]
                rows.append((ratio, near["p99Ms"]))
                print(f"round {round_no}, {args.clients} clients, {args.duration:g} s:")
                print(line("healthz", bare))
                print(line("nearby", near))
                print(f"  ratio  throughput {ratio:.2f}x", flush=True)
    ratio = median([r[0] for r in rows])
    p99 = median([r[1] for r in rows])
    print(f"\nmedian over {args.rounds} round(s):")
    print(f"  nearby p99 {p99:.2f} ms (target <= {TARGET_P99_MS:g} ms) [{verdict(p99 <= TARGET_P99_MS)}]")
    met = verdict(ratio >= TARGET_THROUGHPUT)
    print(f"  throughput {ratio:.2f}x the bare route (target >= {TARGET_THROUGHPUT}x) [{met}]")


if __name__ == "__main__":
    main()
