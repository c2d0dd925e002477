"""Verified Stripe events turned into the domain's typed commands (`app.domain.payment_events`, where they fold
into the payment lattice): this module reads Stripe's object shapes, and only that."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from app.domain.payment_events import (
    AccountUpdated,
    AuthorizationUpdated,
    ChargeRefunded,
    Command,
    Ignored,
    PaymentAttemptFailed,
    PaymentCanceled,
    PaymentSucceeded,
)
from app.errors import ValidationFailed
from app.payments.webhooks import StripeEvent


class MalformedEvent(ValidationFailed):
    """An authentic event whose object lacks what we read from it (an API version we do not speak)."""


class _Object(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _PaymentError(_Object):
    code: str | None = None
    message: str | None = None


class _IntentObject(_Object):
    id: str
    amount: int
    amount_capturable: int = 0
    amount_received: int = 0
    metadata: dict[str, str] = {}
    last_payment_error: _PaymentError | None = None
    cancellation_reason: str | None = None


class _ChargeObject(_Object):
    id: str
    payment_intent: str | None = None
    amount_captured: int = 0
    amount_refunded: int = 0
    metadata: dict[str, str] = {}


class _AccountObject(_Object):
    id: str
    charges_enabled: bool = False
    payouts_enabled: bool = False
    details_submitted: bool = False
    metadata: dict[str, str] = {}


_INTENT_EVENTS = frozenset(
    {
        "payment_intent.amount_capturable_updated",
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
    }
)


def parse_event(event: StripeEvent) -> Command:
    """The command for a verified event; raises `MalformedEvent` if a handled event lacks what we read."""
    try:
        return _parse(event)
    except ValidationError as exc:
        raise MalformedEvent(f"{event.type} {event.id}: unexpected object shape") from exc


def _parse(event: StripeEvent) -> Command:
    data: dict[str, Any] = event.data_object
    if event.type in _INTENT_EVENTS:
        intent = _IntentObject.model_validate(data)
        booking_id = intent.metadata.get("bookingId")
        if booking_id is None:
            return Ignored(event.type)
        match event.type:
            case "payment_intent.amount_capturable_updated":
                return AuthorizationUpdated(intent.id, booking_id, intent.amount, intent.amount_capturable)
            case "payment_intent.succeeded":
                return PaymentSucceeded(intent.id, booking_id, intent.amount, intent.amount_received)
            case "payment_intent.payment_failed":
                error = intent.last_payment_error
                return PaymentAttemptFailed(
                    intent.id, booking_id, error.code if error else None, error.message if error else None
                )
            case _:  # payment_intent.canceled, the last of _INTENT_EVENTS
                return PaymentCanceled(intent.id, booking_id, intent.cancellation_reason)
    if event.type == "charge.refunded":
        charge = _ChargeObject.model_validate(data)
        if charge.payment_intent is None:
            return Ignored(event.type)
        return ChargeRefunded(
            charge.id,
            charge.payment_intent,
            charge.metadata.get("bookingId"),
            charge.amount_captured,
            charge.amount_refunded,
        )
    if event.type == "account.updated":
        account = _AccountObject.model_validate(data)
        return AccountUpdated(
            account.id,
            account.metadata.get("businessId"),
            account.charges_enabled,
            account.payouts_enabled,
            account.details_submitted,
        )
    return Ignored(event.type)
