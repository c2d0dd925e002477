"""Test doubles for Stripe's HTTP API, plugged in under stripe-python as its HTTP client.

`RecordingHTTPClient` records every request stripe-python sends (method, URL, headers, form body) and answers
with what a handler returns: a `Script` of canned replies, or `FakeStripe`, a small stateful simulation of the
endpoints the gateway uses. Everything above the HTTP client (encoding, headers, retries, error mapping) is the
real library, so tests see exactly what Stripe would receive.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import stripe


@dataclass(frozen=True)
class Recorded:
    method: str
    url: str
    headers: dict[str, str]
    body: str | None

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def form(self) -> dict[str, str]:
        """The form-encoded body, one value per key (Stripe's encoding never repeats a scalar key)."""
        if not self.body:
            return {}
        parsed = parse_qs(self.body, keep_blank_values=True, strict_parsing=True)
        assert all(len(values) == 1 for values in parsed.values()), parsed
        return {key: values[0] for key, values in parsed.items()}


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)


class ConnectionFailure:
    """Stands for a network failure (timeout, reset): the client raises what real clients raise."""


CONNECTION_FAILURE = ConnectionFailure()
Handler = Callable[[Recorded], Reply | ConnectionFailure]


class RecordingHTTPClient(stripe.HTTPClient):
    name = "recording"

    def __init__(self, handler: Handler) -> None:
        super().__init__()
        self.handler = handler
        self.requests: list[Recorded] = []
        # Backoff delays the library asked for; nothing actually sleeps.
        self.sleeps: list[float] = []
        self.closed = False

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        body = post_data.decode() if isinstance(post_data, bytes) else post_data
        recorded = Recorded(method=method, url=url, headers=dict(headers), body=body)
        self.requests.append(recorded)
        reply = self.handler(recorded)
        if isinstance(reply, ConnectionFailure):
            raise stripe.APIConnectionError("simulated network failure", should_retry=True)  # type: ignore[no-untyped-call]
        # Case-insensitive like every real client's headers: the library looks up "stripe-should-retry".
        headers_out = httpx.Headers({"request-id": f"req_{len(self.requests)}", **reply.headers})
        return json.dumps(reply.body).encode(), reply.status, headers_out

    async def sleep_async(self, secs: float) -> None:
        self.sleeps.append(secs)

    async def close_async(self) -> None:
        self.closed = True

    def request(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the gateway must use stripe-python's async API")


class Script:
    """Answers requests with canned replies, in order; running out is a test failure."""

    def __init__(self, *replies: Reply | ConnectionFailure) -> None:
        self.replies = list(replies)

    def __call__(self, request: Recorded) -> Reply | ConnectionFailure:
        assert self.replies, f"unexpected request {request.method} {request.url}"
        return self.replies.pop(0)


def error(status: int, message: str, *, type_: str = "invalid_request_error", code: str | None = None) -> Reply:
    body: dict[str, Any] = {"type": type_, "message": message}
    if code is not None:
        body["code"] = code
    return Reply(status, {"error": body})


def intent_json(
    intent_id: str = "pi_1",
    *,
    amount: int = 2300,
    status: str = "requires_payment_method",
    amount_capturable: int = 0,
    amount_received: int = 0,
    currency: str = "usd",
    booking_id: str = "b1",
) -> dict[str, Any]:
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": amount_capturable,
        "amount_received": amount_received,
        "capture_method": "manual",
        "client_secret": f"{intent_id}_secret_abc",
        "currency": currency,
        "livemode": False,
        "metadata": {"bookingId": booking_id},
        "status": status,
    }


# Stripe's minimums for the currencies these tests use (docs.stripe.com/currencies).
_MINIMUMS = {"usd": 50, "eur": 50, "jpy": 50}
_CANCELABLE = {"requires_payment_method", "requires_confirmation", "requires_action", "requires_capture"}


