"""A location fix and the rules that accept or drop it.

Structural problems (NaN, out-of-range coordinates, wrong types) are refused at the edge by the input
models (app/usecases/live/fix_inputs.py). Whether a well-formed fix is *used* depends on the clock and on
the worker's last accepted fix, so that is decided by :func:`judge`, a pure function the ingestion use
case applies.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import NamedTuple

from geo.coordinates import LngLat
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


def _as_list(position: LngLat) -> list[float]:
    return [position.lng, position.lat]


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
