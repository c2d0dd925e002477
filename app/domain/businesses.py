"""Businesses: who offers care, where (address and service area), when (operating hours), how well (rating)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import Field

from app.domain.base import Entity, Timestamp, Value
from app.domain.hours import DEFAULT_ZONE, OpeningHours
from app.domain.media import MediaRef


class BusinessType(StrEnum):
    INDIVIDUAL = "individual"
    COMPANY = "company"


class BusinessStatus(StrEnum):
    ACTIVE = "active"
    PENDING = "pending"
    # Set by a platform admin: the business leaves search, browse and dispatch.
    SUSPENDED = "suspended"


MAX_OPENING_WINDOWS = 28
MAX_CERTIFICATIONS = 20


class Rating(Value):
    """Aggregate of reviews; `average` is 0 while `count` is 0."""

    average: float = 0.0
    count: int = 0


class Address(Value):
    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip_code: str | None = None
    country: str | None = None
    # GeoJSON order [lng, lat], validated with geo.coordinates on the way in.
    coordinates: tuple[float, float]


def point(lng: float, lat: float) -> dict[str, Any]:
    """GeoJSON Point, the shape MongoDB's 2dsphere index and $geoNear need."""
    return {"type": "Point", "coordinates": [lng, lat]}


class ContactInfo(Value):
    email: str | None = None
    phone: str | None = None
    website: str | None = None


class InsuranceInfo(Value):
    provider: str
    policy_number: str
    expiry_date: date


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
    operating_hours: list[OpeningHours] = Field(default_factory=list)
    # IANA zone the operating hours and the workers' availability are written in.
    timezone: str = DEFAULT_ZONE
    business_type: BusinessType | None = None
    contact_info: ContactInfo | None = None
    # Set by the logo and cover routes only.
    logo: MediaRef | None = None
    cover_photo: MediaRef | None = None
    # Ids of documents uploaded with POST /v1/businesses/{id}/certifications (media of kind certification).
    certifications: list[str] = Field(default_factory=list)
    insurance_info: InsuranceInfo | None = None
    is_verified: bool = False
    status: BusinessStatus = BusinessStatus.ACTIVE
    premium: bool = False
    rating: Rating = Field(default_factory=Rating)
    is_active: bool = True
    created_at: Timestamp
    updated_at: Timestamp
    deleted_at: Timestamp | None = None

    @property
    def is_listed(self) -> bool:
        """Shown to the public (search, browse, dispatch): not deleted and not suspended."""
        return self.is_active and self.status is not BusinessStatus.SUSPENDED
