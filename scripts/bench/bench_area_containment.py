"""Which service areas contain this point: the SQLite geo adapter vs a brute-force shapely scan.

Builds N business service areas (star-shaped polygons, some with holes, some MultiPolygons; most in
one metro region, the rest world-wide) in a temporary SQLite store through the real repositories and
adapter, then times `GeoSearch.businesses_serving(point)` for random points against testing every
area with non-prepared shapely `covers`, checking on the way that both give the same answer.

    .venv/bin/python -m scripts.bench.bench_area_containment [--areas 10000] [--points 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from app.domain.businesses import Address, Business, point
from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store
from geo.areas import parse_area
from geo.coordinates import LngLat
from geo.distance import destination

# Greater Paris, roughly 55 x 45 km.
METRO = (2.05, 48.65, 2.75, 49.05)
METRO_SHARE = 0.9


def _ring(center: LngLat, radii_m: Sequence[float], rng: random.Random) -> list[list[float]]:
    """A star-shaped ring around `center`: one vertex per jittered, increasing angle, so it is simple,
    and no gap exceeds 1.5 steps, so its edges stay at least cos(67.5 deg) ~ 0.38 of the shortest
    radius away from the centre (room for a hole)."""
    step = 360 / len(radii_m)
    angles = [i * step + rng.uniform(0, step / 2) for i in range(len(radii_m))]
    positions = [list(destination(center, angle, radius)) for angle, radius in zip(angles, radii_m, strict=True)]
    return [*positions, positions[0]]


def _polygon(center: LngLat, rng: random.Random) -> list[list[list[float]]]:
    vertices = rng.randint(6, 40)
    outer_m = rng.uniform(800, 8_000)
    radii = [outer_m * rng.uniform(0.6, 1.0) for _ in range(vertices)]
    rings = [_ring(center, radii, rng)]
    if rng.random() < 0.25:
        # A hole well inside the shell's smallest radius, e.g. a park the business does not serve.
        hole_m = outer_m * rng.uniform(0.05, 0.2)
        rings.append(_ring(center, [hole_m * rng.uniform(0.8, 1.0) for _ in range(rng.randint(4, 12))], rng))
    return rings


def _random_point(rng: random.Random) -> LngLat:
    if rng.random() < METRO_SHARE:
        return LngLat(rng.uniform(METRO[0], METRO[2]), rng.uniform(METRO[1], METRO[3]))
    # World-wide, away from the poles and the antimeridian so the star polygons stay simple.
    return LngLat(rng.uniform(-170, 170), rng.uniform(-60, 70))


def make_area(rng: random.Random) -> tuple[LngLat, dict[str, Any]]:
    center = _random_point(rng)
    if rng.random() < 0.1:
        # Two parts far enough apart not to overlap (each is at most 8 km across).
        second = destination(center, rng.uniform(0, 360), 20_000)
        return center, {"type": "MultiPolygon", "coordinates": [_polygon(center, rng), _polygon(second, rng)]}
    return center, {"type": "Polygon", "coordinates": _polygon(center, rng)}


SERIES = (
    "adapter, first pass (cold cache)",
    "adapter, second pass (warm cache)",
    "brute force, covers per area",
    "brute force, one vectorized covers",
)


class Samples:
    """Wall-clock and process CPU time per call: on a shared machine the CPU time leaves out the time
    spent waiting for a core (it counts the SQLite thread too, as it is in this process)."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    @contextmanager
    def measure(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.cpu.append(time.process_time() - cpu)
        self.wall.append(time.perf_counter() - wall)


def percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1)]


def summary(name: str, samples_s: Sequence[float]) -> str:
    ms = [s * 1000 for s in samples_s]
    return (
        f"{name:<36} n={len(ms):>5}  p50={percentile(ms, 50):8.3f} ms  p99={percentile(ms, 99):8.3f} ms"
        f"  mean={statistics.fmean(ms):8.3f} ms"
    )


async def run(areas: int, points: int, brute_points: int, seed: int, scratch_dir: Path | None) -> None:
    rng = random.Random(seed)
    generated = [make_area(rng) for _ in range(areas)]
    queries = [_random_point(rng) for _ in range(points)]
    with tempfile.TemporaryDirectory(dir=scratch_dir) as tmp:
        store = Store(SqliteBackend(Path(tmp) / "bench.sqlite3"))
        await store.setup()
        started = time.perf_counter()
        ids: list[str] = []
        stamp = datetime.now(UTC)
        for i, (center, geojson) in enumerate(generated):
            business = Business(
                id=f"b{i:05d}",
                owner_id=f"u{i:05d}",
                name=f"Business {i}",
                address=Address(coordinates=(center.lng, center.lat)),
                location=point(center.lng, center.lat),
                service_area=parse_area(geojson).to_geojson(),
                created_at=stamp,
                updated_at=stamp,
            )
            await store.businesses.add(business)
            ids.append(business.id)
        print(f"loaded {areas} areas through BusinessRepository in {time.perf_counter() - started:.1f} s")

        # Fresh, never-prepared geometries for the baselines.
        plain = [shape(geojson) for _, geojson in generated]
        vector = np.empty(len(plain), dtype=object)
        vector[:] = plain
        serving = store.geo_search.businesses_serving
        timings: dict[str, Samples] = {name: Samples() for name in SERIES}
        answers: list[set[str]] = []
        for p in queries:
            with timings["adapter, first pass (cold cache)"].measure():
                answer = await serving(p)
            answers.append(set(answer))
        for p in queries:
            with timings["adapter, second pass (warm cache)"].measure():
                await serving(p)
        # Passes rather than interleaving: a brute-force scan between two queries would evict the
        # adapter's working set from the CPU caches, which no real query stream does.
        for p, expected in zip(queries[:brute_points], answers, strict=False):
            probe = shapely.Point(p.lng, p.lat)
            with timings["brute force, covers per area"].measure():
                found = {ids[i] for i, area in enumerate(plain) if shapely.covers(area, probe)}
            with timings["brute force, one vectorized covers"].measure():
                found_vectorized = {ids[i] for i in np.flatnonzero(shapely.covers(vector, probe))}
            if not found == found_vectorized == expected:
                raise SystemExit(f"answers differ at {p}: adapter {sorted(expected)} vs brute force {sorted(found)}")
        await store.close()

    hits = [len(a) for a in answers]
    print(
        f"points: {points} ({METRO_SHARE:.0%} in the metro region); "
        f"areas containing a point: mean {statistics.fmean(hits):.1f}, max {max(hits)}; "
        f"answers identical on the {min(points, brute_points)} brute-force points"
    )
    for clock in ("wall", "cpu"):
        print(f"-- {clock} time per query (ms)")
        for name, samples in timings.items():
            print(summary(name, getattr(samples, clock)))
        for adapter in SERIES[:2]:
            for baseline in SERIES[2:]:
                ours, theirs = getattr(timings[adapter], clock), getattr(timings[baseline], clock)
                print(f"   {baseline} / {adapter}: p50 {ratio(theirs, ours, 50)}, p99 {ratio(theirs, ours, 99)}")


def ratio(baseline: Sequence[float], samples: Sequence[float], q: float) -> str:
    return f"{percentile(baseline, q) / percentile(samples, q):.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--areas", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=2_000)
    parser.add_argument("--brute-points", type=int, default=2_000, help="points also answered by brute force")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    # tmpfs where available: the store fsyncs every insert, which would only time the disk.
    shm = Path("/dev/shm")
    asyncio.run(run(args.areas, args.points, args.brute_points, args.seed, shm if shm.is_dir() else None))


if __name__ == "__main__":
    main()
