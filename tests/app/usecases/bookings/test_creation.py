"""A booking's total becomes a charge: a service priced below the currency's minimum before that was refused
cannot be booked (the owner would only find out at checkout)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.domain.pets import Species
from app.domain.services import Pricing, Service, ServiceType
from app.errors import ValidationFailed
from app.ids import new_id
from app.usecases.bookings.creation import BookingCreate, create_booking
from tests.app.usecases.bookings.world import PICKUP, World, open_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path) as opened:
        yield opened


async def test_a_service_priced_below_the_minimum_charge_cannot_be_booked(world: World) -> None:
    now = world.ports.clock.now()
    cheap = Service(
        id=new_id(),
        business_id=world.business.business_id or "",
        name="Stored before the minimum",
        service_type=ServiceType.WALKING,
        pricing=Pricing(base_price=25, currency="USD", price_type="fixed"),
        duration=60,
        pet_types=[Species.DOG],
        max_pets=1,
        created_at=now,
        updated_at=now,
    )
    await world.ports.store.services.add(cheap)
    data = BookingCreate.model_validate(
        {
            "serviceId": cheap.id,
            "pets": [world.pet_id],
            "scheduledAt": (now + timedelta(days=1)).isoformat(),
            "location": {"coordinates": list(PICKUP)},
        }
    )

    with pytest.raises(ValidationFailed) as refused:
        await create_booking(world.ports, world.owner, data)

    [detail] = refused.value.details
    assert detail["field"] == "body.serviceId"
    assert "totalAmount is in minor units of USD" in detail["message"] and "50 (0.50 USD)" in detail["message"]
    assert world.published == []
