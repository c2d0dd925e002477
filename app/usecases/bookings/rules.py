"""Checks a booking's time and place pass on creation and on every edit; the location input they read."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import Field

from app.auth.principal import Principal
from app.domain.bookable import outside_availability, outside_hours
from app.domain.bookings import BookingLocation, LocationType, PostalAddress
from app.domain.businesses import Business
from app.domain.workers import Worker
from app.errors import ValidationFailed
from app.store.store import Store
from app.usecases.inputs import Coordinates, Input, Name, Text
from geo.areas import ServiceArea
from geo.coordinates import LngLat

MAX_ADVANCE = timedelta(days=365)


class PostalAddressInput(Input):
    street: Annotated[Text, Field(min_length=1, max_length=200)] | None = None
    city: Name | None = None
    state: Name | None = None
    zip_code: Annotated[Text, Field(min_length=1, max_length=20)] | None = None
    country: Name | None = None


class LocationInput(Input):
    type: LocationType | None = None
    address: Annotated[Text, Field(max_length=300)] | PostalAddressInput | None = None
    coordinates: Coordinates

    def to_location(self) -> BookingLocation:
        return BookingLocation.model_validate(self.model_dump())


def _refused(field: str, reason: str, kind: str) -> ValidationFailed:
    return ValidationFailed(reason, [{"field": field, "message": reason, "type": kind}])


def check_pickup(business: Business, location: BookingLocation, field: str = "body.location.coordinates") -> None:
    if not ServiceArea.from_trusted(business.service_area).contains(LngLat(*location.coordinates)):
        raise _refused(field, "the pickup location is outside this business's service area", "geo")


def check_start(now: datetime, start: datetime, field: str = "body.scheduledAt") -> None:
    if start <= now:
        raise _refused(field, "scheduledAt must be in the future", "time")
    if start > now + MAX_ADVANCE:
        raise _refused(field, "bookings open at most a year ahead", "time")


def check_hours(
    business: Business, worker: Worker | None, start: datetime, end: datetime, field: str = "body.scheduledAt"
) -> None:
    """Refuse a time outside the business's operating hours or, when one is chosen, the worker's availability."""
    reason = outside_hours(business, start, end) or (
        outside_availability(worker, business, start, end) if worker is not None else None
    )
    if reason is not None:
        raise _refused(field, reason, "hours")


async def pickup_location(store: Store, principal: Principal, given: LocationInput | None) -> BookingLocation:
    """The location given, or else the owner's account address (their home)."""
    if given is not None:
        return given.to_location()
    user = await store.users.get(principal.user_id)
    if user is None or user.address is None:
        raise _refused("body.location", "give a location, or set an address on your account first", "missing")
    address = PostalAddress.model_validate(user.address.model_dump(exclude={"coordinates"}))
    return BookingLocation(type=LocationType.OWNER_HOME, address=address, coordinates=user.address.coordinates)
