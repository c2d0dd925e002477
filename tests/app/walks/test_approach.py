"""The approach rules: ETA from recent speed with a walking-pace floor."""

from __future__ import annotations

from app.walks.approach import ETA_CAP_S, MAX_SPEED_MPS, MIN_SPEED_MPS, SpeedSample, eta_s
from geo.coordinates import LngLat

# About 100 m east of the origin at the equator.
HUNDRED_M_EAST = LngLat(0.000898, 0.0)


def test_eta_never_assumes_less_than_walking_pace() -> None:
    assert eta_s(500, None) == round(500 / MIN_SPEED_MPS)
    assert eta_s(500, 0.0) == round(500 / MIN_SPEED_MPS)
    assert eta_s(500, 10.0) == 50
    assert eta_s(0, 3.0) == 0
    assert eta_s(10**9, None) == ETA_CAP_S


def test_speed_is_smoothed_over_recent_fixes() -> None:
    first = SpeedSample(LngLat(0, 0), 0, None)
    moved = first.next(HUNDRED_M_EAST, 10_000)
    assert moved.speed_mps is not None and 9.9 < moved.speed_mps < 10.1
    # Standing still for ten seconds pulls the speed down, not to zero at once.
    stopped = moved.next(HUNDRED_M_EAST, 20_000)
    assert stopped.speed_mps is not None and 7.5 < stopped.speed_mps < 8.5


def test_glitches_do_not_make_the_walker_teleport() -> None:
    first = SpeedSample(LngLat(0, 0), 0, None)
    assert first.next(HUNDRED_M_EAST, 0) is first
    jumped = first.next(LngLat(1.0, 0.0), 1_000)
    assert jumped.speed_mps == MAX_SPEED_MPS
