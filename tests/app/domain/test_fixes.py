"""The fix model and the accept/drop rules, without a server."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from app.domain.fixes import MAX_BATCH_POINTS, LiveFix, Verdict, judge
from app.usecases.live.fix_inputs import BatchInput, FixInput
from geo.coordinates import LngLat

NOW = 1_800_000_000_000
HERE = LngLat(-0.1276, 51.5072)


def at(ts: int, position: LngLat = HERE, accuracy: float | None = None) -> LiveFix:
    return LiveFix(position, ts, accuracy)


def test_fix_input_parses_the_wire_shape() -> None:
    fix = FixInput.model_validate(
        {"coordinates": [-0.1276, 51.5072, 35.0], "timestamp": NOW, "accuracy": 3, "bookingId": "b" * 24}
    )
    assert fix.to_fix() == LiveFix(HERE, NOW, 3.0)
    assert fix.booking_id == "b" * 24


@pytest.mark.parametrize(
    "payload",
    [
        {"coordinates": [float("nan"), 0], "timestamp": NOW},
        {"coordinates": [0, float("inf")], "timestamp": NOW},
        {"coordinates": [0, 0, float("nan")], "timestamp": NOW},
        {"coordinates": [0], "timestamp": NOW},
        {"coordinates": [0, 0], "timestamp": NOW, "extra": 1},
        {"coordinates": [0, 0, 0, 0], "timestamp": NOW},
        {"coordinates": [True, 0], "timestamp": NOW},
        {"coordinates": [0, 0], "timestamp": -1},
        {"coordinates": [0, 0], "timestamp": 1.5},
        {"coordinates": [0, 0], "timestamp": NOW, "accuracy": -1},
        {"coordinates": [0, 0], "timestamp": NOW, "speed": float("nan")},
        {"coordinates": [0, 0], "timestamp": NOW, "workerId": {"$ne": None}},
        {"coordinates": [0, 0], "timestamp": NOW, "bookingId": "x" * 65},
        {"coordinates": [0, 0], "timestamp": NOW, "bookingId": "a b"},
    ],
)
def test_fix_input_refuses_malformed_values(payload: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        FixInput.model_validate(payload)


def test_batch_is_bounded() -> None:
    point = {"coordinates": [0, 0], "timestamp": NOW}
    assert len(BatchInput.model_validate({"points": [point] * MAX_BATCH_POINTS}).points) == MAX_BATCH_POINTS
    with pytest.raises(ValidationError):
        BatchInput.model_validate({"points": [point] * (MAX_BATCH_POINTS + 1)})


def test_first_fix_is_accepted_within_the_time_window() -> None:
    assert judge(at(NOW), None, NOW) is Verdict.ACCEPTED
    assert judge(at(NOW + 30_000), None, NOW) is Verdict.ACCEPTED
    assert judge(at(NOW + 30_001), None, NOW) is Verdict.IN_FUTURE
    assert judge(at(NOW - 24 * 3600 * 1000), None, NOW) is Verdict.ACCEPTED
    assert judge(at(NOW - 24 * 3600 * 1000 - 1), None, NOW) is Verdict.TOO_OLD


def test_accuracy_bound() -> None:
    assert judge(at(NOW, accuracy=100.0), None, NOW) is Verdict.ACCEPTED
    assert judge(at(NOW, accuracy=100.5), None, NOW) is Verdict.INACCURATE


def test_duplicates_order_and_speed() -> None:
    last = at(NOW - 10_000)
    assert judge(last, last, NOW) is Verdict.DUPLICATE
    assert judge(at(NOW - 10_000, LngLat(0, 0)), last, NOW) is Verdict.OUT_OF_ORDER
    assert judge(at(NOW - 20_000), last, NOW) is Verdict.OUT_OF_ORDER
    # 15 m/s beyond both accuracy radii (5 m each when unknown) is allowed, a little more is not.
    ok_move = LngLat(HERE.lng, HERE.lat + 159 / 111_195)
    too_fast = LngLat(HERE.lng, HERE.lat + 162 / 111_195)
    assert judge(at(NOW, ok_move), last, NOW) is Verdict.ACCEPTED
    assert judge(at(NOW, too_fast), last, NOW) is Verdict.OUTLIER


def test_jitter_within_the_accuracy_radii_is_never_an_outlier() -> None:
    # 1 Hz fixes: 50 m apart is impossible walking, but two 25 m radii touch, so it is jitter.
    last = at(NOW - 1000, accuracy=25.0)
    jitter = LngLat(HERE.lng, HERE.lat + 50 / 111_195)
    assert judge(at(NOW, jitter, accuracy=25.0), last, NOW) is Verdict.ACCEPTED
    assert judge(at(NOW, jitter, accuracy=5.0), last, NOW) is Verdict.OUTLIER


@given(
    lng=st.floats(-180, 180),
    lat=st.floats(-90, 90),
    ts=st.integers(NOW - 2 * 24 * 3600 * 1000, NOW + 120_000),
    accuracy=st.none() | st.floats(0, 1000),
)
def test_judge_never_accepts_a_fix_that_moves_backwards(
    lng: float, lat: float, ts: int, accuracy: float | None
) -> None:
    last = at(NOW - 1000)
    verdict = judge(LiveFix(LngLat(lng, lat), ts, accuracy), last, NOW)
    if verdict is Verdict.ACCEPTED:
        assert last.timestamp_ms < ts <= NOW + 30_000
