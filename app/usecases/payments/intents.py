"""Paying for a booking: its payment intent (created once, the same one on every call), and the intent as the
gateway has it now."""

from __future__ import annotations

from typing import Protocol

from pydantic import Field

from app.auth.principal import Principal
from app.domain.bookings import BookingStatus
from app.domain.money import MinorAmount
from app.domain.payment_events import Intent, PaymentStatus, state_of_intent
from app.domain.payments import Payment
from app.domain.users import Role
from app.errors import Conflict, NotFound
from app.ids import new_id
from app.payments.gateway import IntentNotFound
from app.store.payments import PaymentExists
from app.usecases.inputs import Input, Output
from app.usecases.payments.onboarding import OnboardingPorts, charge_account, is_offline
from app.usecases.payments.records import join

PAYABLE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class IntentPorts(OnboardingPorts, Protocol):
    """Creating an intent reads the account its money goes to: the onboarding ports are all it needs."""


class IntentInput(Input):
    booking_id: str = Field(min_length=1, max_length=64)


class IntentView(Output):
    payment_id: str
    payment_intent_id: str
    client_secret: str
    amount: MinorAmount
    application_fee: MinorAmount
    currency: str
    status: PaymentStatus


async def gateway_intent(ports: IntentPorts, payment: Payment) -> Intent:
    """The intent as the gateway has it now. An offline gateway without a journal forgets intents on restart:
    the intent is then created again from the record's amounts, which yields the same id."""
    try:
        return await ports.payment_gateway.retrieve_intent(payment.intent_id)
    except IntentNotFound:
        if not is_offline(ports.settings):
            raise
    account = await charge_account(ports, payment.business_id)
    return await ports.payment_gateway.create_payment_intent(
        payment.booking_id,
        amount=payment.amount,
        currency=payment.currency,
        application_fee=payment.application_fee,
        destination_account=account.account_id,
    )


def _intent_view(payment: Payment, client_secret: str) -> IntentView:
    return IntentView(
        payment_id=payment.id,
        payment_intent_id=payment.intent_id,
        client_secret=client_secret,
        amount=payment.amount,
        application_fee=payment.application_fee,
        currency=payment.currency,
        status=payment.status,
    )


async def create_intent(ports: IntentPorts, principal: Principal, data: IntentInput) -> IntentView:
    """The booking's payment intent: created on the first call, the same record and intent on every other."""
    principal.require_role(Role.OWNER)
    booking = await ports.store.bookings.get(data.booking_id)
    if booking is None or not (principal.is_admin or booking.owner_id == principal.user_id):
        raise NotFound("no such booking")
    existing = await ports.store.payments.for_booking(booking.id)
    if existing is not None:
        intent = await gateway_intent(ports, existing)
        existing = await join(ports, existing, state_of_intent(intent))
        return _intent_view(existing, intent.client_secret)
    if booking.status not in PAYABLE_STATUSES:
        raise Conflict(f"a booking that is {booking.status.value} cannot be paid")
    if booking.pricing is None or booking.business_id is None:
        raise Conflict("this booking has no price yet: it is paid once a business takes it")
    account = await charge_account(ports, booking.business_id)
    pricing = booking.pricing
    intent = await ports.payment_gateway.create_payment_intent(
        booking.id,
        amount=pricing.total_amount,
        currency=pricing.currency,
        application_fee=pricing.platform_fee,
        destination_account=account.account_id,
    )
    now = ports.clock.now()
    pending = Payment(
        id=new_id(),
        booking_id=booking.id,
        business_id=booking.business_id,
        owner_id=booking.owner_id,
        intent_id=intent.id,
        amount=pricing.total_amount,
        application_fee=pricing.platform_fee,
        currency=pricing.currency,
        status=PaymentStatus.PENDING,
        created_at=now,
        updated_at=now,
    )
    try:
        await ports.store.payments.add(pending)
    except PaymentExists:
        # A racing first call stored it; the intent is the same one (same idempotency key).
        stored = await ports.store.payments.for_booking(booking.id)
        assert stored is not None
        pending = stored
    payment = await join(ports, pending, state_of_intent(intent))
    return _intent_view(payment, intent.client_secret)
