"""Use cases of the services a business offers: add, list, read, edit, withdraw."""

from __future__ import annotations

from typing import Annotated, Any, Protocol

from pydantic import AfterValidator, BeforeValidator, Field, StrictBool

from app.auth.principal import Principal
from app.domain.base import Timestamp
from app.domain.money import normalize_currency
from app.domain.pets import Species, unique_species
from app.domain.services import (
    LEGACY_PRICE_TYPES,
    MAX_DURATION_MIN,
    MAX_PETS,
    MIN_DURATION_MIN,
    MinorUnits,
    PriceType,
    Pricing,
    Service,
    ServiceType,
)
from app.errors import NotFound, ValidationFailed
from app.ids import new_id
from app.usecases.businesses import BusinessPorts, may_manage, owned_business
from app.usecases.charges import require_chargeable, require_free_or_chargeable
from app.usecases.inputs import Input, Name, Output, Text


class ServicePorts(BusinessPorts, Protocol):
    """A business's services are edited with the business's own ports (store, clock)."""


Duration = Annotated[int, Field(strict=True, ge=MIN_DURATION_MIN, le=MAX_DURATION_MIN, description="minutes")]
MaxPets = Annotated[int, Field(strict=True, ge=1, le=MAX_PETS)]
PetTypes = Annotated[list[Species], Field(min_length=1, max_length=len(Species)), AfterValidator(unique_species)]
Requirement = Annotated[Text, Field(min_length=1, max_length=200)]
MAX_REQUIREMENTS = 20


def _upper_currency(code: str) -> str:
    return normalize_currency(code).upper()


def _current_price_type(value: object) -> object:
    return LEGACY_PRICE_TYPES.get(value, value) if isinstance(value, str) else value


class PricingInput(Input):
    base_price: MinorUnits = Field(
        description="What one pet costs, in the currency's minor units; at least Stripe's minimum charge for the "
        "currency (50 for USD and EUR = 0.50, 50 for JPY = 50 yen)"
    )
    currency: Annotated[str, Field(min_length=3, max_length=3), AfterValidator(_upper_currency)] = Field(
        description="ISO 4217 code in any letter case (usd, USD); answered in upper case"
    )
    price_type: Annotated[PriceType, BeforeValidator(_current_price_type)]
    additional_pet_price: MinorUnits = Field(
        default=0,
        description="What each further pet adds, in the currency's minor units: 0 (free) or at least the "
        "currency's minimum charge",
    )

    def require_chargeable(self, field: str) -> None:
        """A price a walk can be charged at (`field`: the request's path to this pricing)."""
        require_chargeable(f"{field}.basePrice", "basePrice", self.base_price, self.currency)
        require_free_or_chargeable(
            f"{field}.additionalPetPrice", "additionalPetPrice", self.additional_pet_price, self.currency
        )


class ServiceCreate(Input):
    name: Name
    description: Text | None = None
    requirements: Annotated[list[Requirement], Field(max_length=MAX_REQUIREMENTS)] = Field(default_factory=list)
    cancellation_policy: Annotated[Text, Field(max_length=2000)] | None = None
    service_type: ServiceType
    pricing: PricingInput
    duration: Duration
    pet_types: PetTypes
    max_pets: MaxPets = 1


class ServiceUpdate(Input):
    name: Name | None = None
    description: Text | None = None
    requirements: Annotated[list[Requirement], Field(max_length=MAX_REQUIREMENTS)] | None = None
    cancellation_policy: Annotated[Text, Field(max_length=2000)] | None = None
    service_type: ServiceType | None = None
    pricing: PricingInput | None = None
    duration: Duration | None = None
    pet_types: PetTypes | None = None
    max_pets: MaxPets | None = None
    is_active: StrictBool | None = None


class ServiceView(Output):
    id: str
    business_id: str
    name: str
    description: str | None
    requirements: list[str]
    cancellation_policy: str | None
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


async def _get(ports: ServicePorts, service_id: str) -> Service:
    service = await ports.store.services.get(service_id)
    if service is None:
        raise NotFound("no such service")
    return service


async def create_service(
    ports: ServicePorts, principal: Principal, business_id: str, data: ServiceCreate
) -> ServiceView:
    business = await owned_business(ports, principal, business_id)
    data.pricing.require_chargeable("body.pricing")
    now = ports.clock.now()
    service = Service(
        id=new_id(),
        business_id=business.id,
        name=data.name,
        description=data.description,
        requirements=data.requirements,
        cancellation_policy=data.cancellation_policy,
        service_type=data.service_type,
        pricing=Pricing.model_validate(data.pricing.model_dump()),
        duration=data.duration,
        pet_types=data.pet_types,
        max_pets=data.max_pets,
        created_at=now,
        updated_at=now,
    )
    await ports.store.services.add(service)
    return ServiceView.of(service)


async def list_services(ports: ServicePorts, principal: Principal, business_id: str) -> list[ServiceView]:
    """Active services; the business itself (and admins) also see the withdrawn ones."""
    business = await ports.store.businesses.get(business_id)
    if business is None or not business.is_active or not (business.is_listed or may_manage(principal, business)):
        raise NotFound("no such business")
    found = await ports.store.services.list_for_business(business.id, active_only=not may_manage(principal, business))
    return [ServiceView.of(service) for service in found]


async def get_service(ports: ServicePorts, principal: Principal, service_id: str) -> ServiceView:
    """Withdrawn services stay readable (isActive false): bookings refer to them."""
    return ServiceView.of(await _get(ports, service_id))


async def update_service(
    ports: ServicePorts, principal: Principal, service_id: str, change: ServiceUpdate
) -> ServiceView:
    service = await _get(ports, service_id)
    await owned_business(ports, principal, service.business_id)
    if change.pricing is not None:
        change.pricing.require_chargeable("body.pricing")
    fields: dict[str, Any] = change.model_dump(exclude_unset=True, by_alias=True, mode="json")
    required = ("name", "serviceType", "pricing", "duration", "petTypes", "maxPets", "isActive", "requirements")
    if any(fields.get(key) is None for key in required if key in fields):
        raise ValidationFailed(f"only description and cancellationPolicy can be removed; {', '.join(required)} cannot")
    updated = await ports.store.services.update_fields(service.id, fields, ports.clock.now())
    if updated is None:
        raise NotFound("no such service")
    return ServiceView.of(updated)


async def delete_service(ports: ServicePorts, principal: Principal, service_id: str) -> None:
    """Withdraw the service (isActive false); existing bookings keep it."""
    service = await _get(ports, service_id)
    await owned_business(ports, principal, service.business_id)
    await ports.store.services.update_fields(service.id, {"isActive": False}, ports.clock.now())
