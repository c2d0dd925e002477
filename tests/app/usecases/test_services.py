"""Prices that cannot be charged are refused where they are set: a service's base price and additional-pet price,
and a booking's total from a service priced before the rule. Amounts are in the currency's minor units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from app.auth.principal import Principal
from app.clock import Clock
from app.domain.businesses import Address, Business, point
from app.domain.users import Role
from app.errors import ValidationFailed
from app.ids import new_id
from app.store.store import Store
from app.usecases.services import ServiceCreate, ServiceUpdate, create_service, update_service

AREA = {"type": "Polygon", "coordinates": [[[2.2, 48.8], [2.5, 48.8], [2.5, 48.9], [2.2, 48.9], [2.2, 48.8]]]}


@dataclass
class Ports:
    """Only what ServicePorts names."""

    store: Store
    clock: Clock


async def _business(store: Store) -> Principal:
    now = datetime.now(UTC)
    business = Business(
        id=new_id(),
        owner_id=new_id(),
        name="Paws",
        address=Address(coordinates=(2.35, 48.85)),
        location=point(2.35, 48.85),
        service_area=AREA,
        created_at=now,
        updated_at=now,
    )
    await store.businesses.add(business)
    return Principal(business.owner_id, Role.BUSINESS, business_id=business.id)


def _create(base: int, currency: str, additional: int = 0) -> ServiceCreate:
    return ServiceCreate.model_validate(
        {
            "name": "Walk",
            "serviceType": "walking",
            "pricing": {
                "basePrice": base,
                "currency": currency,
                "priceType": "fixed",
                "additionalPetPrice": additional,
            },
            "duration": 60,
            "petTypes": ["dog"],
        }
    )


def _refusal(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, Any]:
    [detail] = exc.value.details
    return detail


@pytest.mark.parametrize(
    ("base", "currency", "minimum", "reads"),
    [
        (25, "USD", "50 (0.50 USD)", "25 is 0.25 USD"),
        (49, "eur", "50 (0.50 EUR)", "49 is 0.49 EUR"),
        (0, "EUR", "50 (0.50 EUR)", "0 is 0.00 EUR"),
        # A zero-decimal currency counts in its own units: 25 is 25 yen, under Stripe's 50 yen.
        (25, "JPY", "50 (50 JPY)", "25 is 25 JPY"),
        (29, "GBP", "30 (0.30 GBP)", "29 is 0.29 GBP"),
    ],
)
async def test_a_base_price_below_the_minimum_charge_is_refused_naming_field_unit_and_minimum(
    store: Store, clock: Clock, base: int, currency: str, minimum: str, reads: str
) -> None:
    ports = Ports(store, clock)
    business = await _business(store)

    with pytest.raises(ValidationFailed) as refused:
        await create_service(ports, business, business.business_id or "", _create(base, currency))

    detail = _refusal(refused)
    assert detail["field"] == "body.pricing.basePrice" and detail["type"] == "minimum_charge"
    assert "basePrice is in minor units of" in detail["message"]
    assert minimum in detail["message"] and reads in detail["message"]
    assert await store.services.list_for_business(business.business_id or "") == []


@pytest.mark.parametrize(("base", "currency"), [(50, "USD"), (50, "JPY"), (2500, "EUR"), (30, "GBP"), (1, "ZAR")])
async def test_the_minimum_itself_is_accepted(store: Store, clock: Clock, base: int, currency: str) -> None:
    """At the minimum, and any positive amount in a currency outside Stripe's table (only Stripe can convert)."""
    business = await _business(store)

    created = await create_service(Ports(store, clock), business, business.business_id or "", _create(base, currency))

    assert created.pricing.base_price == base


async def test_an_additional_pet_is_free_or_at_least_the_minimum(store: Store, clock: Clock) -> None:
    ports = Ports(store, clock)
    business = await _business(store)
    business_id = business.business_id or ""

    free = await create_service(ports, business, business_id, _create(2500, "USD", 0))
    priced = await create_service(ports, business, business_id, _create(2500, "USD", 50))
    with pytest.raises(ValidationFailed) as refused:
        await create_service(ports, business, business_id, _create(2500, "USD", 5))

    assert (free.pricing.additional_pet_price, priced.pricing.additional_pet_price) == (0, 50)
    detail = _refusal(refused)
    assert detail["field"] == "body.pricing.additionalPetPrice"
    assert "additionalPetPrice is in minor units of USD" in detail["message"] and "50 (0.50 USD)" in detail["message"]


async def test_an_edit_to_a_price_below_the_minimum_is_refused_and_changes_nothing(store: Store, clock: Clock) -> None:
    ports = Ports(store, clock)
    business = await _business(store)
    service = await create_service(ports, business, business.business_id or "", _create(2500, "USD"))
    change = ServiceUpdate.model_validate({"pricing": {"basePrice": 25, "currency": "USD", "priceType": "fixed"}})

    with pytest.raises(ValidationFailed) as refused:
        await update_service(ports, business, service.id, change)

    assert _refusal(refused)["field"] == "body.pricing.basePrice"
    stored = await store.services.get(service.id)
    assert stored is not None and stored.pricing.base_price == 2500
