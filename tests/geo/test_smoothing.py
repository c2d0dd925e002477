"""The Kalman smoother, and walk distances over synthetic walks with noise as phones make it."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import LngLat, TrailPoint, destination, filter_trail, haversine_m, path_length_m, summarize_walk
from geo.smoothing import Fix, smooth_fixes

PARK = LngLat(-0.1657, 51.5073)
T0 = 1_767_225_600_000
WALKING_MPS = 1.4


def _true_path(legs: list[tuple[float, float]], turn_deg: float) -> tuple[list[LngLat], float]:
    """Positions at 1 fix/s along (bearing, length) legs turned by ``turn_deg``; also the true length."""
    corners = [PARK]
    for bearing, length in legs:
        corners.append(destination(corners[-1], (bearing + turn_deg) % 360, length))
    positions = []
    walked = leg_start = 0.0
    for (bearing, length), corner in zip(legs, corners, strict=False):
        while walked <= leg_start + length:
            positions.append(destination(corner, (bearing + turn_deg) % 360, walked - leg_start))
            walked += WALKING_MPS
        leg_start += length
    positions.append(corners[-1])
    return positions, path_length_m(corners)


def _phone_fixes(
    truth: list[LngLat], rng: random.Random, drift_m: float, drift_tau_s: float, white_m: float
) -> list[TrailPoint]:
    """A slowly drifting offset (AR(1) per axis), white noise on top, 2% spikes of 50-500 m; 5 m accuracy."""
    phi = math.exp(-1 / drift_tau_s)
    step = drift_m * math.sqrt(1 - phi * phi)
    east, north = rng.gauss(0, drift_m), rng.gauss(0, drift_m)
    fixes = []
    for i, position in enumerate(truth):
        east, north = phi * east + rng.gauss(0, step), phi * north + rng.gauss(0, step)
        e, n = east + rng.gauss(0, white_m), north + rng.gauss(0, white_m)
        noisy = destination(position, math.degrees(math.atan2(e, n)) % 360, math.hypot(e, n))
        if rng.random() < 0.02:
            noisy = destination(noisy, rng.uniform(0, 360), rng.uniform(50, 500))
        fixes.append(TrailPoint(noisy, T0 + 1000 * i, 5.0))
    return fixes


WALKS = {
    "straight": [(0.0, 1500.0)],
    "out-and-back": [(0.0, 800.0), (180.0, 800.0)],
    # Twice round a circle of ~170 m radius, in 10-degree steps.
    "loops": [(10.0 * i, 30.0) for i in range(36)] * 2,
    # Tree to tree across a park: 60 m legs, turning 60 degrees left and right.
    "zig-zag": [(30.0 if i % 2 else 90.0, 60.0) for i in range(24)],
}


@pytest.mark.parametrize("shape", list(WALKS))
@settings(max_examples=6, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    turn_deg=st.floats(0, 360),
    drift_m=st.floats(3, 5),
    drift_tau_s=st.floats(300, 900),
    white_m=st.floats(1, 2),
)
def test_distance_of_a_noisy_walk_is_within_three_percent(
    shape: str, seed: int, turn_deg: float, drift_m: float, drift_tau_s: float, white_m: float
) -> None:
    truth, true_m = _true_path(WALKS[shape], turn_deg)
    fixes = _phone_fixes(truth, random.Random(seed), drift_m, drift_tau_s, white_m)
    assert path_length_m([f.position for f in fixes]) > 1.5 * true_m, "the raw noise must matter"
    assert summarize_walk(fixes).distance_m == pytest.approx(true_m, rel=0.03)


def test_u_turn_is_followed_to_its_tip() -> None:
    truth, _ = _true_path(WALKS["out-and-back"], 0.0)
    fixes = _phone_fixes(truth, random.Random(4), drift_m=4.0, drift_tau_s=600, white_m=1.5)
    tip = destination(PARK, 0, 800)
    # The drift alone puts the fixes a few metres off; merging nearby fixes cut ~10 m off each U-turn.
    assert min(haversine_m(tip, p.position) for p in filter_trail(fixes)) < 6


def test_smoothing_removes_white_noise_and_keeps_one_position_per_fix() -> None:
    rng = random.Random(1)
    truth = [destination(PARK, 90, WALKING_MPS * i) for i in range(300)]
    fixes = [
        Fix(destination(p, rng.uniform(0, 360), abs(rng.gauss(0, 3))), T0 + 1000 * i, 5.0) for i, p in enumerate(truth)
    ]
    smoothed = smooth_fixes(fixes)
    assert len(smoothed) == len(fixes)
    raw_error = sum(haversine_m(f.position, p) for f, p in zip(fixes, truth, strict=True)) / len(truth)
    smoothed_error = sum(haversine_m(s, p) for s, p in zip(smoothed, truth, strict=True)) / len(truth)
    assert smoothed_error < raw_error / 2
    assert smooth_fixes([]) == []


def test_a_spike_is_outvoted_and_a_lasting_jump_restarts_the_model() -> None:
    line = [Fix(destination(PARK, 90, WALKING_MPS * i), T0 + 1000 * i, 5.0) for i in range(60)]
    spike = line[30]._replace(position=destination(line[30].position, 0, 80))
    smoothed = smooth_fixes([*line[:30], spike, *line[31:]])
    assert haversine_m(smoothed[30], line[30].position) < 2
    # From fix 40 on, the walker is reported 1 km north and stays there: after three disagreeing fixes
    # the smoother follows the new place instead of holding on to the old track.
    moved = [*line[:40], *(f._replace(position=destination(f.position, 0, 1000)) for f in line[40:])]
    smoothed = smooth_fixes(moved)
    assert all(haversine_m(s, f.position) < 3 for s, f in zip(smoothed[42:], moved[42:], strict=True))
    assert all(haversine_m(s, f.position) < 3 for s, f in zip(smoothed[:39], moved[:39], strict=True))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(-180, 180),
            st.floats(-90, 90),
            st.integers(0, 5_000),
            st.floats(3, 100),
        ),
        max_size=30,
    )
)
def test_smoothed_positions_are_always_valid(raw: list[tuple[float, float, int, float]]) -> None:
    t = T0
    fixes = []
    for lng, lat, step_ms, accuracy_m in raw:
        t += step_ms
        fixes.append(Fix(LngLat(lng, lat), t, accuracy_m))
    smoothed = smooth_fixes(fixes)
    assert len(smoothed) == len(fixes)
    assert all(-180 <= p.lng <= 180 and -90 <= p.lat <= 90 for p in smoothed)


def test_smoothing_at_the_pole_stays_on_the_globe() -> None:
    rng = random.Random(82)
    fixes = [Fix(LngLat(rng.uniform(-180, 180), rng.uniform(89.9995, 90)), T0 + 1000 * i, 3.0) for i in range(20)]
    smoothed = smooth_fixes(fixes)
    assert all(-180 <= p.lng <= 180 and -90 <= p.lat <= 90 for p in smoothed)
