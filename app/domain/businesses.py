"""Businesses: who offers care, where (address and service area), when (operating hours), how well (rating).

Also the small value types the other marketplace entities share: weekdays, times of day, ratings.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from app.domain.base import Entity, Timestamp
from app.media.media import MediaRef


class Value(BaseModel):
    """A value nested in an entity: camelCase on the wire and in documents, like Entity."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


# Zero-padded 24-hour "HH:MM": compares correctly as text, so open < close is a string comparison.
TimeOfDay = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class TimeRange(Value):
    start: TimeOfDay
    end: TimeOfDay

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start >= self.end:
            raise ValueError(f"start {self.start} must be before end {self.end}")
        return self


class DayHours(Value):
    open: TimeOfDay
    close: TimeOfDay

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.open >= self.close:
            raise ValueError(f"open {self.open} must be before close {self.close}")
        return self


OperatingHours = dict[Weekday, DayHours]


class Rating(Value):
    """Aggregate of reviews; `average` is 0 while `count` is 0."""

    average: float = 0.0
    count: int = 0


class Address(Value):
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    # GeoJSON order [lng, lat], validated with geo.coordinates on the way in.
    coordinates: tuple[float, float]


def point(lng: float, lat: float) -> dict[str, Any]:
    """GeoJSON Point, the shape MongoDB's 2dsphere index and $geoNear need."""
    return {"type": "Point", "coordinates": [lng, lat]}


class Business(Entity):
    owner_id: str
    name: str
    description: str | None = None
    address: Address
    # The address as a GeoJSON Point: what $geoNear and the SQLite R*Tree index; always equals
    # address.coordinates (set together by the use cases).
    location: dict[str, Any]
    # Validated GeoJSON Polygon/MultiPolygon (geo.areas.parse_area(...).to_geojson()).
    service_area: dict[str, Any]
    operating_hours: OperatingHours = Field(default_factory=dict)
    premium: bool = False
    logo: MediaRef | None = None
    rating: Rating = Field(default_factory=Rating)
    is_active: bool = True
    created_at: Timestamp
    updated_at: Timestamp
    deleted_at: Timestamp | None = None
