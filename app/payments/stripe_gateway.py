"""The Stripe Connect adapter of the payment gateway port, on stripe-python's `StripeClient` (async methods).

Retries are the library's own: with `max_network_retries` set, stripe-python retries a request on connection
errors, on 409 (lock timeouts) and on 5xx unless Stripe answers `Stripe-Should-Retry: false`, and never on
other 4xx unless it answers `Stripe-Should-Retry: true`; it backs off exponentially with jitter (0.5 s
doubling, at most 5 s, honouring a short `Retry-After`). The `Idempotency-Key` header is built once per call,
before the retry loop, so every attempt carries the same key and Stripe applies the request at most once.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, NoReturn, TypeVar

import stripe
import structlog

from app.domain.money import normalize_currency
from app.domain.payment_events import Intent, IntentStatus
from app.errors import Conflict, NotFound, PaymentFailed, Unavailable
from app.payments.gateway import ConnectedAccount, IdempotencyKey, IntentNotFound, Refund, RefundStatus

if TYPE_CHECKING:
    from stripe.params import (
        AccountCreateParams,
        AccountLinkCreateParams,
        PaymentIntentCaptureParams,
        PaymentIntentCreateParams,
        RefundCreateParams,
    )

log = structlog.get_logger(__name__)

T = TypeVar("T")

MAX_NETWORK_RETRIES = 3
# Below stripe-python's 80 s default: a caller (an HTTP request of ours) should not hang for minutes, and with
# retries the worst case is still (1 + MAX_NETWORK_RETRIES) * timeout plus backoff.
DEFAULT_TIMEOUT_S = 30.0
# Stripe rejects metadata values longer than 500 characters.
METADATA_VALUE_MAX = 500


class StripeGateway:
    def __init__(
        self,
        secret_key: str,
        *,
        http_client: stripe.HTTPClient | None = None,
        max_network_retries: int = MAX_NETWORK_RETRIES,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        # HTTPX for the `*_async` methods: the server runs on asyncio and must not block its loop on Stripe.
        self._http = http_client if http_client is not None else stripe.HTTPXClient(timeout=timeout_s)
        self._client = stripe.StripeClient(secret_key, http_client=self._http, max_network_retries=max_network_retries)

    async def aclose(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]  # untyped in stripe-python

    async def create_connected_account(self, business_id: str, email: str, country: str) -> ConnectedAccount:
        params: AccountCreateParams = {
            "type": "express",
            "email": email,
            "country": country.upper(),
            "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
            "metadata": {"businessId": business_id},
        }
        account = await _call(
            self._client.v1.accounts.create_async(
                params=params, options={"idempotency_key": IdempotencyKey.account(business_id)}
            )
        )
        return ConnectedAccount(id=account.id)

    async def create_onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        params: AccountLinkCreateParams = {
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": refresh_url,
            "return_url": return_url,
        }
        # No key of ours on purpose: a link is single-use and expires within minutes, so replaying an earlier
        # request would hand back a spent link. The library's own per-call key still covers its retries, and a
        # duplicate link costs nothing.
        link = await _call(self._client.v1.account_links.create_async(params=params))
        return link.url

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
        params: PaymentIntentCreateParams = {
            "amount": amount,
            "currency": normalize_currency(currency),
            "application_fee_amount": application_fee,
            "transfer_data": {"destination": destination_account},
            "capture_method": "manual",
            "automatic_payment_methods": {"enabled": True},
            "metadata": {"bookingId": booking_id},
        }
        if customer_ref is not None:
            params["customer"] = customer_ref
        intent = await _call(
            self._client.v1.payment_intents.create_async(
                params=params, options={"idempotency_key": IdempotencyKey.intent(booking_id)}
            )
        )
        return _intent(intent)

    async def capture(
        self, intent_id: str, booking_id: str, *, amount_to_capture: int | None, application_fee: int | None
    ) -> Intent:
        params: PaymentIntentCaptureParams = {}
        if amount_to_capture is not None:
            params["amount_to_capture"] = amount_to_capture
        if application_fee is not None:
            params["application_fee_amount"] = application_fee
        intent = await _call(
            self._client.v1.payment_intents.capture_async(
                intent_id, params=params, options={"idempotency_key": IdempotencyKey.capture(booking_id)}
            ),
            missing=IntentNotFound,
        )
        return _intent(intent)

    async def cancel(self, intent_id: str, booking_id: str) -> Intent:
        intent = await _call(
            self._client.v1.payment_intents.cancel_async(
                intent_id, options={"idempotency_key": IdempotencyKey.cancel(booking_id)}
            ),
            missing=IntentNotFound,
        )
        return _intent(intent)

    async def refund(self, intent_id: str, booking_id: str, *, amount: int, reason: str, refund_key: str) -> Refund:
        params: RefundCreateParams = {
            "payment_intent": intent_id,
            "amount": amount,
            # Destination charge: give back the platform's fee share and pull the business's share back too.
            "refund_application_fee": True,
            "reverse_transfer": True,
            "metadata": {"bookingId": booking_id, "reason": reason[:METADATA_VALUE_MAX]},
        }
        refund = await _call(
            self._client.v1.refunds.create_async(
                params=params, options={"idempotency_key": IdempotencyKey.refund(booking_id, refund_key)}
            ),
            missing=IntentNotFound,
        )
        # Stripe documents the status as optional; a refund is pending until it says otherwise.
        status = RefundStatus(refund.status) if refund.status else RefundStatus.PENDING
        return Refund(id=refund.id, amount=refund.amount, status=status)

    async def retrieve_intent(self, intent_id: str) -> Intent:
        return _intent(await _call(self._client.v1.payment_intents.retrieve_async(intent_id), missing=IntentNotFound))


def _intent(intent: stripe.PaymentIntent) -> Intent:
    if intent.client_secret is None:
        # Only a publishable-key request omits it; with our secret key this is a broken response.
        raise Unavailable("payment provider answered without a client secret")
    return Intent(
        id=intent.id,
        client_secret=intent.client_secret,
        status=IntentStatus(intent.status),
        amount=intent.amount,
        amount_capturable=intent.amount_capturable,
        amount_received=intent.amount_received,
        currency=intent.currency,
    )


async def _call(request: Awaitable[T], *, missing: type[NotFound] = NotFound) -> T:
    """Await a Stripe request (retries already done by the library) and translate its failure to ours.

    `missing`: the port's error for `resource_missing` (`IntentNotFound` when the request names an intent)."""
    try:
        return await request
    except stripe.StripeError as exc:
        _raise_app_error(exc, missing)


def _raise_app_error(exc: stripe.StripeError, missing: type[NotFound]) -> NoReturn:
    message = exc.user_message or "payment provider error"
    if isinstance(exc, stripe.CardError):
        raise PaymentFailed(message, [{"code": exc.code}] if exc.code else None) from exc
    if isinstance(exc, stripe.IdempotencyError):
        # Same key, different parameters: e.g. an intent for a booking whose price changed since the first try.
        raise Conflict(message) from exc
    if isinstance(exc, stripe.InvalidRequestError):
        if exc.code == "resource_missing":
            raise missing(message) from exc
        raise PaymentFailed(message, [{"code": exc.code}] if exc.code else None) from exc
    # Left: connection errors and 5xx after the retries, rate limiting, and our own key being refused
    # (401/403): none is the customer's doing, all mean payments cannot be taken right now.
    log.warning(
        "stripe request failed",
        error=type(exc).__name__,
        status=exc.http_status,
        request_id=exc.request_id,
        message=message,
    )
    raise Unavailable("payment provider unavailable, try again later") from exc
