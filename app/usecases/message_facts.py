"""The facts a booking's messages name: its number, pets, time, zone, address and parties, read once per event."""

from __future__ import annotations

import asyncio
from typing import Any

from app.domain.bookings import Booking, BookingLocation
from app.domain.hours import DEFAULT_ZONE
from app.messages.rendering.facts import MessageFacts
from app.store.store import Store


def address_line(location: BookingLocation) -> str:
    """The free-text line, the structured address joined, or the coordinates when there is no address."""
    address = location.address
    if isinstance(address, str) and address.strip():
        return address.strip()
    if address is not None and not isinstance(address, str):
        parts = [address.street, " ".join(p for p in (address.zip_code, address.city) if p), address.state]
        line = ", ".join(p for p in parts if p)
        if line:
            return line
    lng, lat = location.coordinates
    return f"{lat:.5f}, {lng:.5f}"


async def booking_facts(store: Store, booking: Booking, **extra: Any) -> MessageFacts:
    """`extra`: what the event adds (amounts, a reason, a rating; MessageFacts' fields)."""
    pets = await asyncio.gather(*(store.pets.get(pet_id) for pet_id in booking.pet_ids))
    owner = await store.users.get(booking.owner_id)
    business = await store.businesses.get(booking.business_id) if booking.business_id else None
    worker = await store.workers.get(booking.worker_id) if booking.worker_id else None
    pricing = booking.pricing
    facts: dict[str, Any] = {
        "booking_id": booking.id,
        "booking_number": booking.booking_number,
        "pets": tuple(pet.name for pet in pets if pet is not None),
        "starts_at": booking.scheduled_at,
        "time_zone": business.timezone if business is not None else DEFAULT_ZONE,
        "address": address_line(booking.location),
        "owner_id": booking.owner_id,
        "owner_name": f"{owner.first_name} {owner.last_name}".strip() if owner is not None else "",
        "co_owner_ids": tuple(user_id for user_id in booking.watcher_ids if user_id != booking.owner_id),
        "business_user_id": business.owner_id if business is not None else None,
        "business_name": business.name if business is not None else "Walky",
        "walker_user_id": worker.user_id if worker is not None else None,
        "walker_name": f"{worker.first_name} {worker.last_name}".strip() if worker is not None else None,
        "currency": pricing.currency if pricing is not None else "USD",
        "total": pricing.total_amount if pricing is not None else None,
        "fee": pricing.platform_fee if pricing is not None else None,
    }
    if booking.cancellation is not None:
        facts["reason"] = booking.cancellation.reason
        facts["refund"] = booking.cancellation.refund_amount or None
    return MessageFacts(**(facts | extra))
