"""The payment gateway port: what the booking and payment use cases ask of Stripe Connect.

Money model (destination charges): the owner pays the platform; `application_fee` stays with the platform and
the rest is transferred to the business's connected account. Funds are authorised when the booking is paid
(`capture_method=manual`) and captured on completion; a refund also returns the platform's fee share and pulls
the business's share back from its account.

Every call that changes money carries an idempotency key derived from our ids (see `IdempotencyKey`), so
a retried request (ours after a crash, or the HTTP client's after a timeout) cannot charge, capture or refund
twice. Adapters: `StripeGateway` (production) and `OfflineGateway` (embedded default, no keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from app.domain.payment_events import Intent
from app.errors import NotFound


class RefundStatus(StrEnum):
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


@dataclass(frozen=True, slots=True)
class ConnectedAccount:
    id: str


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    amount: int
    status: RefundStatus


class IntentNotFound(NotFound):
    """The gateway has no such intent (404): offline, one forgotten by a restart without a journal."""


class IdempotencyKey:
    """Stripe idempotency keys, derived from our ids so a replay anywhere maps to the same Stripe request."""

    @staticmethod
    def account(business_id: str) -> str:
        return f"business-{business_id}-account"

    @staticmethod
    def intent(booking_id: str) -> str:
        return f"booking-{booking_id}-intent"

    @staticmethod
    def capture(booking_id: str) -> str:
        return f"booking-{booking_id}-capture"

    @staticmethod
    def cancel(booking_id: str) -> str:
        return f"booking-{booking_id}-cancel"

    @staticmethod
    def refund(booking_id: str, refund_key: str) -> str:
        """`refund_key` names one refund of the booking (e.g. "cancellation", or a refund record's id)."""
        return f"booking-{booking_id}-refund-{refund_key}"


class PaymentGateway(Protocol):
    """Money arguments are keyword-only so an amount and a fee can never be swapped silently.

    Raises `PaymentFailed` (402) when the card or the request is refused, `Unavailable` (503) when the
    provider cannot be reached, `Conflict` (409) when an idempotency key is reused with different parameters,
    `IntentNotFound` (404) for an unknown intent."""

    async def create_connected_account(self, business_id: str, email: str, country: str) -> ConnectedAccount:
        """An Express connected account for a business; repeated for the same business, the same account."""
        ...

    async def create_onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        """A single-use URL that takes the business through onboarding; a fresh one on every call."""
        ...

    async def create_payment_intent(
        self,
        booking_id: str,
        *,
        amount: int,
        currency: str,
        application_fee: int,
        destination_account: str,
        customer_ref: str | None = None,
    ) -> Intent:
        """A manual-capture intent for a booking; repeated for the same booking, the same intent."""
        ...

    async def capture(
        self, intent_id: str, booking_id: str, *, amount_to_capture: int | None, application_fee: int | None
    ) -> Intent:
        """Capture an authorised intent: all of it (None) or part, with the fee for what is captured."""
        ...

    async def cancel(self, intent_id: str, booking_id: str) -> Intent:
        """Release an uncaptured authorisation."""
        ...

    async def refund(self, intent_id: str, booking_id: str, *, amount: int, reason: str, refund_key: str) -> Refund:
        """Refund part or all of a captured intent, with the platform fee share and the transfer reversed.

        `reason` is our free text (kept in the refund's metadata); `refund_key` names this refund within the
        booking so that repeating it is a no-op and a second, different refund gets its own key."""
        ...

    async def retrieve_intent(self, intent_id: str) -> Intent: ...

    async def aclose(self) -> None:
        """Release the adapter's connections (the Stripe HTTP client); called once, when the app stops."""
        ...
