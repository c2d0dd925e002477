"""What a location fix may look like on the wire: `location:update`, `location:batch` and the REST ping.

Structural problems (NaN, out-of-range coordinates, wrong types) are refused here, at the edge; the rules
that accept or drop a well-formed fix are the domain's (app/domain/fixes.py).
"""

from __future__ import annotations

from typing import Annotated, Protocol

from pydantic import BeforeValidator, Field, Strict

from app.domain.fixes import (
    MAX_BATCH_POINTS,
    MAX_HEADING_DEG,
    MAX_ID_LENGTH,
    MAX_REPORTED_ACCURACY_M,
    MAX_REPORTED_SPEED_MPS,
    LiveFix,
)
from app.usecases.inputs import Input
from geo.coordinates import LngLat, parse_position
from geo.errors import GeoError


def _position(value: object) -> LngLat:
    try:
        return parse_position(value, "coordinates")
    except GeoError as exc:
        # pydantic reports ValueErrors raised by validators as field errors (VALIDATION_ERROR).
        raise ValueError(exc.reason) from exc


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
    (app/sockets/fix_reader.py)."""

    @property
    def booking_id(self) -> str | None: ...

    @property
    def worker_id(self) -> str | None: ...

    def to_fix(self) -> LiveFix: ...