class FakeStripe:
    """A simulation of the Stripe endpoints the gateway calls, faithful in what the contract tests check:
    state transitions, amounts, idempotent replays (and `idempotency_error` on a changed request), errors."""

    def __init__(self) -> None:
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunded: dict[str, int] = {}
        self.accounts: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._replies: dict[str, tuple[tuple[str, str, str | None], Reply]] = {}

    def authorize(self, intent_id: str) -> None:
        """What the owner's Stripe.js confirmation does: the card is authorised, funds held for capture."""
        intent = self.intents[intent_id]
        assert intent["status"] == "requires_payment_method"
        intent.update(status="requires_capture", amount_capturable=intent["amount"])

    def __call__(self, request: Recorded) -> Reply:
        key = request.headers.get("Idempotency-Key")
        fingerprint = (request.method, request.path, request.body)
        if request.method == "post" and key is not None and key in self._replies:
            first, reply = self._replies[key]
            if first != fingerprint:
                return error(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                    type_="idempotency_error",
                )
            return Reply(reply.status, reply.body, {"Idempotent-Replayed": "true"})
        reply = self._route(request)
        # Stripe saves no result for a request refused by validation, which is every error this fake answers.
        if request.method == "post" and key is not None and reply.status == 200:
            self._replies[key] = (fingerprint, reply)
        return reply

    def _route(self, request: Recorded) -> Reply:
        parts = request.path.strip("/").split("/")
        match request.method, parts:
            case "post", ["v1", "accounts"]:
                return self._create_account(request.form)
            case "post", ["v1", "account_links"]:
                account = request.form["account"]
                url = f"https://connect.stripe.com/setup/e/{account}/{next(self._ids)}"
                return Reply(200, {"object": "account_link", "url": url, "expires_at": 0, "created": 0})
            case "post", ["v1", "payment_intents"]:
                return self._create_intent(request.form)
            case "get", ["v1", "payment_intents", intent_id]:
                return self._with_intent(intent_id, lambda intent: Reply(200, intent))
            case "post", ["v1", "payment_intents", intent_id, "capture"]:
                return self._with_intent(intent_id, lambda intent: self._capture(intent, request.form))
            case "post", ["v1", "payment_intents", intent_id, "cancel"]:
                return self._with_intent(intent_id, self._cancel)
            case "post", ["v1", "refunds"]:
                form = request.form
                return self._with_intent(form["payment_intent"], lambda intent: self._refund(intent, form))
        return error(404, f"Unrecognized request URL ({request.method.upper()}: {request.path}).")

    def _create_account(self, form: dict[str, str]) -> Reply:
        account_id = f"acct_{next(self._ids)}"
        account: dict[str, Any] = {
            "id": account_id,
            "object": "account",
            "type": form["type"],
            "country": form["country"],
            "email": form["email"],
            "charges_enabled": False,
            "metadata": {"businessId": form["metadata[businessId]"]},
        }
        self.accounts[account_id] = account
        return Reply(200, account)

    def _create_intent(self, form: dict[str, str]) -> Reply:
        amount, currency = int(form["amount"]), form["currency"]
        minimum = _MINIMUMS.get(currency, 1)
        if amount < minimum:
            return error(400, f"Amount must be at least {minimum} {currency}", code="amount_too_small")
        if int(form["application_fee_amount"]) > amount:
            return error(400, "The application fee cannot exceed the amount", code="parameter_invalid_integer")
        intent = intent_json(
            f"pi_{next(self._ids)}", amount=amount, currency=currency, booking_id=form["metadata[bookingId]"]
        )
        self.intents[intent["id"]] = intent
        return Reply(200, intent)

    def _with_intent(self, intent_id: str, action: Callable[[dict[str, Any]], Reply]) -> Reply:
        intent = self.intents.get(intent_id)
        if intent is None:
            return error(404, f"No such payment_intent: '{intent_id}'", code="resource_missing")
        return action(intent)

    def _capture(self, intent: dict[str, Any], form: dict[str, str]) -> Reply:
        if intent["status"] != "requires_capture":
            return error(
                400,
                f"This PaymentIntent could not be captured because it has a status of {intent['status']}.",
                code="payment_intent_unexpected_state",
            )
        amount = int(form.get("amount_to_capture", intent["amount_capturable"]))
        if not 0 < amount <= intent["amount_capturable"]:
            return error(400, "amount_to_capture is greater than amount_capturable", code="amount_too_large")
        intent.update(status="succeeded", amount_capturable=0, amount_received=amount)
        return Reply(200, dict(intent))

    def _cancel(self, intent: dict[str, Any]) -> Reply:
        if intent["status"] not in _CANCELABLE:
            return error(
                400,
                f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}.",
                code="payment_intent_unexpected_state",
            )
        intent.update(status="canceled", amount_capturable=0)
        return Reply(200, dict(intent))

    def _refund(self, intent: dict[str, Any], form: dict[str, str]) -> Reply:
        if intent["status"] != "succeeded":
            return error(
                400, "This PaymentIntent does not have a successful charge to refund.", code="charge_not_refundable"
            )
        amount = int(form["amount"])
        unrefunded = intent["amount_received"] - self.refunded.get(intent["id"], 0)
        if not 0 < amount <= unrefunded:
            return error(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({unrefunded})",
                code="amount_too_large",
            )
        self.refunded[intent["id"]] = self.refunded.get(intent["id"], 0) + amount
        refund = {
            "id": f"re_{next(self._ids)}",
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "status": "succeeded",
            "metadata": {"bookingId": form["metadata[bookingId]"], "reason": form["metadata[reason]"]},
        }
        return Reply(200, refund)
