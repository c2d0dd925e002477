"""A walk in progress summarized incrementally equals the whole-trail summary over the same fixes, exactly:
the legs after any number of fixes are the ones a completed walk with those fixes gets (geo/legs.py)."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import LngLat, TrailPoint, destination, summarize_walk
from geo.errors import GeoError
from geo.live_trail import LiveTrail
from geo.trail import WalkSummary
from tests.geo.test_smoothing import WALKS, _phone_fixes, _true_path

T0 = 1_767_225_600_000
CENTRE = LngLat(2.35, 48.85)


def _assert_agrees(live: WalkSummary, full: WalkSummary) -> None:
    assert live == full


def _feed_and_compare(fixes: list[TrailPoint], chunk: int, every: int) -> None:
    live = LiveTrail()
    for start in range(0, len(fixes), chunk):
        live.extend(fixes[start : start + chunk])
        taken = min(len(fixes), start + chunk)
        if (start // chunk) % every == 0 or taken == len(fixes):
            _assert_agrees(live.summary(), summarize_walk(fixes[:taken]))


@pytest.mark.parametrize("shape", list(WALKS))
@settings(max_examples=3, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), turn_deg=st.floats(0, 360), chunk=st.sampled_from([1, 5, 61, 400]))
def test_a_noisy_walk_fed_in_pieces_agrees_with_the_whole_trail(
    shape: str, seed: int, turn_deg: float, chunk: int
) -> None:
    truth, _ = _true_path(WALKS[shape], turn_deg)
    fixes = _phone_fixes(truth, random.Random(seed), 4.0, 600.0, 1.5)
    _feed_and_compare(fixes, chunk, every=max(1, 150 // chunk))


def _eventful_walk() -> list[TrailPoint]:
    """A walk with what restarts the filter and the outlier test: a lasting jump, a gap, a bad first fix."""
    rng = random.Random(3)
    fixes, position = [TrailPoint(destination(CENTRE, 90, 900), T0, 5.0)], CENTRE
    for i in range(1, 1500):
        position = destination(position, (i // 90) * 47 % 360, 1.3)
        noisy = destination(position, rng.uniform(0, 360), abs(rng.gauss(0, 2.5)))
        if 600 <= i < 606:
            # The phone jumps 300 m for six fixes in a row: the model restarts there and after.
            noisy = destination(noisy, 45, 300)
        if rng.random() < 0.02:
            noisy = destination(noisy, rng.uniform(0, 360), rng.uniform(50, 500))
        seconds = i + (900 if i >= 1000 else 0)
        fixes.append(TrailPoint(noisy, T0 + 1000 * seconds, rng.choice([None, 0.0, 4.0, 8.0, 150.0])))
    return fixes


@pytest.mark.parametrize("chunk", [1, 3, 250])
def test_jumps_gaps_spikes_and_a_bad_first_fix_agree_too(chunk: int) -> None:
    _feed_and_compare(_eventful_walk(), chunk, every=max(1, 37 // chunk))


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4])
def test_the_first_fixes_are_summarized_as_the_whole_trail_is(count: int) -> None:
    fixes = [TrailPoint(destination(CENTRE, 0, 2.0 * i), T0 + 1000 * i, 5.0) for i in range(count)]
    live = LiveTrail()
    live.extend(fixes)
    assert live.summary() == summarize_walk(fixes)


def test_duplicates_are_dropped_and_an_older_fix_is_refused() -> None:
    fixes = [TrailPoint(destination(CENTRE, 0, 1.3 * i), T0 + 1000 * i, 5.0) for i in range(300)]
    other = TrailPoint(destination(CENTRE, 90, 3.0), fixes[-1].timestamp_ms, 5.0)
    replayed = [*fixes, other, fixes[-1]]
    live = LiveTrail()
    live.extend(replayed)
    assert live.count == 301
    _assert_agrees(live.summary(), summarize_walk(replayed))
    with pytest.raises(GeoError):
        live.extend([fixes[10]])
