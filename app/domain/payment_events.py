"""What we learn about a payment, and the order-independent state it folds into.

We learn from webhook events (typed below; `app.payments.events` parses them from Stripe's objects) and from
the intent as the gateway answers it (`state_of_intent`). Stripe delivers events at least once and in no
guaranteed order (a `succeeded` can arrive before the `amount_capturable_updated` that preceded it).
`reduce_payment_status` is therefore a join on a lattice: commutative, associative and idempotent, so any
arrival order, with any duplicates, ends in the same state.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


@dataclass(frozen=True, slots=True)
class AuthorizationUpdated:
    """`payment_intent.amount_capturable_updated`: the card is authorised for `amount_capturable`."""

    intent_id: str
    booking_id: str
    amount: int
    amount_capturable: int


@dataclass(frozen=True, slots=True)
class PaymentSucceeded:
    """`payment_intent.succeeded`: funds captured."""

    intent_id: str
    booking_id: str
    amount: int
    amount_received: int


@dataclass(frozen=True, slots=True)
class PaymentAttemptFailed:
    """`payment_intent.payment_failed`: this attempt failed; the owner may retry with another card."""

    intent_id: str
    booking_id: str
    code: str | None
    message: str | None


@dataclass(frozen=True, slots=True)
class PaymentCanceled:
    """`payment_intent.canceled`: the authorisation was released (by us, or by Stripe after 7 days)."""

    intent_id: str
    booking_id: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class ChargeRefunded:
    """`charge.refunded`: `amount_refunded` is the charge's running total, not this refund's amount."""

    charge_id: str
    intent_id: str
    # Found by `intent_id`; the charge's own metadata may not carry the booking.
    booking_id: str | None
    amount_captured: int
    amount_refunded: int


@dataclass(frozen=True, slots=True)
class AccountUpdated:
    """`account.updated` on a connected account: whether the business can take payments yet."""

    account_id: str
    business_id: str | None
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool


@dataclass(frozen=True, slots=True)
class Ignored:
    """An event we do not act on: another type, or an intent/charge that Walky did not create."""

    event_type: str


PaymentEvent = AuthorizationUpdated | PaymentSucceeded | PaymentAttemptFailed | PaymentCanceled | ChargeRefunded
Command = PaymentEvent | AccountUpdated | Ignored


class PaymentStage(IntEnum):
    """How far a payment got, in lattice order: a later stage never yields to an earlier one.

    FAILED sits under AUTHORIZED because a failed attempt can be followed by a successful one, and a late
    `payment_failed` must not undo it. SUCCEEDED sits over CANCELED: Stripe never sends both for one intent,
    and if it ever did, money that moved must not be forgotten.
    """

    PENDING = 0
    FAILED = 1
    AUTHORIZED = 2
    CANCELED = 3
    SUCCEEDED = 4


class PaymentStatus(StrEnum):
    PENDING = "pending"
    FAILED = "failed"
    REQUIRES_CAPTURE = "requires_capture"
    CANCELED = "canceled"
    SUCCEEDED = "succeeded"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


_STAGE_STATUS = {
    PaymentStage.PENDING: PaymentStatus.PENDING,
    PaymentStage.FAILED: PaymentStatus.FAILED,
    PaymentStage.AUTHORIZED: PaymentStatus.REQUIRES_CAPTURE,
    PaymentStage.CANCELED: PaymentStatus.CANCELED,
    PaymentStage.SUCCEEDED: PaymentStatus.SUCCEEDED,
}


@dataclass(frozen=True, slots=True)
class PaymentState:
    """One intent's payment as webhooks tell it. Amounts only grow: each is the highest Stripe has reported
    (`amount_capturable` is thus the authorised amount, even after capture set Stripe's own field to 0)."""

    stage: PaymentStage = PaymentStage.PENDING
    amount_capturable: int = 0
    amount_received: int = 0
    amount_refunded: int = 0

    @property
    def status(self) -> PaymentStatus:
        if self.stage is PaymentStage.SUCCEEDED and self.amount_refunded > 0:
            if self.amount_refunded >= self.amount_received:
                return PaymentStatus.REFUNDED
            return PaymentStatus.PARTIALLY_REFUNDED
        return _STAGE_STATUS[self.stage]

    def join(self, other: PaymentState) -> PaymentState:
        return PaymentState(
            stage=max(self.stage, other.stage),
            amount_capturable=max(self.amount_capturable, other.amount_capturable),
            amount_received=max(self.amount_received, other.amount_received),
            amount_refunded=max(self.amount_refunded, other.amount_refunded),
        )


def _state_of(event: PaymentEvent) -> PaymentState:
    match event:
        case AuthorizationUpdated():
            return PaymentState(PaymentStage.AUTHORIZED, amount_capturable=event.amount_capturable)
        case PaymentSucceeded():
            return PaymentState(PaymentStage.SUCCEEDED, amount_received=event.amount_received)
        case PaymentAttemptFailed():
            return PaymentState(PaymentStage.FAILED)
        case PaymentCanceled():
            return PaymentState(PaymentStage.CANCELED)
        case ChargeRefunded():
            # A refund implies a capture, even if the `succeeded` event has not arrived yet.
            return PaymentState(
                PaymentStage.SUCCEEDED, amount_received=event.amount_captured, amount_refunded=event.amount_refunded
            )


def reduce_payment_status(current: PaymentState, event: Command) -> PaymentState:
    """Fold one event into an intent's state; the caller routes events to the intent they name."""
    if isinstance(event, AccountUpdated | Ignored):
        return current
    return current.join(_state_of(event))


class IntentStatus(StrEnum):
    """Stripe's PaymentIntent statuses (https://docs.stripe.com/payments/paymentintents/lifecycle)."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_CONFIRMATION = "requires_confirmation"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    REQUIRES_CAPTURE = "requires_capture"
    CANCELED = "canceled"
    SUCCEEDED = "succeeded"


@dataclass(frozen=True, slots=True)
class Intent:
    """A PaymentIntent as far as we use it, as the gateway answers it; amounts in minor units of `currency`."""

    id: str
    # Handed to the owner's app, which confirms the payment with Stripe.js / the mobile SDK.
    client_secret: str
    status: IntentStatus
    amount: int
    amount_capturable: int
    amount_received: int
    currency: str


def state_of_intent(intent: Intent) -> PaymentState:
    """What an intent, as the gateway answers it, tells the payment lattice."""
    match intent.status:
        case IntentStatus.REQUIRES_CAPTURE:
            return PaymentState(PaymentStage.AUTHORIZED, amount_capturable=intent.amount_capturable)
        case IntentStatus.SUCCEEDED:
            return PaymentState(PaymentStage.SUCCEEDED, amount_received=intent.amount_received)
        case IntentStatus.CANCELED:
            return PaymentState(PaymentStage.CANCELED)
        case _:
            return PaymentState(PaymentStage.PENDING)
