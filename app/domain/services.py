"""Services a business offers: what, for which pets, at what price."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from app.domain.base import Entity, Timestamp, Value
from app.domain.money import MINOR_UNITS
from app.domain.pets import Species


class ServiceType(StrEnum):
    WALKING = "walking"
    BOARDING = "boarding"
    DAYCARE = "daycare"
    GROOMING = "grooming"
    TRAINING = "training"
    SITTING = "sitting"


class PriceType(StrEnum):
    PER_HOUR = "per_hour"
    PER_DAY = "per_day"
    PER_SESSION = "per_session"
    FIXED = "fixed"


# Values stored before the seed's names were adopted (read by the start-up migration).
LEGACY_PRICE_TYPES = {"hourly": PriceType.PER_HOUR, "daily": PriceType.PER_DAY}


MIN_DURATION_MIN = 15
MAX_DURATION_MIN = 24 * 60
MAX_PETS = 10

# Money is integer minor units; strict so "100" or 1.5 or true are refused rather than coerced.
MinorUnits = Annotated[int, Field(strict=True, ge=0, le=100_000_000, description=f"Amount {MINOR_UNITS}")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR")]


class Pricing(Value):
    base_price: MinorUnits
    currency: Currency
    price_type: PriceType
    additional_pet_price: MinorUnits = 0


class Service(Entity):
    business_id: str
    name: str
    description: str | None = None
    requirements: list[str] = Field(default_factory=list)
    cancellation_policy: str | None = None
    service_type: ServiceType
    pricing: Pricing
    # Minutes.
    duration: Annotated[int, Field(ge=MIN_DURATION_MIN, le=MAX_DURATION_MIN)]
    pet_types: list[Species]
    max_pets: Annotated[int, Field(ge=1, le=MAX_PETS)]
    is_active: bool = True
    created_at: Timestamp
    updated_at: Timestamp
