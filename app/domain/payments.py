"""Payment records (one per booking), connected payout accounts, and the arithmetic of fees on part amounts.

A payment's state is the lattice of `app.domain.payment_events`: whatever we learn (the intent as the gateway
returns it, our own capture/cancel/refund answers, webhooks in any order) is joined into the record, so the
stored status and amounts only move forward and every arrival order ends in the same record.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import Field

from app.domain.base import Entity, Timestamp, Value
from app.domain.payment_events import PaymentStage, PaymentState, PaymentStatus

_STATUS_STAGE = {
    PaymentStatus.PENDING: PaymentStage.PENDING,
    PaymentStatus.FAILED: PaymentStage.FAILED,
    PaymentStatus.REQUIRES_CAPTURE: PaymentStage.AUTHORIZED,
    PaymentStatus.CANCELED: PaymentStage.CANCELED,
    PaymentStatus.SUCCEEDED: PaymentStage.SUCCEEDED,
    PaymentStatus.PARTIALLY_REFUNDED: PaymentStage.SUCCEEDED,
    PaymentStatus.REFUNDED: PaymentStage.SUCCEEDED,
}


def proportional(amount: int, part: int, whole: int) -> int:
    """`amount * part / whole` in integers, rounded half up (the fee's rounding in `app.domain.money`)."""
    if whole <= 0:
        return 0
    return (amount * part * 2 + whole) // (2 * whole)


class RefundEntry(Value):
    """One refund we asked the gateway for."""

    id: str
    key: str
    amount: int
    reason: str
    by: str | None
    role: str
    status: str
    at: Timestamp


class Payment(Entity):
    """The money side of one booking. Amounts are integer minor units of `currency`."""

    booking_id: str
    business_id: str
    owner_id: str
    intent_id: str
    # The intent's amount and the platform's application fee on it, fixed when the intent is created.
    amount: int
    application_fee: int
    currency: str
    status: PaymentStatus
    authorized_amount: int = 0
    captured_amount: int = 0
    refunded_amount: int = 0
    # The fee on what was captured when we captured part of the amount (None: proportional to `amount`).
    captured_fee: int | None = None
    # Refunds asked of the gateway and not answered yet: no second refund may count on that money.
    reserved_refund: int = 0
    refunds: list[RefundEntry] = Field(default_factory=list)
    last_error: str | None = None
    # A settlement (capture on completion, the cancellation's refund) that failed: tried again by a job at
    # `settle_retry_at` (None: nothing to retry), `settle_attempts` failures so far.
    settle_attempts: int = 0
    settle_retry_at: Timestamp | None = None
    # Compare-and-set counter: every change is conditional on the version it was computed from.
    version: int = 0
    created_at: Timestamp
    updated_at: Timestamp

    @property
    def state(self) -> PaymentState:
        return PaymentState(
            stage=_STATUS_STAGE[self.status],
            amount_capturable=self.authorized_amount,
            amount_received=self.captured_amount,
            amount_refunded=self.refunded_amount,
        )

    @property
    def refundable(self) -> int:
        return max(0, self.captured_amount - self.refunded_amount - self.reserved_refund)

    @property
    def fee_on_capture(self) -> int:
        """The application fee Stripe took on the captured amount."""
        if self.captured_amount == 0:
            return 0
        if self.captured_fee is not None:
            return self.captured_fee
        return proportional(self.application_fee, self.captured_amount, self.amount)

    @property
    def platform_fee(self) -> int:
        """The fee the platform keeps: refunds give back the fee share of the refunded part."""
        net = self.captured_amount - self.refunded_amount
        return proportional(self.fee_on_capture, max(net, 0), self.captured_amount)

    @property
    def payout(self) -> int:
        """What the business is paid: captured minus refunded minus the platform's fee."""
        return max(self.captured_amount - self.refunded_amount, 0) - self.platform_fee


def state_fields(state: PaymentState) -> dict[str, object]:
    """The document fields that hold a payment state."""
    return {
        "status": state.status.value,
        "authorizedAmount": state.amount_capturable,
        "capturedAmount": state.amount_received,
        "refundedAmount": state.amount_refunded,
    }


class PayoutAccount(Entity):
    """A business's Stripe Express connected account; `id` is the business id (one account per business)."""

    business_id: str
    account_id: str
    charges_enabled: bool = False
    payouts_enabled: bool = False
    details_submitted: bool = False
    # `created` (unix seconds) of the newest `account.updated` applied: older deliveries are stale.
    last_event_at: int = 0
    created_at: Timestamp
    updated_at: Timestamp


SETTLE_MAX_ATTEMPTS = 10
SETTLE_BASE_BACKOFF = timedelta(minutes=1)
SETTLE_MAX_BACKOFF = timedelta(hours=6)


def next_settlement_try(attempts: int, now: datetime) -> datetime | None:
    """When to try a settlement again after `attempts` failures: 1 min, 2, 4, ... capped at 6 h; None to stop
    (the error stays on the record for the business or an admin)."""
    if attempts >= SETTLE_MAX_ATTEMPTS:
        return None
    return now + min(SETTLE_MAX_BACKOFF, SETTLE_BASE_BACKOFF * (1 << max(0, attempts - 1)))
