"""Walk report rendering for a 2-hour walk at 1 fix/s (7,200 fixes): distance, map SVG and GPX.

Each series is timed over repeated runs on the same synthetic walk (a winding path through a park with
phone-like noise: a drifting offset, white noise, 2% spikes, 5 m reported accuracy):

- ``smooth_fixes``: the Kalman/RTS smoother alone, on every fix (spikes included);
- ``summarize_walk``: outlier test, Kalman/RTS smoothing, thinning, distance and route simplification;
- ``render_route_svg``: the report map from the raw track, with 40 walk events;
- ``route_gpx``: the GPX document of the raw track with the same events;
- baseline, in the same run: a plain haversine sum over the same 7,200 positions.

    .venv/bin/python -m scripts.bench.bench_report_render [--points 7200] [--runs 200] [--seed 7]
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from geo.coordinates import LngLat
from geo.distance import destination, path_length_m
from geo.gpx import TrackPoint, route_gpx
from geo.route_map import MapEvent, render_route_svg
from geo.smoothing import Fix, smooth_fixes
from geo.trail import TrailPoint, summarize_walk

PARK = LngLat(-0.1657, 51.5073)
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
KINDS = ("pee", "poo", "water", "food", "photo", "note")


def make_walk(points: int, rng: random.Random) -> list[TrailPoint]:
    truth = [PARK]
    for i in range(points - 1):
        truth.append(destination(truth[-1], (90 + 80 * math.sin(i / 90)) % 360, 1.4))
    phi, drift = math.exp(-1 / 600), 4.0
    east, north = rng.gauss(0, drift), rng.gauss(0, drift)
    t0_ms = int(T0.timestamp() * 1000)
    fixes = []
    for i, position in enumerate(truth):
        east = phi * east + rng.gauss(0, drift * math.sqrt(1 - phi * phi))
        north = phi * north + rng.gauss(0, drift * math.sqrt(1 - phi * phi))
        e, n = east + rng.gauss(0, 1.5), north + rng.gauss(0, 1.5)
        noisy = destination(position, math.degrees(math.atan2(e, n)) % 360, math.hypot(e, n))
        if rng.random() < 0.02:
            noisy = destination(noisy, rng.uniform(0, 360), rng.uniform(50, 500))
        fixes.append(TrailPoint(noisy, t0_ms + 1000 * i, 5.0))
    return fixes


def percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1)]


def timed(runs: int, call: Callable[[], object]) -> tuple[list[float], list[float]]:
    """Wall-clock and process CPU milliseconds per call: on a shared machine CPU time leaves out waiting for a core."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=7200)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    fixes = make_walk(args.points, random.Random(args.seed))
    positions = [f.position for f in fixes]
    smoothing_input = [Fix(f.position, f.timestamp_ms, 5.0) for f in fixes]
    route = [(p.lng, p.lat) for p in positions]
    track = [TrackPoint(p.lng, p.lat, T0 + timedelta(seconds=i)) for i, p in enumerate(positions)]
    events = [
        MapEvent(KINDS[i % len(KINDS)], route[j][0], route[j][1], track[j].time)
        for i, j in enumerate(range(0, len(route), max(1, len(route) // 40)))
    ]
    series = {
        "baseline: haversine sum": timed(args.runs, lambda: path_length_m(positions)),
        "smooth_fixes alone": timed(args.runs, lambda: smooth_fixes(smoothing_input)),
        "summarize_walk (smoothed distance)": timed(args.runs, lambda: summarize_walk(fixes)),
        "render_route_svg": timed(args.runs, lambda: render_route_svg(route, events)),
        "route_gpx": timed(args.runs, lambda: route_gpx(track, events, name="Bench walk")),
    }
    true_m = 1.4 * (len(fixes) - 1)
    smoothed_m = summarize_walk(fixes).distance_m
    print(f"{len(fixes)} fixes, {args.runs} runs; true {true_m:.0f} m, raw {path_length_m(positions):.0f} m, ", end="")
    print(f"smoothed {smoothed_m:.0f} m ({smoothed_m / true_m - 1:+.1%})")
    print(f"svg {len(render_route_svg(route, events))} bytes, gpx {len(route_gpx(track, events, name='w'))} bytes")
    base_wall, base_cpu = (percentile(s, 99) for s in series["baseline: haversine sum"])
    for name, (wall, cpu) in series.items():
        print(
            f"{name:<36} wall p50={percentile(wall, 50):7.2f} p99={percentile(wall, 99):7.2f} ms"
            f"  cpu p50={percentile(cpu, 50):7.2f} p99={percentile(cpu, 99):7.2f} ms"
            f"  p99/baseline wall {percentile(wall, 99) / base_wall:5.1f}x cpu {percentile(cpu, 99) / base_cpu:5.1f}x"
        )


if __name__ == "__main__":
    main()
