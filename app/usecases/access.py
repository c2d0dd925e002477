"""May this caller act on this resource? One check per kind of write, each raising 404 (the caller may not
know it exists) or 403 (they may see it, not change it).

The REST layer runs them as route dependencies (app/rest/guards.py), so they answer before the request
body is validated: a stranger posting to another business's workers learns nothing from a 422 about the
body. The use cases keep their own checks; these only move the refusal ahead of validation.
"""

from __future__ import annotations

from typing import Protocol

from app.auth.principal import Principal
from app.domain.users import Role
from app.errors import Forbidden, NotFound
from app.usecases import pets
from app.usecases.bookings import lifecycle as bookings
from app.usecases.bookings.lifecycle import BookingPorts
from app.usecases.businesses import BusinessPorts, may_manage, owned_business
from app.usecases.payments.views import get_payment
from app.usecases.pets import PetPorts


class AccessPorts(PetPorts, BusinessPorts, Protocol):
    """Each check reads the ports of the use case it runs ahead of."""


async def manage_business(ports: AccessPorts, principal: Principal, business_id: str) -> None:
    await owned_business(ports, principal, business_id)


async def manage_service(ports: AccessPorts, principal: Principal, service_id: str) -> None:
    service = await ports.store.services.get(service_id)
    if service is None:
        raise NotFound("no such service")
    await owned_business(ports, principal, service.business_id)


async def edit_worker(ports: AccessPorts, principal: Principal, worker_id: str) -> None:
    worker = await ports.store.workers.get(worker_id)
    if worker is None:
        raise NotFound("no such worker")
    is_self = principal.role is Role.WORKER and principal.user_id == worker.user_id
    if not is_self and not may_manage(principal, await ports.store.businesses.get(worker.business_id)):
        raise Forbidden("only the worker or their business may edit this profile")


async def own_pet(ports: AccessPorts, principal: Principal, pet_id: str) -> None:
    pet = await pets.get_pet(ports, principal, pet_id)
    if not principal.is_admin and pet.owner_id != principal.user_id:
        raise Forbidden("only the pet's primary owner may do this")


async def author_review(ports: AccessPorts, principal: Principal, review_id: str) -> None:
    review = await ports.store.reviews.get(review_id)
    if review is None:
        raise NotFound("no such review")
    if review.author_id != principal.user_id:
        raise Forbidden("only the review's author edits it")


async def respond_to_review(ports: AccessPorts, principal: Principal, review_id: str) -> None:
    review = await ports.store.reviews.get(review_id)
    if review is None:
        raise NotFound("no such review")
    business = await ports.store.businesses.get(review.business_id)
    if principal.role is not Role.BUSINESS or not may_manage(principal, business):
        raise Forbidden("only the reviewed business responds")


async def booking_party(ports: BookingPorts, principal: Principal, booking_id: str) -> None:
    await bookings.get_booking(ports, principal, booking_id)


async def refund_payment(ports: AccessPorts, principal: Principal, payment_id: str) -> None:
    await get_payment(ports, principal, payment_id)
    if not principal.is_admin and principal.role is not Role.BUSINESS:
        raise Forbidden("refunds are made by the business or an admin")
