"""A location fix: its wire shape, its validation, and the rules that accept or drop it.

Structural problems (NaN, out-of-range coordinates, wrong types) are refused by the pydantic models at
the edge. Whether a well-formed fix is *used* depends on the clock and on the worker's last accepted
fix, so that is decided by :func:`judge`, a pure function the ingestion use case applies.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Annotated, NamedTuple, Protocol

from pydantic import BeforeValidator, Field, Strict

from app.usecases.inputs import Input
from geo.coordinates import LngLat, parse_position
from geo.errors import GeoError
from geo.trail import TrailPoint, speed_beyond_accuracy_mps

MAX_FUTURE_MS = 30_000
MAX_AGE_MS = 24 * 3600 * 1000
MAX_ACCURACY_M = 100.0
MAX_SPEED_MPS = 15.0
MAX_BATCH_POINTS = 500
# Ids are 24 hex characters; the bound only keeps garbage out of logs and room names.
MAX_ID_LENGTH = 64
# What a phone can report at all; beyond it a value is a client bug (VALIDATION_ERROR), while an accuracy
# within it but above MAX_ACCURACY_M is a real, poor fix (the `inaccurate` verdict).
MAX_REPORTED_ACCURACY_M = 10_000.0
MAX_REPORTED_SPEED_MPS = 100.0
MAX_HEADING_DEG = 360.0


def _position(value: object) -> LngLat:
    try:
        return parse_position(value, "coordinates")
    except GeoError as exc:
        # pydantic reports ValueErrors raised by validators as field errors (VALIDATION_ERROR).
        raise ValueError(exc.reason) from exc


def _as_list(position: LngLat) -> list[float]:
    return [position.lng, position.lat]


Position = Annotated[LngLat, BeforeValidator(_position)]
# Strict: `true` or "1714552200000" is a client bug, not a time.
EpochMs = Annotated[int, Strict(), Field(ge=0, le=10**15)]
Metres = Annotated[float, Field(ge=0, le=MAX_REPORTED_ACCURACY_M, allow_inf_nan=False)]
Id = Annotated[str, Strict(), Field(min_length=1, max_length=MAX_ID_LENGTH, pattern=r"^[A-Za-z0-9_-]+$")]


class FixInput(Input):
    """One fix as the worker app sends it (`location:update`, one point of `location:batch`)."""

    coordinates: Position
    timestamp: EpochMs
    accuracy: Metres | None = None
    speed: Annotated[float, Field(ge=0, le=MAX_REPORTED_SPEED_MPS, allow_inf_nan=False)] | None = None
    heading: Annotated[float, Field(ge=0, le=MAX_HEADING_DEG, allow_inf_nan=False)] | None = None
    booking_id: Id | None = None
    worker_id: Id | None = None

    def to_fix(self) -> LiveFix:
        return LiveFix(self.coordinates, self.timestamp, self.accuracy)


class BatchInput(Input):
    """`location:batch`: fixes buffered while offline, oldest first."""

    points: Annotated[list[FixInput], Field(min_length=1, max_length=MAX_BATCH_POINTS)]


class RestFixInput(Input):
    """`PUT /v1/workers/{id}/location`: the REST fallback for a ping; the time defaults to now."""

    coordinates: Position
    timestamp: EpochMs | None = None
    accuracy: Metres | None = None


class FixFields(Protocol):
    """What ingestion reads of a received fix: a FixInput, or a fix read without the model
    (realtime/fix_reader.py)."""

    @property
    def booking_id(self) -> str | None: ...

    @property
    def worker_id(self) -> str | None: ...

    def to_fix(self) -> LiveFix: ...


class LiveFix(NamedTuple):
    position: LngLat
    timestamp_ms: int
    accuracy_m: float | None

    def coordinates(self) -> list[float]:
        return _as_list(self.position)

    def trail_point(self) -> TrailPoint:
        return TrailPoint(self.position, self.timestamp_ms, self.accuracy_m)


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    # Not newer than the last accepted fix: the live position never moves backwards in time.
    OUT_OF_ORDER = "out_of_order"
    OUTLIER = "outlier"
    INACCURATE = "inaccurate"
    TOO_OLD = "too_old"
    IN_FUTURE = "in_future"


def judge(fix: LiveFix, last: LiveFix | None, now_ms: int) -> Verdict:
    if fix.timestamp_ms > now_ms + MAX_FUTURE_MS:
        return Verdict.IN_FUTURE
    if fix.timestamp_ms < now_ms - MAX_AGE_MS:
        return Verdict.TOO_OLD
    if fix.accuracy_m is not None and fix.accuracy_m > MAX_ACCURACY_M:
        return Verdict.INACCURATE
    if last is None:
        return Verdict.ACCEPTED
    if fix.timestamp_ms == last.timestamp_ms and fix.position == last.position:
        return Verdict.DUPLICATE
    if fix.timestamp_ms <= last.timestamp_ms:
        return Verdict.OUT_OF_ORDER
    # Only the move beyond both accuracy radii counts, so jitter at 1 Hz is never taken for a spike.
    if speed_beyond_accuracy_mps(last.trail_point(), fix.trail_point()) > MAX_SPEED_MPS:
        return Verdict.OUTLIER
    return Verdict.ACCEPTED


# Verdicts that make a single `location:update` a client error rather than an ignored fix: field, reason.
REFUSED = {
    Verdict.IN_FUTURE: ("timestamp", f"timestamp is more than {MAX_FUTURE_MS // 1000} s in the future"),
    Verdict.TOO_OLD: ("timestamp", "timestamp is more than 24 h old"),
    Verdict.INACCURATE: ("accuracy", f"accuracy above {MAX_ACCURACY_M:g} m is not accepted"),
}


class AcceptedFixes(NamedTuple):
    """What one ingestion call accepted for one worker, oldest first (what `on_accepted` hooks get)."""

    worker_id: str
    business_id: str | None
    fixes: Sequence[LiveFix]
    # Parallel to `fixes`: the booking each fix was sent for, for the walk trail.
    booking_ids: Sequence[str | None]
    available: bool


FixHook = Callable[[AcceptedFixes], Awaitable[None]]
