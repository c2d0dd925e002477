"""Bookings: the lifecycle state machine, who may drive each transition, and the booking document."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field

from app.domain.base import Entity, Timestamp, Value
from app.domain.money import MinorAmount
from app.domain.services import ServiceType
from app.domain.users import Role


class BookingStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


ACTIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.IN_PROGRESS)


class Action(StrEnum):
    CONFIRM = "confirm"
    START = "start"
    COMPLETE = "complete"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Transition:
    sources: tuple[BookingStatus, ...]
    target: BookingStatus
    roles: tuple[Role, ...]


# Admins may drive every transition; the dispatcher confirms on a worker's accept (role worker).
TRANSITIONS: dict[Action, Transition] = {
    Action.CONFIRM: Transition((BookingStatus.PENDING,), BookingStatus.CONFIRMED, (Role.BUSINESS, Role.WORKER)),
    Action.START: Transition((BookingStatus.CONFIRMED,), BookingStatus.IN_PROGRESS, (Role.WORKER,)),
    Action.COMPLETE: Transition((BookingStatus.IN_PROGRESS,), BookingStatus.COMPLETED, (Role.WORKER,)),
    Action.CANCEL: Transition(
        (BookingStatus.PENDING, BookingStatus.CONFIRMED), BookingStatus.CANCELLED, (Role.OWNER, Role.BUSINESS)
    ),
}


class DispatchState(StrEnum):
    SEARCHING = "searching"
    OFFERED = "offered"
    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"


class LocationType(StrEnum):
    OWNER_HOME = "owner_home"
    BUSINESS_LOCATION = "business_location"
    CUSTOM = "custom"


class PostalAddress(Value):
    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip_code: str | None = None
    country: str | None = None


class BookingLocation(Value):
    type: LocationType | None = None
    # A free-text line or the seed's structured address.
    address: str | PostalAddress | None = None
    # [lng, lat]
    coordinates: tuple[float, float]


class CompletionDetails(Value):
    start_time: Timestamp
    end_time: Timestamp
    worker_notes: str | None = None
    # The ids of the walker's photos (POST /v1/bookings/{id}/photos), oldest first: app/usecases/walks/photos.py.
    photos: list[str] = Field(default_factory=list)


class BookingPricing(Value):
    base_price: MinorAmount
    # What the further pets add (total - base).
    additional: MinorAmount
    platform_fee: MinorAmount
    total_amount: MinorAmount
    currency: str


class Offer(Value):
    offer_id: str
    worker_id: str
    business_id: str
    distance_m: float
    expires_at: Timestamp


class Dispatch(Value):
    state: DispatchState
    offers_tried: list[str] = Field(default_factory=list)
    current: Offer | None = None


class HistoryEntry(Value):
    status: BookingStatus
    at: Timestamp
    by: str | None
    role: str


class Cancellation(Value):
    reason: str
    by: str
    role: str
    at: Timestamp
    refund_amount: MinorAmount


class Walk(Value):
    distance_m: float
    duration_s: int
    route: dict[str, Any]
    started_at: Timestamp | None
    ended_at: Timestamp | None


class Booking(Entity):
    booking_number: str
    owner_id: str
    # Index of who watches (listing, notifications): the owner and the pets' owners and co-owners, kept
    # current on co-owner changes. Access itself is decided from the pets when asked (usecases/watchers.py).
    watcher_ids: list[str]
    pet_ids: list[str]
    service_type: ServiceType
    service_id: str | None = None
    business_id: str | None = None
    worker_id: str | None = None
    status: BookingStatus
    asap: bool
    scheduled_at: Timestamp
    # Minutes.
    duration: int
    ends_at: Timestamp
    location: BookingLocation
    notes: str | None = None
    special_instructions: str | None = None
    pricing: BookingPricing | None = None
    dispatch: Dispatch | None = None
    history: list[HistoryEntry] = Field(default_factory=list)
    cancellation: Cancellation | None = None
    walk: Walk | None = None
    completion_details: CompletionDetails | None = None
    # Set when the worker says they are on the way (at assignment for an asap booking); the status stays
    # `confirmed`, so the contract's statuses keep their meaning.
    on_my_way_at: Timestamp | None = None
    started_at: Timestamp | None = None
    completed_at: Timestamp | None = None
    created_at: Timestamp
    updated_at: Timestamp

    def involves(self, user_id: str, *, business_id: str | None, worker_id: str | None) -> bool:
        """Party by the booking alone; the pets' co-owners are found from the pets (usecases/watchers.py)."""
        return (
            user_id == self.owner_id
            or (business_id is not None and business_id == self.business_id)
            or (worker_id is not None and worker_id == self.worker_id)
        )


# Crockford-style alphabet: no 0/O or 1/I/L to misread over the phone.
_NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_booking_number() -> str:
    return "WK-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))


def overlaps(start_a: datetime, end_a: datetime, start_b: datetime, end_b: datetime) -> bool:
    return start_a < end_b and start_b < end_a


def end_of(start: datetime, duration_min: int) -> datetime:
    return start + timedelta(minutes=duration_min)
