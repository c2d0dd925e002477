"""The plain fix reader (app/sockets/fix_reader.py) against the pydantic models it stands in for: whatever it
reads, the model accepts with the same values; whatever the model accepts in the shape apps send, it
reads; and with the model as its fallback, exactly the model's inputs are accepted."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.sockets.fix_reader import read_batch, read_fix
from app.sockets.payloads import BatchPayload, FixPayload

FIELDS = ("coordinates", "timestamp", "accuracy", "speed", "heading", "booking_id", "worker_id")

# Values near every bound, and of every JSON type.
numbers = st.one_of(
    st.integers(min_value=-(10**16), max_value=10**16),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 0.0, -0.0, 90, 90.0000001, 100, 100.5, 180, 180.0000001, 360, 360.5, 10_000, 10_000.01]),
    st.sampled_from([10**15, 10**15 + 1, -1, 2**63, 10**19]),
)
ids = st.one_of(
    st.from_regex(r"[A-Za-z0-9_-]{1,70}", fullmatch=True),
    st.sampled_from(["", " ab", "ab ", "a\n", "a/b", "é", "x" * 64, "x" * 65]),
)
anything = st.recursive(
    st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=8)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
positions = st.one_of(
    st.lists(numbers, min_size=2, max_size=2),
    st.lists(st.floats(min_value=-180, max_value=180), min_size=2, max_size=3),
    st.lists(anything, max_size=4),
    anything,
)
# Each field present or not; its value plausible or anything.
wire_values = {
    "coordinates": positions,
    "timestamp": st.one_of(st.integers(min_value=-5, max_value=10**15 + 5), numbers, anything),
    "accuracy": st.one_of(numbers, st.none(), anything),
    "speed": st.one_of(numbers, st.none(), anything),
    "heading": st.one_of(numbers, st.none(), anything),
    "bookingId": st.one_of(ids, st.none(), anything),
    "workerId": st.one_of(ids, st.none(), anything),
    # Not the wire's names: the model takes them (populate_by_name), the reader leaves them to it.
    "booking_id": ids,
    "extra": anything,
}


def around(bound: float) -> st.SearchStrategy[float | int]:
    """Mostly within [0, bound], sometimes any number."""
    return st.one_of(st.floats(min_value=0, max_value=bound), st.integers(min_value=0, max_value=int(bound)), numbers)


# What apps send: JSON numbers and ids of the id alphabet, under the wire's names only.
app_values = {
    "coordinates": st.one_of(
        st.tuples(st.floats(min_value=-180, max_value=180), st.floats(min_value=-90, max_value=90)).map(list),
        st.lists(numbers, min_size=2, max_size=3),
    ),
    "timestamp": st.integers(min_value=-5, max_value=10**15 + 5),
    "accuracy": st.one_of(around(10_000), st.none()),
    "speed": st.one_of(around(100), st.none()),
    "heading": st.one_of(around(360), st.none()),
    "bookingId": st.one_of(ids.filter(lambda text: text == text.strip()), st.none()),
    "workerId": st.one_of(ids.filter(lambda text: text == text.strip()), st.none()),
}
app_payloads = st.fixed_dictionaries(
    {"coordinates": app_values["coordinates"], "timestamp": app_values["timestamp"]},
    optional={name: value for name, value in app_values.items() if name not in ("coordinates", "timestamp")},
)
fix_payloads = st.one_of(
    st.fixed_dictionaries({}, optional=wire_values),
    # Valid fixes with one field made anything.
    st.builds(
        lambda fix, name, value: {**fix, name: value},
        app_payloads,
        st.sampled_from(sorted(wire_values)),
        anything,
    ),
)


def model_fix(data: Any) -> FixPayload | None:
    try:
        return FixPayload.model_validate(data)
    except ValidationError:
        return None


def same(read: Any, model: FixPayload) -> bool:
    for field in FIELDS:
        ours, theirs = getattr(read, field), getattr(model, field)
        if ours != theirs or type(ours) is not type(theirs):
            return False
    return bool(read.to_fix() == model.to_fix())


@settings(max_examples=1500, deadline=None)
@given(fix_payloads)
def test_what_the_reader_reads_the_model_accepts_with_the_same_values(data: dict[str, Any]) -> None:
    read, model = read_fix(data), model_fix(data)
    if read is not None:
        assert model is not None, data
        assert same(read, model), (read, model)


@settings(max_examples=1500, deadline=None)
@given(app_payloads)
def test_in_the_shape_apps_send_the_reader_reads_exactly_what_the_model_accepts(data: dict[str, Any]) -> None:
    read, model = read_fix(data), model_fix(data)
    assert (read is None) == (model is None), (data, read, model)
    if read is not None and model is not None:
        assert same(read, model)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(app_payloads, max_size=4), st.lists(fix_payloads, max_size=3), anything))
def test_batches_read_as_the_model_reads_them(points: Any) -> None:
    data = {"points": points}
    read = read_batch(data)
    try:
        model: BatchPayload | None = BatchPayload.model_validate(data)
    except ValidationError:
        model = None
    if read is not None:
        assert model is not None and len(read) == len(model.points)
        assert all(same(ours, theirs) for ours, theirs in zip(read, model.points, strict=True))
    elif isinstance(points, list) and len(points) >= 1 and all(read_fix(point) for point in points):
        raise AssertionError("every point reads, yet the batch did not")


def test_examples() -> None:
    fix = {"coordinates": [-0.1276, 51.5072], "timestamp": 1_714_552_200_000, "accuracy": 5}
    read = read_fix(fix)
    assert read is not None and read.accuracy == 5.0 and type(read.accuracy) is float
    assert read_fix({**fix, "accuracy": math.nan}) is None and model_fix({**fix, "accuracy": math.nan}) is None
    assert read_fix({**fix, "accuracy": True}) is None  # left to the model, whatever it makes of it
    assert read_fix({**fix, "bookingId": "b" * 65}) is None and model_fix({**fix, "bookingId": "b" * 65}) is None
    assert read_fix({**fix, "unknown": 1}) is None and model_fix({**fix, "unknown": 1}) is None
    assert read_batch({"points": [fix] * 501}) is None and read_batch({"points": [fix] * 500}) is not None
