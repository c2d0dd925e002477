"""A walker answers an offer: `dispatch:accept` / `dispatch:decline` `{offerId}`.

Accept semantics: the first accept of a live offer confirms the booking with that walker (bookings'
`assign_worker`, compare-and-set with the offer id pinned and `expiresAt` still in the future, so an
offer that expired, was declined or whose booking was cancelled cannot win). The answer says whether
the booking is yours:
- won (or accepted again by the walker who already holds it): `{assigned: true, bookingId, status}`;
- too late (the offer expired or was declined, the booking went to someone else or was cancelled), or
  the walker is now busy at that time: `CONFLICT`;
- an offer id that is unknown, or another walker's live offer: `NOT_FOUND` (we do not tell walkers
  about other walkers' offers); a caller who is not a worker: `FORBIDDEN`; a malformed payload:
  `VALIDATION_ERROR`.
Decline answers `{declined: true, bookingId}`; declining an offer that is no longer live is `CONFLICT`.
"""

from __future__ import annotations

from typing import Annotated, Any, Protocol

from pydantic import Field, StrictStr

from app.auth.principal import Principal
from app.dispatch.dispatcher import Dispatcher, booking_of_offer
from app.domain import money
from app.domain.base import iso
from app.domain.bookings import Booking, BookingPricing, BookingStatus, DispatchState, Offer
from app.domain.users import Role
from app.errors import Conflict, Forbidden, NotFound
from app.usecases.bookings.lifecycle import BookingPorts, assign_worker
from app.usecases.inputs import Input

OfferId = Annotated[StrictStr, Field(min_length=1, max_length=100)]


class OfferPorts(BookingPorts, Protocol):
    """An accept confirms the booking (bookings' ports); the dispatcher moves it on."""

    @property
    def dispatcher(self) -> Dispatcher: ...


class OfferInput(Input):
    """`dispatch:accept` / `dispatch:decline` payload."""

    offer_id: OfferId


def _worker_of(principal: Principal) -> str:
    if principal.role is not Role.WORKER or not principal.worker_id:
        raise Forbidden("only workers answer dispatch offers")
    return principal.worker_id


async def _offer_for(ports: OfferPorts, worker_id: str, offer_id: str) -> tuple[Booking, Offer | None]:
    """The booking the offer was for, and the offer if it is still the live one. NOT_FOUND unless the
    offer was made to this walker (live, or tried before, or the booking is theirs)."""
    booking_id = booking_of_offer(offer_id)
    booking = await ports.store.bookings.get(booking_id) if booking_id else None
    dispatch = booking.dispatch if booking else None
    if booking is None or dispatch is None:
        raise NotFound("no such offer")
    current = dispatch.current
    if current is not None and current.offer_id == offer_id:
        if current.worker_id != worker_id:
            raise NotFound("no such offer")
        return booking, current
    # The booking moved on (taken, cancelled): a cancel clears the offer without recording the walker.
    if (
        worker_id in dispatch.offers_tried
        or booking.worker_id == worker_id
        or booking.status is not BookingStatus.PENDING
    ):
        return booking, None
    raise NotFound("no such offer")


def _yours(booking: Booking) -> dict[str, Any]:
    return {"assigned": True, "bookingId": booking.id, "status": booking.status.value}


async def _pricing(ports: OfferPorts, booking: Booking, business_id: str) -> dict[str, Any]:
    """An asap booking is priced by the accepting walker's business's service of that type."""
    if booking.pricing is not None or booking.service_id is not None:
        return {}
    business = await ports.store.businesses.get(business_id)
    offered = [
        s
        for s in await ports.store.services.list_for_business(business_id)
        # A service priced below what its currency can be charged (stored before that was refused) is not sold.
        if s.is_active
        and s.service_type == booking.service_type
        and money.chargeable(s.pricing.base_price, s.pricing.currency)
    ]
    if business is None or not offered:
        return {}
    pets = [p for pid in booking.pet_ids if (p := await ports.store.pets.get(pid)) is not None]
    # Prefer a service that takes these pets; else the business's first of that type.
    fitting = [s for s in offered if len(pets) <= s.max_pets and all(p.species in s.pet_types for p in pets)]
    service = (fitting or offered)[0]
    total = money.price(service.pricing.base_price, service.pricing.additional_pet_price, len(booking.pet_ids))
    pricing = BookingPricing(
        base_price=service.pricing.base_price,
        additional=total - service.pricing.base_price,
        platform_fee=money.platform_fee(total, premium=business.premium),
        total_amount=total,
        currency=service.pricing.currency,
    )
    return {"serviceId": service.id, "pricing": pricing.model_dump(mode="json", by_alias=True)}


async def accept_offer(ports: OfferPorts, principal: Principal, offer_id: str) -> dict[str, Any]:
    worker_id = _worker_of(principal)
    booking, offer = await _offer_for(ports, worker_id, offer_id)
    if offer is None:
        if booking.worker_id == worker_id and booking.status is not BookingStatus.CANCELLED:
            return _yours(booking)  # a second tap on an offer already won
        raise Conflict("this offer is no longer open")
    worker = await ports.store.workers.get(worker_id)
    if worker is None or not worker.is_active:
        raise Forbidden("only active workers answer dispatch offers")
    dispatcher = ports.dispatcher
    now = ports.clock.now()
    pinned = {
        "dispatch.state": DispatchState.OFFERED.value,
        "dispatch.current.offerId": offer_id,
        "dispatch.current.expiresAt": {"$gt": iso(now)},
    }
    extra = await _pricing(ports, booking, offer.business_id)
    async with dispatcher.booking_lock(booking.id):
        # Under the lock, a second tap from the same walker waits for the first and is told it won.
        fresh = await ports.store.bookings.get(booking.id)
        if fresh is not None and fresh.worker_id == worker_id and fresh.status is not BookingStatus.CANCELLED:
            return _yours(fresh)
        try:
            confirmed = await assign_worker(ports, principal, booking, worker, extra=extra, where=pinned)
        except Conflict:
            lost = await ports.store.bookings.get(booking.id)
            still_live = (
                lost is not None
                and lost.dispatch is not None
                and lost.dispatch.current is not None
                and lost.dispatch.current.offer_id == offer_id
            )
            if not still_live:
                raise Conflict("this offer is no longer open") from None
            if offer.expires_at > ports.clock.now():
                # The offer is still live, so the walker's own schedule refused it (busy at that time).
                busy = Conflict("you already have a booking at that time")
            else:
                busy = Conflict("this offer has expired")
        else:
            dispatcher.cancel_timer(booking.id)
            return _yours(confirmed)
    # Busy or expired: move the booking on to the next walker, then tell this one.
    await dispatcher.retire(booking.id, offer_id, reason="unavailable")
    raise busy


async def decline_offer(ports: OfferPorts, principal: Principal, offer_id: str) -> dict[str, Any]:
    worker_id = _worker_of(principal)
    booking, offer = await _offer_for(ports, worker_id, offer_id)
    if offer is None:
        raise Conflict("this offer is no longer open")
    if await ports.dispatcher.retire(booking.id, offer_id, reason="declined") is None:
        raise Conflict("this offer is no longer open")
    return {"declined": True, "bookingId": booking.id}
