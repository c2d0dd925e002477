"""The booking lifecycle's money side: capture on completion, the policy's refund on cancellation, the
listener that runs them when a booking ends, and the record of a failed settlement for the retry job.

A cancellation executes the `refundAmount` the booking stored at cancel time:
- nothing captured yet and everything refunded: cancel the intent (the authorisation is released);
- nothing captured yet and part refunded: capture only the part the owner still owes, with the application
  fee scaled to that part;
- already captured: refund with the gateway, never more than was captured and not yet refunded.
"""

from __future__ import annotations

from typing import Any, Protocol

import structlog

from app.booking_events import BookingFinished
from app.domain.base import iso
from app.domain.bookings import Booking, BookingStatus
from app.domain.payment_events import IntentStatus, PaymentStatus, state_of_intent
from app.domain.payments import Payment, next_settlement_try, proportional
from app.errors import AppError
from app.usecases.payments.intents import IntentPorts, gateway_intent
from app.usecases.payments.records import join, note_error, update
from app.usecases.payments.refunds import RefundPorts, refund

log = structlog.get_logger(__name__)

CANCELLATION_REFUND_KEY = "cancellation"
_RELEASABLE = frozenset(
    {IntentStatus.REQUIRES_PAYMENT_METHOD, IntentStatus.REQUIRES_CONFIRMATION, IntentStatus.REQUIRES_ACTION}
)


class SettlementPorts(IntentPorts, RefundPorts, Protocol):
    """Settling reads the intent as the gateway has it now and may refund."""


async def capture_for_booking(ports: SettlementPorts, booking: Booking) -> Payment | None:
    """On completion: capture the authorised amount (the business is paid minus the platform fee)."""
    payment = await ports.store.payments.for_booking(booking.id)
    if payment is None:
        return None
    intent = await gateway_intent(ports, payment)
    payment = await join(ports, payment, state_of_intent(intent))
    if payment.captured_amount > 0 or payment.status is PaymentStatus.CANCELED:
        return payment
    if intent.status is not IntentStatus.REQUIRES_CAPTURE:
        return await note_error(ports, payment, f"nothing to capture on completion: the intent is {intent.status}")
    captured = await ports.payment_gateway.capture(intent.id, booking.id, amount_to_capture=None, application_fee=None)
    return await join(ports, payment, state_of_intent(captured), {"capturedFee": payment.application_fee})


async def settle_cancellation(ports: SettlementPorts, booking: Booking) -> Payment | None:
    """On cancellation: execute the refund the booking stored when it was cancelled (see the module doc)."""
    payment = await ports.store.payments.for_booking(booking.id)
    if payment is None:
        return None
    cancellation = booking.cancellation
    owed_back = payment.amount if cancellation is None else min(cancellation.refund_amount, payment.amount)
    intent = await gateway_intent(ports, payment)
    payment = await join(ports, payment, state_of_intent(intent))
    if payment.captured_amount > 0:
        amount = min(owed_back, payment.refundable)
        if amount == 0:
            return payment
        return await refund(
            ports,
            payment,
            amount,
            reason=f"cancellation: {cancellation.reason}" if cancellation else "cancellation",
            key=CANCELLATION_REFUND_KEY,
            by=cancellation.by if cancellation else None,
            role=cancellation.role if cancellation else "system",
        )
    gateway = ports.payment_gateway
    if intent.status is IntentStatus.REQUIRES_CAPTURE:
        keep = min(payment.amount - owed_back, intent.amount_capturable)
        if keep > 0:
            fee = proportional(payment.application_fee, keep, payment.amount)
            captured = await gateway.capture(intent.id, booking.id, amount_to_capture=keep, application_fee=fee)
            return await join(ports, payment, state_of_intent(captured), {"capturedFee": fee})
        return await join(ports, payment, state_of_intent(await gateway.cancel(intent.id, booking.id)))
    if intent.status in _RELEASABLE:
        return await join(ports, payment, state_of_intent(await gateway.cancel(intent.id, booking.id)))
    if intent.status is IntentStatus.PROCESSING:
        return await note_error(ports, payment, "the payment was still processing at cancellation")
    return payment


async def settle_booking(ports: SettlementPorts, booking: Booking) -> Payment | None:
    """The money side of a booking that ended: capture on completion, the policy's refund on cancellation."""
    if booking.status is BookingStatus.COMPLETED:
        return await capture_for_booking(ports, booking)
    if booking.status is BookingStatus.CANCELLED:
        return await settle_cancellation(ports, booking)
    return None


async def note_settlement_failure(ports: SettlementPorts, booking: Booking, exc: AppError) -> None:
    """Keep the error on the record (`lastError`) and schedule another try with backoff."""
    log.warning("payment settlement failed", booking_id=booking.id, error=exc.code, message=exc.message)
    payment = await ports.store.payments.for_booking(booking.id)
    if payment is None:
        return
    message = f"on {booking.status.value}: {exc.message}"
    now = ports.clock.now()

    def change(current: Payment) -> tuple[dict[str, Any], None]:
        retry_at = next_settlement_try(current.settle_attempts + 1, now)
        return {
            "lastError": message,
            "settleAttempts": current.settle_attempts + 1,
            "settleRetryAt": iso(retry_at) if retry_at else None,
        }, None

    await update(ports, payment, change)


async def settlement_retried(ports: SettlementPorts, payment: Payment, error: str | None) -> Payment:
    """A retried settlement went through: nothing left to retry, and the error it left is cleared."""

    def change(current: Payment) -> tuple[dict[str, Any], None]:
        fields: dict[str, Any] = {"settleAttempts": 0, "settleRetryAt": None}
        if current.last_error == error:
            fields["lastError"] = None
        return fields, None

    return await update(ports, payment, change)


class PaymentsListener:
    """The booking lifecycle's money side: it settles a booking that finished (see wire_booking_events).

    A failure here does not undo the booking transition (it is committed): it is logged, kept on the
    payment record as `lastError`, and retried with backoff by the settlement job (app/usecases/scheduled.py);
    after the last try it stays for the business or an admin to settle (e.g. with a refund)."""

    def __init__(self, ports: SettlementPorts) -> None:
        self._ports = ports

    async def finished(self, event: BookingFinished) -> None:
        booking = event.booking
        try:
            await settle_booking(self._ports, booking)
        except AppError as exc:
            await note_settlement_failure(self._ports, booking, exc)
