"""Walk distance against the true length: shapes x noise models x seeds, fixes sent live and in batches.

    PYTHONPATH=. python scripts/bench/bench_walk_distance.py [--seeds 20]

The walks, noise models, bounds and the rule that leaves a draw out of its bound are those of
tests/geo/synthetic_walks.py (1.4 m/s, 1 fix/s, 5 m reported accuracy). Per shape and noise model the table
gives the true length and the mean / worst error of:

- ``raw``: the sum of the fixes' steps (mean only), as a phone's own odometer would read;
- ``old``: the Kalman/RTS smoother and the thinning to one fix per accuracy radius that the walk distance
  used before (still the GPX track: geo.trail.filter_trail), summed;
- ``new``: ``summarize_walk`` (straight legs between turns and stops, geo/legs.py). The same fixes are also
  fed to a ``LiveTrail`` one by one (a summary after every 25th fix) and in batches of 1-40 (a summary after
  each): both must end on exactly the completed summary's distance.

``out`` counts the draws left out of the bound (the drift alone moves the turning points too far); the
worst case held to the bound leaves them out, the ``new`` column does not. Rows in brackets are reported,
not held. Exits 1 if a bound is missed or a live summary differs from the completed one.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass

from geo.distance import path_length_m
from geo.live_trail import LiveTrail
from geo.trail import TrailPoint, filter_trail, summarize_walk
from tests.geo.synthetic_walks import NO_NOISE, NOISES, SHAPES, Noise, bound, synthetic_walk


@dataclass
class Draw:
    raw: float
    old: float
    new: float
    out_of_reach: bool
    live_agrees: bool


def measure(shape: str, noise: Noise, seed: int) -> Draw:
    walk = synthetic_walk(shape, noise, seed)
    new_m = summarize_walk(walk.fixes).distance_m
    return Draw(
        raw=path_length_m([f.position for f in walk.fixes]) / walk.true_m - 1,
        old=path_length_m([p.position for p in filter_trail(walk.fixes)]) / walk.true_m - 1,
        new=new_m / walk.true_m - 1,
        out_of_reach=walk.out_of_reach,
        live_agrees=live_agrees(walk.fixes, new_m, random.Random(seed)),
    )


def live_agrees(fixes: list[TrailPoint], completed_m: float, rng: random.Random) -> bool:
    one_by_one = LiveTrail()
    for i, fix in enumerate(fixes):
        one_by_one.extend([fix])
        if i % 25 == 24:
            one_by_one.summary()
    batched, start = LiveTrail(), 0
    while start < len(fixes):
        size = rng.randint(1, 40)
        batched.extend(fixes[start : start + size])
        batched.summary()
        start += size
    return one_by_one.summary().distance_m == completed_m == batched.summary().distance_m


def _pct(value: float) -> str:
    return f"{100 * value:+.1f}%"


def _mean_worst(values: list[float]) -> str:
    return f"{_pct(sum(values) / len(values))} / {_pct(max(values, key=abs))}"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"{args.seeds} seeds per row; error of the distance against the true length (mean / worst)")
    header = f"{'shape':<24}{'noise':<32}{'true':>6}{'raw':>9}{'old':>18}{'new':>18}{'bound':>8}{'out':>5}"
    print(header)
    print("-" * len(header))
    worst: dict[str, float] = {}
    live_ok = True
    for shape in SHAPES:
        true_m = synthetic_walk(shape, NO_NOISE, 0).true_m
        for noise in NOISES:
            draws = [measure(shape, noise, seed) for seed in range(args.seeds)]
            limit = bound(shape, noise)
            held = [abs(d.new) for d in draws if not d.out_of_reach]
            if noise.held:
                kind = "no noise" if noise == NO_NOISE else "fetch" if shape.startswith("fetch") else "noisy"
                key = f"{limit:.0%} ({kind})"
                worst[key] = max(worst.get(key, 0.0), *held, 0.0)
            live_ok &= all(d.live_agrees for d in draws)
            shown = f"{limit:.0%}" if noise.held else f"({limit:.0%})"
            print(
                f"{shape:<24}{noise.name:<32}{true_m:>6.0f}{_pct(sum(d.raw for d in draws) / len(draws)):>9}"
                f"{_mean_worst([d.old for d in draws]):>18}{_mean_worst([d.new for d in draws]):>18}"
                f"{shown:>8}{sum(d.out_of_reach for d in draws):>5}"
            )
    print()
    missed = False
    for key, value in worst.items():
        limit = float(key.split("%")[0]) / 100
        missed |= value > limit
        print(f"bound {key}: worst {100 * value:.2f}% {'ok' if value <= limit else 'MISSED'}")
    print(f"live summaries (one by one, in batches) equal the completed one: {'yes' if live_ok else 'NO'}")
    print(f"{time.perf_counter() - started:.1f} s")
    return 1 if missed or not live_ok else 0


if __name__ == "__main__":
    sys.exit(main())
