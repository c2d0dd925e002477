"""Use cases of the services a business offers: add, list, read, edit, withdraw."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, StrictBool

from app.auth.principal import Principal
from app.composition import Services
from app.domain.base import Timestamp
from app.domain.pets import Species, unique_species
from app.domain.services import MAX_DURATION_MIN, MAX_PETS, MIN_DURATION_MIN, Pricing, Service, ServiceType
from app.errors import NotFound, ValidationFailed
from app.ids import new_id
from app.usecases.businesses import may_manage, owned_business
from app.usecases.inputs import Input, Name, Output, Text

Duration = Annotated[int, Field(strict=True, ge=MIN_DURATION_MIN, le=MAX_DURATION_MIN, description="minutes")]
MaxPets = Annotated[int, Field(strict=True, ge=1, le=MAX_PETS)]
PetTypes = Annotated[list[Species], Field(min_length=1, max_length=len(Species)), AfterValidator(unique_species)]


class ServiceCreate(Input):
    name: Name
    description: Text | None = None
    service_type: ServiceType
    pricing: Pricing
    duration: Duration
    pet_types: PetTypes
    max_pets: MaxPets = 1


class ServiceUpdate(Input):
    name: Name | None = None
    description: Text | None = None
    service_type: ServiceType | None = None
    pricing: Pricing | None = None
    duration: Duration | None = None
    pet_types: PetTypes | None = None
    max_pets: MaxPets | None = None
    is_active: StrictBool | None = None


class ServiceView(Output):
    id: str
    business_id: str
    name: str
    description: str | None
    service_type: ServiceType
    pricing: Pricing
    duration: int
    pet_types: list[Species]
    max_pets: int
    is_active: bool
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, service: Service) -> ServiceView:
        return cls.model_validate(service.model_dump(include=set(cls.model_fields)))


async def _get(services: Services, service_id: str) -> Service:
    service = await services.store.services.get(service_id)
    if service is None:
        raise NotFound("no such service")
    return service


async def create_service(
    services: Services, principal: Principal, business_id: str, data: ServiceCreate
) -> ServiceView:
    business = await owned_business(services, principal, business_id)
    now = services.clock.now()
    service = Service(
        id=new_id(),
        business_id=business.id,
        name=data.name,
        description=data.description,
        service_type=data.service_type,
        pricing=data.pricing,
        duration=data.duration,
        pet_types=data.pet_types,
        max_pets=data.max_pets,
        created_at=now,
        updated_at=now,
    )
    await services.store.services.add(service)
    return ServiceView.of(service)


async def list_services(services: Services, principal: Principal, business_id: str) -> list[ServiceView]:
    """Active services; the business itself (and admins) also see the withdrawn ones."""
    business = await services.store.businesses.get(business_id)
    if business is None or not business.is_active or not (business.is_listed or may_manage(principal, business)):
        raise NotFound("no such business")
    found = await services.store.services.list_for_business(
        business.id, active_only=not may_manage(principal, business)
    )
    return [ServiceView.of(service) for service in found]


async def get_service(services: Services, principal: Principal, service_id: str) -> ServiceView:
    """Withdrawn services stay readable (isActive false): bookings refer to them."""
    return ServiceView.of(await _get(services, service_id))


async def update_service(
    services: Services, principal: Principal, service_id: str, change: ServiceUpdate
) -> ServiceView:
    service = await _get(services, service_id)
    await owned_business(services, principal, service.business_id)
    fields: dict[str, Any] = change.model_dump(exclude_unset=True, by_alias=True, mode="json")
    required = ("name", "serviceType", "pricing", "duration", "petTypes", "maxPets", "isActive")
    if any(fields.get(key) is None for key in required if key in fields):
        raise ValidationFailed(f"only description can be removed; {', '.join(required)} are required")
    updated = await services.store.services.update_fields(service.id, fields, services.clock.now())
    if updated is None:
        raise NotFound("no such service")
    return ServiceView.of(updated)


async def delete_service(services: Services, principal: Principal, service_id: str) -> None:
    """Withdraw the service (isActive false); existing bookings keep it."""
    service = await _get(services, service_id)
    await owned_business(services, principal, service.business_id)
    await services.store.services.update_fields(service.id, {"isActive": False}, services.clock.now())
