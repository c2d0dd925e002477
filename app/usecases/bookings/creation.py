"""Booking a walk (or any service): pets checked, pickup placed, time within the business's hours, priced in
minor units, numbered, stored as pending; then announced (`BookingCreated`), which starts dispatch for asap walks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from app.auth.principal import Principal
from app.booking_events import BookingCreated
from app.domain import money
from app.domain.bookings import (
    Booking,
    BookingPricing,
    BookingStatus,
    Dispatch,
    DispatchState,
    HistoryEntry,
    end_of,
    new_booking_number,
)
from app.domain.businesses import Business
from app.domain.pets import Pet
from app.domain.services import MAX_DURATION_MIN, MIN_DURATION_MIN, Service, ServiceType
from app.domain.users import Role
from app.errors import Conflict, NotFound, ValidationFailed
from app.ids import new_id
from app.store.bookings import BookingNumberTaken
from app.usecases.bookings.lifecycle import BookingPorts
from app.usecases.bookings.rules import LocationInput, check_hours, check_pickup, check_start, pickup_location
from app.usecases.charges import require_chargeable
from app.usecases.inputs import Input, Text

MAX_PETS_PER_BOOKING = 10
Duration = Annotated[int, Field(strict=True, ge=MIN_DURATION_MIN, le=MAX_DURATION_MIN)]
ASAP_DURATION_MIN = 60


class BookingCreate(Input):
    service_id: str | None = Field(default=None, min_length=1, max_length=64)
    service_type: ServiceType | None = None
    pets: list[str] = Field(min_length=1, max_length=MAX_PETS_PER_BOOKING)
    scheduled_at: datetime | None = None
    asap: bool = False
    # Omitted: the owner's account address.
    location: LocationInput | None = None
    duration: Duration | None = Field(default=None, description="minutes; defaults to the service's")
    notes: Text | None = Field(default=None, max_length=2000)
    special_instructions: Text | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.service_id is None and self.service_type is None:
            raise ValueError("give serviceId, or serviceType with asap")
        if self.service_id is None and not self.asap:
            raise ValueError("serviceType bookings are dispatched now: set asap to true")
        if self.asap == (self.scheduled_at is not None):
            raise ValueError("give exactly one of scheduledAt and asap")
        if self.scheduled_at is not None and self.scheduled_at.tzinfo is None:
            raise ValueError("scheduledAt must carry a time zone (e.g. Z)")
        if len(set(self.pets)) != len(self.pets):
            raise ValueError("pets must not repeat")
        return self


async def _pets(ports: BookingPorts, principal: Principal, pet_ids: list[str]) -> list[Pet]:
    pets = []
    for index, pet_id in enumerate(pet_ids):
        pet = await ports.store.pets.get(pet_id)
        if pet is None or pet.deleted_at is not None or not pet.visible_to(principal.user_id):
            raise ValidationFailed(
                f"pet {pet_id} is not one of your pets",
                [{"field": f"body.pets.{index}", "message": "not one of your pets", "type": "pet"}],
            )
        pets.append(pet)
    return pets


def _check_service_fits(service: Service, pets: list[Pet]) -> None:
    if len(pets) > service.max_pets:
        raise ValidationFailed(f"this service takes at most {service.max_pets} pets")
    unfit = [p.name for p in pets if p.species not in service.pet_types]
    if unfit:
        raise ValidationFailed(f"this service does not take {', '.join(unfit)} ({'/'.join(service.pet_types)} only)")


def _pricing(service: Service, business: Business, pet_count: int) -> BookingPricing:
    base = service.pricing.base_price
    total = money.price(base, service.pricing.additional_pet_price, pet_count)
    # Services priced before the minimum was enforced may still be below it: refused before the owner pays.
    require_chargeable("body.serviceId", "the service's totalAmount", total, service.pricing.currency)
    return BookingPricing(
        base_price=base,
        additional=total - base,
        platform_fee=money.platform_fee(total, premium=business.premium),
        total_amount=total,
        currency=service.pricing.currency,
    )


async def _active_service(ports: BookingPorts, service_id: str) -> tuple[Service, Business]:
    service = await ports.store.services.get(service_id)
    business = await ports.store.businesses.get(service.business_id) if service else None
    if service is None or not service.is_active or business is None or not business.is_active:
        raise NotFound("no such service")
    return service, business


async def create_booking(ports: BookingPorts, principal: Principal, data: BookingCreate) -> Booking:
    principal.require_role(Role.OWNER)
    now = ports.clock.now()
    pets = await _pets(ports, principal, data.pets)
    location = await pickup_location(ports.store, principal, data.location)
    service: Service | None = None
    business: Business | None = None
    if data.service_id is not None:
        service, business = await _active_service(ports, data.service_id)
        _check_service_fits(service, pets)
        check_pickup(business, location)
    starts = data.scheduled_at or now
    duration = data.duration or (service.duration if service else ASAP_DURATION_MIN)
    if data.scheduled_at is not None:
        check_start(now, starts)
        if business is not None:
            check_hours(business, None, starts, end_of(starts, duration))
    watchers = [principal.user_id, *(uid for pet in pets for uid in (pet.owner_id, *pet.co_owner_ids))]
    booking_fields: dict[str, Any] = {
        "owner_id": principal.user_id,
        "watcher_ids": list(dict.fromkeys(watchers)),
        "pet_ids": data.pets,
        "service_type": service.service_type if service else data.service_type,
        "service_id": service.id if service else None,
        "business_id": business.id if business else None,
        "status": BookingStatus.PENDING,
        "asap": data.asap,
        "scheduled_at": starts,
        "duration": duration,
        "ends_at": end_of(starts, duration),
        "location": location,
        "notes": data.notes,
        "special_instructions": data.special_instructions,
        "pricing": _pricing(service, business, len(pets)) if service and business else None,
        "dispatch": Dispatch(state=DispatchState.SEARCHING) if data.asap else None,
        "history": [HistoryEntry(status=BookingStatus.PENDING, at=now, by=principal.user_id, role=principal.role)],
        "created_at": now,
        "updated_at": now,
    }
    for _ in range(5):
        booking = Booking(id=new_id(), booking_number=new_booking_number(), **booking_fields)
        try:
            await ports.store.bookings.add(booking)
            break
        except BookingNumberTaken:
            continue
    else:
        raise Conflict("could not allocate a booking number; try again")
    await ports.booking_events.publish(BookingCreated(booking))
    return booking
