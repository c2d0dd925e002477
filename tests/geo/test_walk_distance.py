"""Walk distance within issue 36's bounds on every shape, on a few fixed seeds (the benchmark runs 20:
scripts/bench/bench_walk_distance.py), and the same whether the fixes came live, one by one or in batches."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import summarize_walk
from geo.legs import LegFitter
from geo.live_trail import LiveTrail
from geo.noise import MIN_SIGMA_M, NoiseTracker
from tests.geo.synthetic_walks import NO_NOISE, NOISES, PHONE, SHAPES, Noise, bound, synthetic_walk

HELD = [noise for noise in NOISES if noise.held]


@pytest.mark.parametrize("noise", HELD, ids=lambda noise: noise.name)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_distance_is_within_the_bound(shape: str, noise: Noise) -> None:
    for seed in (0, 1) if noise == NO_NOISE else (0, 1, 2):
        walk = synthetic_walk(shape, noise, seed)
        if walk.out_of_reach:
            continue
        error = summarize_walk(walk.fixes).distance_m / walk.true_m - 1
        assert abs(error) <= bound(shape, noise), (seed, error)


@pytest.mark.parametrize("shape", ["zig-zag 120 deg / 25 m", "fetch 20 m legs", "stop-and-go 300 m"])
@settings(max_examples=3, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**16), sizes=st.lists(st.integers(1, 60), min_size=1, max_size=8))
def test_live_summaries_equal_the_completed_one(shape: str, seed: int, sizes: list[int]) -> None:
    fixes = synthetic_walk(shape, PHONE, seed).fixes
    completed = summarize_walk(fixes)
    one_by_one, batched = LiveTrail(), LiveTrail()
    for i, fix in enumerate(fixes):
        one_by_one.extend([fix])
        if i % 60 == 7:
            assert one_by_one.summary() == summarize_walk(fixes[: i + 1])
    start = 0
    while start < len(fixes):
        size = sizes[start % len(sizes)]
        batched.extend(fixes[start : start + size])
        start += size
        batched.summary()
    assert one_by_one.summary() == completed == batched.summary()


def test_a_clean_trail_claiming_5_m_keeps_its_corners() -> None:
    """The noise is measured, not taken from the reported accuracy: noise-free turns land on the corners."""
    walk = synthetic_walk("zig-zag 120 deg / 25 m", NO_NOISE, 3)
    summary = summarize_walk(walk.fixes)
    assert summary.distance_m == pytest.approx(walk.true_m, rel=1e-3)


@settings(max_examples=20, deadline=None)
@given(sigma=st.floats(0.3, 4.0), seed=st.integers(0, 2**16))
def test_the_noise_measured_is_the_white_noise(sigma: float, seed: int) -> None:
    rng = random.Random(seed)
    tracker = NoiseTracker()
    variances = []
    for i in range(200):
        # Walking east at 1.4 m/s, turning north for a while: the turn must not count as noise.
        x, y = (1.4 * i, 0.0) if i < 100 else (140.0, 1.4 * (i - 100))
        variances.append(tracker.variance(x + rng.gauss(0, sigma), y + rng.gauss(0, sigma), float(i), 5.0))
    measured = math.sqrt(sum(variances[50:]) / len(variances[50:]))
    assert measured == pytest.approx(sigma, rel=0.3)


def test_a_noise_free_trail_gets_the_floor_and_the_first_fixes_the_reported_accuracy() -> None:
    tracker = NoiseTracker()
    variances = [tracker.variance(1.4 * i, 0.0, float(i), 6.0) for i in range(20)]
    assert variances[0] == pytest.approx(16.0)
    assert variances[-1] == MIN_SIGMA_M**2


def test_legs_split_at_turns_and_stops() -> None:
    fitter = LegFitter()
    # 30 s east, 20 s standing, 30 s north; no noise.
    track = [(1.4 * t, 0.0) for t in range(30)] + [(42.0, 0.0)] * 20 + [(42.0, 1.4 * t) for t in range(1, 31)]
    for t, (x, y) in enumerate(track):
        fitter.add(x, y, float(t), 0.01)
    legs = fitter.legs()
    assert [leg.moving for leg in legs] == [True, False, True]
    corners = [(round(x, 3), round(y, 3)) for x, y, _ in fitter.path()]
    assert corners == [(0.0, 0.0), (42.0, 0.0), (42.0, 0.0), (42.0, 42.0)]
