"""Reading a fix without a pydantic model: the `location:update` and `location:batch` hot path.

A fix as apps send it (a JSON object of numbers, ids matching the id pattern, camelCase names) is read
here by plain type and range tests into a :class:`ReadFix`, about a third of the CPU of
`FixPayload.model_validate` (which calls a Python validator for the position and builds a model).
Anything else (a field missing or unknown, a wrong type, a value out of range, a number sent as a
string) is not judged here: the caller falls back to the pydantic model, which accepts it or names the
problem. So the two readers together accept and refuse exactly what the model does, with the same
values; tests/app/sockets/test_fix_reader.py checks that with Hypothesis.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from app.domain.fixes import (
    MAX_BATCH_POINTS,
    MAX_HEADING_DEG,
    MAX_ID_LENGTH,
    MAX_REPORTED_ACCURACY_M,
    MAX_REPORTED_SPEED_MPS,
    LiveFix,
)
from geo.coordinates import LngLat, parse_position
from geo.errors import GeoError

_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_ID_LENGTH}}}")
_MAX_EPOCH_MS = 10**15
# Wire name -> the model's field name (the model's camelCase aliases).
_FIELDS = {
    "coordinates": "coordinates",
    "timestamp": "timestamp",
    "accuracy": "accuracy",
    "speed": "speed",
    "heading": "heading",
    "bookingId": "booking_id",
    "workerId": "worker_id",
}
_BOUNDS = {"accuracy": MAX_REPORTED_ACCURACY_M, "speed": MAX_REPORTED_SPEED_MPS, "heading": MAX_HEADING_DEG}


class ReadFix(NamedTuple):
    """The fields of a valid FixPayload, as the ingestion use case reads them."""

    coordinates: LngLat
    timestamp: int
    accuracy: float | None = None
    speed: float | None = None
    heading: float | None = None
    booking_id: str | None = None
    worker_id: str | None = None

    def to_fix(self) -> LiveFix:
        return LiveFix(self.coordinates, self.timestamp, self.accuracy)


def _metres(value: object, bound: float) -> float | None:
    """A bounded, finite, non-negative JSON number as a float; None when it is not one."""
    # Exact types: bool (an int) and numbers sent as strings are left to the model.
    if type(value) is not int and type(value) is not float:
        return None
    # NaN fails both comparisons; the range is tested before float() so no huge integer overflows it.
    if not 0 <= value <= bound:
        return None
    return float(value)


def read_fix(data: object) -> ReadFix | None:
    """`data` as a fix when it is one in the shape apps send, else None (ask the model)."""
    if type(data) is not dict or "coordinates" not in data or "timestamp" not in data:
        return None
    timestamp = data["timestamp"]
    if type(timestamp) is not int or not 0 <= timestamp <= _MAX_EPOCH_MS:
        return None
    position = data["coordinates"]
    if type(position) is not list:
        return None
    try:
        coordinates = parse_position(position)
    except GeoError:
        return None
    fields: dict[str, object] = {}
    for name, value in data.items():
        field = _FIELDS.get(name)
        if field is None:
            return None
        if value is None or field in ("coordinates", "timestamp"):
            continue
        if field in _BOUNDS:
            number = _metres(value, _BOUNDS[field])
            if number is None:
                return None
            fields[field] = number
        elif type(value) is str and _ID.fullmatch(value):
            fields[field] = value
        else:
            return None
    return ReadFix(coordinates, timestamp, **fields)  # type: ignore[arg-type]


def read_batch(data: object) -> list[ReadFix] | None:
    """A `location:batch` payload's points when every one reads as a fix, else None (ask the model)."""
    if type(data) is not dict or len(data) != 1:
        return None
    points = data.get("points")
    if type(points) is not list or not 1 <= len(points) <= MAX_BATCH_POINTS:
        return None
    fixes = []
    for point in points:
        fix = read_fix(point)
        if fix is None:
            return None
        fixes.append(fix)
    return fixes
